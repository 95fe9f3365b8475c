import json
from datetime import timedelta
from xml.etree import ElementTree as ET  # noqa: S405

import pytest
from django.test import Client
from django.utils import timezone

from appeals import services
from appeals.models import Appeal
from appeals.tests.helpers import file, resident_for
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def api_key(tree) -> str:
    _, raw = services.issue_api_client(actor=None, name="12345热线")
    return raw


def _post(client: Client, fmt: str = "json", **data: str):
    return client.post(f"{BASE}/requests.{fmt}", data=data)


def _xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own output)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_serves_discovery(client, tree, fmt) -> None:
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert response.json()["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    else:
        assert _xml(response).find("endpoints/endpoint/formats/format") is not None


def test_it_lists_the_twenty_services_in_both_formats(client, tree) -> None:
    data = client.get(f"{BASE}/services.json").json()
    assert len(data) == 20 and {"service_code", "service_name", "metadata", "type", "keywords", "group"} <= set(data[0])
    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == 20
    assert root.find("service/metadata").text == "true"


def test_it_defines_service_attributes(client, tree) -> None:
    data = client.get(f"{BASE}/services/utilities.json").json()
    codes = [a["code"] for a in data["attributes"]]
    assert data["service_code"] == "utilities" and codes == ["community", "utility"]
    utility = data["attributes"][1]
    assert utility["datatype"] == "singlevaluelist" and {"key": "water", "name": "停水/供水"} in utility["values"]
    root = _xml(client.get(f"{BASE}/services/utilities.xml"))
    assert root.tag == "service_definition" and root.find("attributes/attribute/values/value/key") is not None
    for fmt in ("json", "xml"):
        missing = client.get(f"{BASE}/services/nope.{fmt}")
        assert missing.status_code == 404


def test_it_files_a_request_and_reads_it_back(client, world, api_key) -> None:
    response = _post(client, api_key=api_key, service_code="municipal", lat="37.7390", long="115.6860",
                     description="路灯不亮，电话13912345678", first_name="三", last_name="张", phone="13912345678",
                     email="z@example.com", **{"attribute[community]": BOB_UNIT})
    assert response.status_code == 201, response.content
    created = response.json()[0]
    appeal = Appeal.objects.get(tracking_no=created["service_request_id"])
    assert appeal.channel == "open311" and appeal.unit_id == BOB_UNIT and appeal.api_client is not None
    assert created["token"] == appeal.token and created["service_notice"]
    one = client.get(f"{BASE}/requests/{appeal.tracking_no}.json").json()
    assert len(one) == 1 and one[0]["status"] == "open" and one[0]["service_code"] == "municipal"
    assert one[0]["requested_datetime"].endswith("+08:00")
    body = json.dumps(one, ensure_ascii=False)
    for secret in ("张三", "13912345678", "z@example.com"):
        assert secret not in body
    assert "139****5678" in one[0]["description"]
    token = client.get(f"{BASE}/tokens/{appeal.token}.json").json()
    assert token == [{"service_request_id": appeal.tracking_no, "token": appeal.token}]
    root = _xml(client.get(f"{BASE}/requests/{appeal.tracking_no}.xml"))
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == appeal.tracking_no
    assert _xml(client.get(f"{BASE}/tokens/{appeal.token}.xml")).find("request/service_request_id") is not None


def test_it_files_over_xml_too(client, world, api_key) -> None:
    response = _post(client, "xml", api_key=api_key, service_code="noise", address_string="人民路广场",
                     description="广场舞太吵", **{"attribute[period]": "night"})
    assert response.status_code == 201
    number = _xml(response).find("request/service_request_id").text
    appeal = Appeal.objects.get(tracking_no=number)
    assert appeal.unit_id == services.CITY_CODE and "period=night" in appeal.description


def test_it_never_shows_a_private_home(client, world) -> None:
    resident_for(world.rita, ALICE_UNIT)
    home = services.file_appeal(actor=world.rita, category_code="noise", description="楼上吵", unit_code="",
                                location_kind="home", rate_limit=False)
    other = file(None, address="幸福小区3号楼2单元101", lat=37.123456, lng=115.654321)
    rows = {r["service_request_id"]: r for r in client.get(f"{BASE}/requests.json").json()}
    assert rows[home.tracking_no]["address"] == home.home_unit.name
    assert rows[home.tracking_no]["lat"] is None
    assert rows[other.tracking_no]["address"] == "幸福小区附近"
    assert rows[other.tracking_no]["lat"] == 37.123
    assert "王秀兰" not in json.dumps(rows, ensure_ascii=False)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_answers_errors_in_the_spec_shape(client, world, api_key, fmt) -> None:
    cases = [
        (_post(client, fmt, service_code="noise", lat="37", long="115"), 403),
        (_post(client, fmt, api_key="wrong", service_code="noise", lat="37", long="115"), 403),
        (_post(client, fmt, api_key=api_key, lat="37", long="115"), 400),
        (_post(client, fmt, api_key=api_key, service_code="nope", lat="37", long="115"), 400),
        (_post(client, fmt, api_key=api_key, service_code="noise"), 400),
        (_post(client, fmt, api_key=api_key, service_code="noise", lat="x", long="115"), 400),
        (_post(client, fmt, api_key=api_key, service_code="noise", lat="37", long="115", **{"attribute[community]": "1"}), 400),
        (client.get(f"{BASE}/requests/999.{fmt}"), 404),
        (client.get(f"{BASE}/tokens/nope.{fmt}"), 404),
        (client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "elsewhere"}), 404),
        (client.get(f"{BASE}/requests.{fmt}", {"start_date": "yesterday"}), 400),
        (client.get(f"{BASE}/requests.{fmt}", {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"}), 400),
        (client.get(f"{BASE}/requests.{fmt}", {"status": "pending"}), 400),
    ]
    for response, status in cases:
        assert response.status_code == status, response.content
        if fmt == "json":
            error = response.json()[0]
            assert error["code"] == status and error["description"]
        else:
            root = _xml(response)
            assert root.tag == "errors" and root.find("error/code").text == str(status)
    assert not Appeal.objects.exists()
    assert client.get(f"{BASE}/services.csv").status_code == 404


def test_it_refuses_a_revoked_key(client, world) -> None:
    api_client, raw = services.issue_api_client(actor=None, name="合作方")
    services.revoke_api_client(actor=None, client=api_client)
    assert _post(client, api_key=raw, service_code="noise", lat="37.7", long="115.7").status_code == 403


def test_it_filters_requests(client, world) -> None:
    noise = file(None, category="noise", phone="13900000001")
    trash = file(None, category="sanitation", phone="13900000002")
    old = file(None, category="noise", phone="13900000003")
    Appeal.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))
    services.accept(appeal=trash, actor=world.bob)
    services.reply(appeal=trash, actor=world.bob, text="已清运")
    services.close(appeal=trash, actor=world.bob, resolved=True)

    def ids(**params: str) -> set[str]:
        return {r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()}

    assert ids() == {noise.tracking_no, trash.tracking_no}  # last 90 days by default
    assert ids(service_code="noise") == {noise.tracking_no}
    assert ids(service_code="noise,sanitation", status="closed") == {trash.tracking_no}
    assert ids(status="open") == {noise.tracking_no}
    assert ids(service_request_id=f"{old.tracking_no},{noise.tracking_no}") == {old.tracking_no, noise.tracking_no}
    start = (timezone.now() - timedelta(days=130)).isoformat()
    end = (timezone.now() - timedelta(days=100)).isoformat()
    assert ids(start_date=start, end_date=end) == {old.tracking_no}
    assert ids(service_code="", status="", start_date="") == {noise.tracking_no, trash.tracking_no}  # empty = absent
    xml = _xml(client.get(f"{BASE}/requests.xml", {"status": "closed"}))
    assert [e.text for e in xml.findall("request/status")] == ["closed"]


@pytest.mark.django_db(transaction=True)
def test_it_works_with_the_georeport_client_against_a_live_server(live_server, tree) -> None:
    import requests
    from georeport import GeoReport

    _, raw = services.issue_api_client(actor=None, name="live")
    filed = []
    for text, code in [("小区路灯坏了一个月", "municipal"), ("楼道里电动车充电很危险", "fire_safety")]:
        response = requests.post(f"{live_server.url}{BASE}/requests.json", timeout=10, data={
            "api_key": raw, "service_code": code, "lat": "37.739", "long": "115.686", "description": text,
            "attribute[community]": BOB_UNIT})
        assert response.status_code == 201
        filed.append(response.json()[0]["service_request_id"])
    for fmt in ("json", "xml"):
        client = GeoReport(f"{live_server.url}{BASE}", output_format=fmt)
        services_ = client.get_service_list()
        assert {s["service_code"] for s in services_} >= {"municipal", "fire_safety"}
        definition = client.get_service_definition("utilities")
        assert definition["service_code"] == "utilities"
        listed = client.get_service_requests(service_code="municipal,fire_safety")
        listed = listed if isinstance(listed, list) else [listed]
        assert {r["service_request_id"] for r in listed} == set(filed)
        one = client.get_service_request(filed[0])
        one = one[0] if isinstance(one, list) else one
        assert one["service_code"] == "municipal" and one["status"] == "open"


def test_it_issues_and_revokes_keys_in_the_admin(client, world) -> None:
    from appeals.models import ApiClient

    client.force_login(world.sam)
    response = client.post("/admin/appeals/apiclient/add/", {"name": "12345 热线", "contact": "王工"}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200 and "api_key" in text
    api_client = ApiClient.objects.get(name="12345 热线")
    raw = text.split("api_key（只显示这一次，请妥善交给对方）：")[1].split("<")[0].strip()
    assert services.client_for_key(raw) == api_client and api_client.key_hash != raw
    client.post("/admin/appeals/apiclient/", {"action": "revoke", "_selected_action": [api_client.pk]})
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None and services.client_for_key(raw) is None
    client.force_login(world.bob)
    assert client.get("/admin/appeals/apiclient/").status_code in (302, 403)

"""Bad input answers 4xx with a Chinese message and changes nothing (issue 25: F8, F9, F10)."""

import datetime as dt
import json
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import ApiToken
from care.models import Drill, EmergencyShelter
from facilities import services as facility_services
from facilities.models import Space
from people.exporters import export_residents
from people.models import Resident
from people.tests.factories import id_number, resident
from shequ.testing.world import BOB_UNIT

pytestmark = pytest.mark.django_db
TWENTY_DIGITS = "9" * 20


def post_json(client, url, body, **headers):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=raw, content_type="application/json", **headers)


def test_it_refuses_a_lone_surrogate_in_the_token_request(world, client) -> None:
    response = post_json(client, "/api/auth/token", '{"username": "bob\\udc80", "password": "x"}')
    assert response.status_code == 400
    assert "控制字符" in response.json()["detail"] and "username" in response.json()["detail"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("bad", ["\udc80", "\u0000", "\u001b", "\ud800x"])
def test_it_refuses_control_characters_and_lone_surrogates_in_any_api_string(world, login, bad) -> None:
    client = login(world.bob)
    body = {"name": "张三", "id_number": id_number(), "unit_code": BOB_UNIT, "current_address": f"a{bad}b"}
    response = post_json(client, "/api/people/residents", body)
    assert response.status_code == 400
    assert "current_address" in response.json()["detail"] and "控制字符" in response.json()["detail"]
    assert not Resident.objects.exists()
    tags = post_json(client, "/api/people/residents", {**body, "current_address": "", "tags": ["x", f"y{bad}"]})
    assert tags.status_code == 400 and "tags[1]" in tags.json()["detail"]


def test_it_keeps_tabs_and_newlines(world, login) -> None:
    body = {"name": "张三", "id_number": id_number(), "unit_code": BOB_UNIT, "current_address": "一号楼\t二单元\r\n三层"}
    assert post_json(login(world.bob), "/api/people/residents", body).status_code == 201


def test_it_refuses_control_characters_in_forms_and_query_strings(world, login) -> None:
    client = login(world.bob)
    response = client.post(f"/care/emergency/{BOB_UNIT}/shelters/new/", {"name": "桥东\x00广场", "kind": "square", "capacity": "80"})
    assert response.status_code == 400 and "控制字符" in response.content.decode()
    assert not EmergencyShelter.objects.exists()
    assert client.get("/people/residents/", {"q": "王\x00"}).status_code == 400
    api = client.get("/api/people/residents", {"q": "王\x00"})
    assert api.status_code == 400 and "q" in api.json()["detail"]


def test_it_answers_413_with_a_message_for_a_body_over_the_limit(world, client) -> None:
    response = post_json(client, "/api/appeals/classify", {"text": "路灯不亮" * 700_000})
    assert response.status_code == 413
    assert "过大" in response.json()["detail"]


@pytest.mark.parametrize("url", [
    "/api/people/residents?max_age=10000",
    f"/api/people/residents?min_age={TWENTY_DIGITS}",
    "/api/people/residents?min_age=-1",
    f"/api/people/residents?page={TWENTY_DIGITS}",
    f"/api/people/households?page={TWENTY_DIGITS}",
    f"/api/facilities/facilities?offset={TWENTY_DIGITS}",
    f"/api/facilities/points?offset={TWENTY_DIGITS}",
    f"/api/workforce/workers?page={TWENTY_DIGITS}",
])
def test_it_refuses_numbers_out_of_range_in_api_queries(world, login, url) -> None:
    response = login(world.bob).get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("请求参数不正确") and set(body["errors"]) & {"min_age", "max_age", "page", "offset"}


def test_it_answers_a_missing_body_in_the_documented_shape(world, login) -> None:
    response = login(world.bob).post("/api/people/residents", content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str) and isinstance(response.json()["errors"], dict)


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_it_refuses_a_calendar_week_out_of_range(world, login, week) -> None:
    space = facility_services.create_space(actor=world.bob, unit=world.unit(BOB_UNIT), name="桥东小学操场", kind="sports",
                                           capacity=40, rule="free", host="桥东小学")
    client = login(world.bob)
    response = client.get(f"/facilities/spaces/{space.pk}/", {"week": week})
    assert response.status_code == 400 and "日历周" in response.content.decode()
    assert client.get(f"/facilities/spaces/{space.pk}/", {"week": "2026-03-02"}).status_code == 200


def test_it_refuses_counts_of_twenty_digits(world, login) -> None:
    client = login(world.bob)
    shelter = client.post(f"/care/emergency/{BOB_UNIT}/shelters/new/", {"name": "桥东广场", "kind": "square", "capacity": TWENTY_DIGITS})
    drill = client.post(f"/care/emergency/{BOB_UNIT}/drills/new/", {"held_on": "2025-05-12", "scenario": "地震疏散",
                                                                     "participants": TWENTY_DIGITS})
    space = client.post("/facilities/spaces/new/", {
        "unit_code": BOB_UNIT, "name": "大场地", "kind": "parking", "host": "某单位", "capacity": TWENTY_DIGITS, "rule": "free",
        "opens_at": "08:00", "closes_at": "18:00", "slot_minutes": "60", "weekdays": ["0", "1"]})
    for response in (shelter, drill, space):
        assert response.status_code == 400 and "1000000" in response.content.decode()
    assert not EmergencyShelter.objects.exists() and not Drill.objects.exists() and not Space.objects.exists()


def test_it_exports_a_stored_control_character(world) -> None:
    person = resident(name="王大明", current_address="一号楼")
    Resident.objects.filter(pk=person.pk).update(current_address="a\x1bb\x07c")  # stored before the rule existed (PostgreSQL cannot hold NUL at all)
    out = BytesIO()
    assert export_residents(out, Resident.objects.all(), actor=world.bob) == 1
    rows = list(load_workbook(BytesIO(out.getvalue())).worksheets[0].values)
    assert any("abc" in row for row in rows)


def test_it_refuses_an_import_file_with_a_control_character_and_writes_nothing(tree) -> None:
    from facilities.importers import FACILITY_COLUMNS, import_facilities
    from facilities.models import Facility
    from facilities.tests.helpers import workbook
    from facilities.tests.test_importers import row

    headers = [c.header for c in FACILITY_COLUMNS]
    result = import_facilities(workbook(headers, [row(), row(**{"设施名称": "河西\x7f健身广场"})]))
    assert not result.ok and not Facility.objects.exists()
    assert [(e.line, e.column, e.value) for e in result.errors] == [(3, "设施名称", "河西健身广场")]
    assert "控制字符" in result.errors[0].reason


# F10: every date within a plausible range for its meaning.

def test_it_refuses_a_booking_beyond_the_booking_horizon(world, login) -> None:
    from facilities.models import Booking

    space = facility_services.create_space(actor=world.bob, unit=world.unit(BOB_UNIT), name="桥东小学操场", kind="sports",
                                           capacity=40, rule="free", host="桥东小学", weekdays="0123456")
    client = login(world.bob)
    for starts_at in ("9999-12-31T09:00:00+08:00", (timezone.localdate() + dt.timedelta(days=200)).isoformat() + "T09:00:00+08:00"):
        response = post_json(client, f"/api/facilities/spaces/{space.pk}/bookings", {"starts_at": starts_at, "purpose": "排练"})
        assert response.status_code == 422 and "90 天内" in response.json()["errors"]["starts_at"]
    assert not Booking.objects.exists()


def test_it_refuses_a_drill_or_an_officer_date_before_2000_or_in_the_future(world, login) -> None:
    from care.models import DisasterOfficer

    client = login(world.bob)
    for held_on in ("0001-01-01", "1999-12-31", (timezone.localdate() + dt.timedelta(days=2)).isoformat()):
        response = client.post(f"/care/emergency/{BOB_UNIT}/drills/new/", {"held_on": held_on, "scenario": "地震疏散", "participants": "50"})
        assert response.status_code == 400 and "演练日期不能" in response.content.decode()
    officer = client.post(f"/care/emergency/{BOB_UNIT}/officers/new/", {"name": "李信息", "trained_on": "0001-01-01"})
    assert officer.status_code == 400 and "培训日期不能早于2000-01-01" in officer.content.decode()
    assert not Drill.objects.exists() and not DisasterOfficer.objects.exists()
    ok = client.post(f"/care/emergency/{BOB_UNIT}/drills/new/", {"held_on": "2025-05-12", "scenario": "地震疏散", "participants": "50"})
    assert ok.status_code == 302 and Drill.objects.count() == 1


def test_it_refuses_a_visit_dated_before_2000_through_the_api(world, login) -> None:
    from care.models import Visit

    person = resident(name="王大明")
    body = {"visited_at": "1970-01-01T10:00:00+08:00", "method": "home", "health": "good", "home_safety": "good",
            "living": "good", "mood": "good"}
    response = post_json(login(world.bob), f"/api/care/residents/{person.pk}/visits", body)
    assert response.status_code == 400 and "探访时间不能早于2000-01-01" in response.json()["errors"]["visited_at"]
    assert not Visit.objects.exists()


def test_it_refuses_a_worker_starting_in_1900_or_tomorrow_and_a_training_in_9999(world) -> None:
    from django.core.exceptions import ValidationError

    from workforce import services as workforce_services
    from workforce.models import CommunityWorker, Training

    unit = world.unit(BOB_UNIT)
    for started_on, message in ((dt.date(1900, 1, 1), "不能早于1950-01-01"), (timezone.localdate() + dt.timedelta(days=1), "不能晚于今天")):
        with pytest.raises(ValidationError, match=message):
            workforce_services.add_worker(actor=world.bob, unit=unit, name="张工", gender="M", position="committee_member",
                                          started_on=started_on)
    with pytest.raises(ValidationError, match="培训开始日期不能晚于"):
        workforce_services.record_training(actor=world.bob, unit=unit, title="业务培训", level="district", kind="business",
                                           starts_on=dt.date(9999, 1, 1), ends_on=dt.date(9999, 1, 2))
    assert not CommunityWorker.objects.exists() and not Training.objects.exists()


def test_it_refuses_a_facility_built_before_1900(world, login) -> None:
    from facilities.models import Facility

    payload = {"unit_code": BOB_UNIT, "name": "桥东服务站", "kind": "comprehensive", "building_area": 620, "built_on": "0001-01-01"}
    response = post_json(login(world.bob), "/api/facilities/facilities", payload)
    assert response.status_code == 422 and "不能早于1900-01-01" in response.json()["errors"]["built_on"]
    assert not Facility.objects.exists()


def test_it_refuses_a_lone_surrogate_whatever_the_content_type(world, login) -> None:
    body = json.dumps({"name": "张三\udc80", "id_number": id_number(), "unit_code": BOB_UNIT})
    response = login(world.bob).post("/api/people/residents", data=body, content_type="text/plain")
    assert response.status_code == 400 and not Resident.objects.exists()



@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_answers_open311_clients_in_their_own_error_format(tree, client, fmt) -> None:
    response = client.get(f"/open311/v2/requests.{fmt}?status=open%00")
    assert response.status_code == 400
    if fmt == "json":
        assert response.json()[0]["code"] == 400 and "控制字符" in response.json()[0]["description"]
    else:
        assert response.content.decode().count("<error><code>400</code>") == 1 and "控制字符" in response.content.decode()


def test_it_publishes_an_openapi_document_without_duplicate_keys(client) -> None:
    """Swagger UI refuses a document with a key twice (ninja's int status keys beside the error shape's str keys)."""
    import json

    def refuse_duplicates(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys: {keys}"
        return dict(pairs)

    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    json.loads(response.content, object_pairs_hook=refuse_duplicates)

"""The register's API: same scoping as the pages, masked always, Chinese validation errors."""

import datetime as dt
import json

import pytest

from accounts import services as account_services
from people import crypto
from people.models import Household, Resident
from people.tests.factories import household, id_number, resident
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

pytestmark = pytest.mark.django_db


def api(client, method, url, data=None, **headers):
    kwargs = {"content_type": "application/json", "data": json.dumps(data)} if data is not None else {}
    return getattr(client, method)(url, **kwargs, **headers)


def plaintexts() -> list[str]:
    values = []
    for person in Resident.objects.all():
        values += [crypto.decrypt(person.id_number_enc), crypto.decrypt(person.phone_enc)]
    return [v for v in values if v]


def test_it_lists_and_shows_residents_masked(world, login):
    home = household(number="A-1")
    person = resident(name="接口居民", household_id=home.pk, relation="head", tags="残疾:听力:2")
    resident(ALICE_UNIT, name="别处居民")
    client = login(world.tom)
    listed = client.get("/api/people/residents").json()
    assert [r["name"] for r in listed["items"]] == ["接口居民"] and listed["count"] == 1
    detail = client.get(f"/api/people/residents/{person.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["id_number_masked"] == person.id_number_masked and body["phone_masked"] == "138****8000"
    assert {"code": "disabled", "label": "残疾", "detail": "听力二级", "derived": False} in body["tags"]
    assert any(t["code"] == "aged_60" for t in body["tags"])
    house = client.get(f"/api/people/households/{home.pk}").json()
    assert house["head_id"] == person.pk and [m["name"] for m in house["members"]] == ["接口居民"]
    for response in (detail, client.get("/api/people/residents"), client.get(f"/api/people/households/{home.pk}")):
        text = response.content.decode()
        assert not any(value in text for value in plaintexts())
    number = crypto.decrypt(person.id_number_enc)
    assert client.get(f"/api/people/residents?q={number}").json()["count"] == 1
    assert client.get("/api/people/residents?tag=minor").json()["count"] == 0


def test_it_creates_and_updates_through_the_api_with_a_token(world, client):
    _, raw = account_services.issue_token(actor=world.bob, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    number = id_number(dt.date(1990, 1, 1), "M")
    created = api(client, "post", "/api/people/residents", {"name": "接口新人", "id_number": number, "unit_code": BOB_UNIT,
                                                            "phone": "13600001234", "tags": ["veteran"]}, **auth)
    assert created.status_code == 201, created.content
    assert number not in created.content.decode() and created.json()["gender"] == "M"
    pk = created.json()["id"]
    duplicate = api(client, "post", "/api/people/residents", {"name": "重复", "id_number": number, "unit_code": BOB_UNIT}, **auth)
    assert duplicate.status_code == 422 and "已登记" in duplicate.json()["errors"]["id_number"]
    bad = api(client, "patch", f"/api/people/residents/{pk}", {"gender": "F", "phone": "123"}, **auth)
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"gender", "phone"}
    changed = api(client, "patch", f"/api/people/residents/{pk}", {"name": "接口改名"}, **auth)
    assert changed.status_code == 200 and changed.json()["name"] == "接口改名"
    assert Resident.objects.get(pk=pk).phone_masked == "136****1234"
    home = api(client, "post", "/api/people/households", {"unit_code": BOB_UNIT, "number": "API-1"}, **auth)
    assert home.status_code == 201
    outside = api(client, "post", "/api/people/households", {"unit_code": ALICE_UNIT, "number": "API-2"}, **auth)
    assert outside.status_code == 422 and "管辖范围" in outside.json()["errors"]["unit_code"]
    patched = api(client, "patch", f"/api/people/households/{home.json()['id']}", {"address": "桥东路1号"}, **auth)
    assert patched.status_code == 200 and patched.json()["address"] == "桥东路1号"
    assert Household.objects.count() == 1


def test_it_answers_404_to_those_without_a_place_scope(world, login):
    person = resident()
    for user in (world.erin, world.rita, world.sue):
        assert login(user).get(f"/api/people/residents/{person.pk}").status_code == 404
        assert login(user).get("/api/people/residents").status_code == 404


def test_it_documents_the_schemas(world, client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/people/residents" in schema["paths"] and "/api/people/households/{household_id}" in schema["paths"]
    out = schema["components"]["schemas"]["ResidentOut"]["properties"]
    assert "id_number_masked" in out and "id_number" not in out

"""One phone rule (shequ.phones) at every entry point of the register: web form, edit, API, import, search.

A number typed one way is found when typed another (0318-1234567 ⇄ 03181234567); a landline without its area
code or a non-number is refused with the same Chinese message everywhere and writes nothing.
"""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from people import crypto
from people.models import Resident
from people.tests.factories import id_number, resident
from people.tests.io_helpers import book, jobs_inline, name_for, person  # noqa: F401
from shequ import phones
from shequ.testing.world import BOB_UNIT

pytestmark = pytest.mark.django_db


def found(client, typed: str) -> set[str]:
    """Names the register's search (page and API) finds for a phone typed this way; both must agree."""
    page = client.get("/people/residents/", {"q": typed, "status": ""}).content.decode()
    api = {r["name"] for r in client.get("/api/people/residents", {"q": typed, "status": ""}).json()["items"]}
    assert {name for name in api if name in page} == api
    return api


def test_it_finds_a_landline_typed_with_or_without_the_dash_from_the_web_form(world, login) -> None:
    client = login(world.bob)
    for name, typed in (("带横线", "0318-1234567"), ("不带横线", "03187654321"), ("带括号", "(0318) 2223333")):
        response = client.post("/people/residents/new/", {
            "name": name, "id_type": "id_card", "id_number": id_number(), "phone": typed, "unit_code": BOB_UNIT,
            "relation": "other", "registered_here": "on"})
        assert response.status_code == 302, response.content.decode()[:500]
    assert found(client, "03181234567") == {"带横线"}
    assert found(client, "0318-7654321") == {"不带横线"}
    assert found(client, "0318 222 3333") == {"带括号"}
    assert found(client, "+86 0318-1234567") == {"带横线"}
    stored = Resident.objects.get(name="带横线")
    assert crypto.decrypt(stored.phone_enc) == "03181234567" and stored.phone_masked == "031****4567"


def test_it_finds_a_phone_given_through_the_api_and_changed_on_the_edit_page(world, login) -> None:
    client = login(world.bob)
    response = client.post("/api/people/residents", {"name": "接口居民", "id_number": id_number(), "phone": "0318 2345678",
                                                     "unit_code": BOB_UNIT}, content_type="application/json")
    assert response.status_code == 201 and response.json()["phone_masked"] == "031****5678"
    assert found(client, "0318-2345678") == {"接口居民"}
    person = Resident.objects.get(name="接口居民")
    client.patch(f"/api/people/residents/{person.pk}", {"phone": "139-1111-2222"}, content_type="application/json")
    assert found(client, "13911112222") == {"接口居民"} and found(client, "03182345678") == set()
    client.post(f"/people/residents/{person.pk}/edit/", {
        "name": "接口居民", "id_type": "id_card", "relation": "other", "registered_here": "on", "phone": "0318-3334444"})
    assert found(client, "03183334444") == {"接口居民"}


def test_it_finds_a_phone_given_in_an_import(world, login, jobs_inline) -> None:  # noqa: F811
    client = login(world.bob)
    rows = [person(8101, unit=BOB_UNIT, phone="0318-5556666"), person(8102, unit=BOB_UNIT, phone="03187778888")]
    client.post("/people/import/", {"file": SimpleUploadedFile("a.xlsx", book(rows))})
    assert found(client, "03185556666") == {name_for(8101)}
    assert found(client, "0318-7778888") == {name_for(8102)}


@pytest.mark.parametrize("typed", ["2123456", "0318-123", "12345678901", "电话"])
def test_it_refuses_a_bad_phone_at_every_entry_point_and_writes_nothing(world, login, jobs_inline, typed) -> None:  # noqa: F811
    client = login(world.bob)
    response = client.post("/people/residents/new/", {
        "name": "坏号码", "id_type": "id_card", "id_number": id_number(), "phone": typed, "unit_code": BOB_UNIT,
        "relation": "other"})
    assert response.status_code == 400 and phones.INVALID_MESSAGE in response.content.decode()
    response = client.post("/api/people/residents", {"name": "坏号码", "id_number": id_number(), "phone": typed,
                                                     "unit_code": BOB_UNIT}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"]["phone"] == phones.INVALID_MESSAGE
    client.post("/people/import/", {"file": SimpleUploadedFile("a.xlsx", book([person(8201, unit=BOB_UNIT, phone=typed)]))})
    from web.models import Job

    assert phones.INVALID_MESSAGE in str(Job.objects.get(owner=world.bob).params)
    assert not Resident.objects.exists()


def test_it_rehashes_stored_phones_from_their_canonical_digits_in_the_migration(world, login) -> None:
    dashed = resident(name="旧横线", phone="13800000000")
    # A row as the old rule left it: the landline stored as typed, masked with the dash.
    Resident.objects.filter(pk=dashed.pk).update(
        phone_enc=crypto.encrypt("0318-1234567"), phone_hash=crypto.search_hash("0318-1234567"), phone_masked="031*****4567")
    client = login(world.bob)
    assert found(client, "03181234567") == set()
    import_module("people.migrations.0008_phones_canonical").canonical_phones(apps, None)
    assert found(client, "03181234567") == {"旧横线"} and found(client, "0318-1234567") == {"旧横线"}
    dashed.refresh_from_db()
    assert crypto.decrypt(dashed.phone_enc) == "03181234567" and dashed.phone_masked == "031****4567"


def test_it_keeps_the_same_number_one_person_however_it_was_typed(world) -> None:
    a = resident(name="甲", phone="0318-1234567", birth=dt.date(1960, 1, 1))
    b = resident(name="乙", phone="(0318)1234567", birth=dt.date(1961, 1, 1))
    assert a.phone_hash == b.phone_hash == crypto.search_hash("03181234567")

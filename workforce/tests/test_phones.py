"""One phone rule (shequ.phones) in the workforce register: the form and the import store canonical digits.

A worker added on the form as 0318-2123456 and imported again as 03182123456 (or "0318 2123456") is the same
worker (updated, not added twice); a bad phone is refused with the project's one message.
"""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps

from people.crypto import decrypt, encrypt, search_hash
from shequ import phones
from shequ.testing.world import BOB_UNIT, World
from workforce.models import CommunityWorker
from workforce.tests.test_import import book

pytestmark = pytest.mark.django_db


def test_it_matches_a_worker_whose_phone_is_typed_another_way_on_import(world: World, login) -> None:
    client = login(world.bob)
    response = client.post(f"/workforce/units/{BOB_UNIT}/new/", {
        "name": "刘芳", "gender": "F", "position": "full_time", "phone": "0318-2123456", "started_on": "2024-03-01"})
    assert response.status_code == 302
    added = CommunityWorker.objects.get(name="刘芳")
    assert decrypt(added.phone_enc) == "03182123456" and added.phone_masked == "031****3456"
    assert added.phone_hash == search_hash("03182123456")
    for typed in ("03182123456", "0318 2123456"):
        response = client.post(f"/workforce/units/{BOB_UNIT}/import/", {
            "file": book([[BOB_UNIT, "刘芳", "女", "专职社区工作者", typed, "2024-03-01", ""]])})
        assert response.status_code == 302, response.content.decode()[:1000]
    assert CommunityWorker.objects.filter(name="刘芳").count() == 1


def test_it_refuses_a_landline_without_its_area_code_on_the_form_and_the_import(world: World, login) -> None:
    client = login(world.bob)
    response = client.post(f"/workforce/units/{BOB_UNIT}/new/", {
        "name": "刘芳", "gender": "F", "position": "full_time", "phone": "2123456", "started_on": "2024-03-01"})
    assert response.status_code == 400 and phones.INVALID_MESSAGE in response.content.decode()
    response = client.post(f"/workforce/units/{BOB_UNIT}/import/", {
        "file": book([[BOB_UNIT, "刘芳", "女", "专职社区工作者", "2123456", "2024-03-01", ""]])})
    assert phones.INVALID_MESSAGE in response.content.decode()
    assert not CommunityWorker.objects.exists()


def test_it_rehashes_stored_worker_phones_in_the_migration(world: World) -> None:
    old = CommunityWorker.objects.create(unit_id=BOB_UNIT, name="旧号码", gender="M", position="full_time",
                                         started_on=dt.date(2020, 1, 1), phone_enc=encrypt("0318-2123456"),
                                         phone_hash=search_hash("0318-2123456"), phone_masked="031*****3456")
    import_module("workforce.migrations.0002_phones_canonical").canonical_phones(apps, None)
    old.refresh_from_db()
    assert old.phone_hash == search_hash("03182123456") and old.phone_masked == "031****3456"
    assert decrypt(old.phone_enc) == "03182123456"

"""The register's pages as a worker uses them: masked everywhere, reveal with a reason, forms in Chinese."""

import datetime as dt
from typing import Any

import pytest

from accounts.models import AuditEntry
from people import crypto, services
from people.models import Household, Resident, ResidentMove
from people.tests.factories import household, id_number, resident
from shequ.testing import rights
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

pytestmark = pytest.mark.django_db

def assert_masked(body: str) -> None:
    """No resident's full ID or phone number appears (landlines are checked without the area code too)."""
    for person in Resident.objects.all():
        number, phone = crypto.decrypt(person.id_number_enc), crypto.decrypt(person.phone_enc)
        assert not number or number not in body, "a full ID number is on the page"
        assert not phone or phone.split("-")[-1] not in body, "a full phone number is on the page"


def grant(user: Any, *codenames: str) -> Any:
    return rights.grant(user, *codenames)  # approved by a unit leader (accounts.rights)


def test_it_lists_residents_masked_with_filters_and_search(world, login):
    old = resident(name="赵老汉", birth=dt.date(1940, 1, 2), tags="独居、残疾:视力:1")
    young = resident(name="赵小妹", birth=dt.date(2015, 6, 1), gender="F", phone="13955556666")
    resident(ALICE_UNIT, name="游园居民")
    client = login(world.carl)
    body = client.get("/people/residents/").content.decode()
    assert "赵老汉" in body and "赵小妹" in body and "游园居民" in body
    assert old.id_number_masked in body and "139****6666" in body
    assert_masked(body)
    assert "赵小妹" not in client.get("/people/residents/?tag=aged_80").content.decode()
    assert "赵老汉" not in client.get("/people/residents/?tag=minor").content.decode()
    assert "赵小妹" not in client.get("/people/residents/?tag=living_alone").content.decode()
    assert "游园居民" not in client.get(f"/people/residents/?unit={BOB_UNIT}").content.decode()
    assert "赵老汉" not in client.get("/people/residents/?min_age=0&max_age=17").content.decode()
    # Search: part of a name, the exact ID number, the exact phone.
    assert "赵小妹" not in client.get("/people/residents/?q=老汉").content.decode()
    number = crypto.decrypt(young.id_number_enc)
    found = client.get(f"/people/residents/?q={number}").content.decode()
    assert "赵小妹" in found and "赵老汉" not in found
    found = client.get("/people/residents/?q=139 5555 6666").content.decode()
    assert "赵小妹" in found and "赵老汉" not in found
    partial = client.get("/people/residents/?q=1395555").content.decode()
    assert "赵小妹" not in partial  # a phone number is found only whole
    htmx = client.get("/people/residents/?q=老汉", HTTP_HX_REQUEST="true").content.decode()
    assert "赵老汉" in htmx and "<html" not in htmx


def test_it_keeps_the_list_to_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    from people import selectors

    def run() -> None:
        page = selectors.resident_page(world.carl, selectors.ResidentFilters(tags=["disabled"]), 1)
        for row in page.rows:
            list(row.tags.all())
            _ = row.unit.name

    for n in range(3):
        resident(name="甲" + "一二三"[n], tags="残疾:肢体:3")
    run()  # the user's unit and permissions are loaded once per request
    with django_assert_num_queries(2):  # page + tags (a short page needs no count)
        run()
    for n in range(25):
        resident(ALICE_UNIT if n % 2 else BOB_UNIT, name="乙", tags="残疾")
    with django_assert_num_queries(3):  # page + tags + capped count
        run()
    # The whole page: the same number of queries for 3 rows or 20 rows.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.carl)
    counts = []
    for query in ("?unit=131102001045&tag=disabled", "?tag=disabled"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/people/residents/" + query).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1] - 1  # only the capped count is added when the page is full


def test_it_hides_restricted_tags_from_those_without_the_right(world, login):
    person = resident(name="受限标签人", tags="社区矫正对象、独居")
    body = login(world.bob).get(f"/people/residents/{person.pk}/").content.decode()
    assert "独居" in body and "社区矫正" not in body
    listed = login(world.bob).get("/people/residents/?tag=community_corrections").content.decode()
    assert "受限标签人" not in listed
    bob = grant(world.bob, "view_restricted_tags")
    assert "社区矫正" in login(bob).get(f"/people/residents/{person.pk}/").content.decode()


def test_it_shows_the_detail_masked_and_reveals_with_a_reason(world, login):
    home = household(number="8-2-301", address="桥东路8号")
    person = resident(name="钱大爷", household_id=home.pk, relation="head", tags="特殊困难老年人:失能")
    number = crypto.decrypt(person.id_number_enc)
    client = login(world.bob)
    body = client.get(f"/people/residents/{person.pk}/").content.decode()
    assert "钱大爷" in body and "8-2-301" in body and "失能" in body and "60岁及以上" in body
    assert_masked(body)
    assert "查看理由" not in body  # bob has no right to reveal
    assert client.post(f"/people/residents/{person.pk}/reveal/", {"reason": "核实高龄津贴"}).status_code == 403
    bob = grant(world.bob, "reveal_personal_data")
    client = login(bob)
    refused = client.post(f"/people/residents/{person.pk}/reveal/", {"reason": ""}).content.decode()
    assert "请说明查看理由" in refused and number not in refused
    shown = client.post(f"/people/residents/{person.pk}/reveal/", {"reason": "核实高龄津贴申请"})
    assert number in shown.content.decode() and "13800138000" in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    again = client.get(f"/people/residents/{person.pk}/").content.decode()
    assert_masked(again)
    assert "核实高龄津贴申请" in again  # the reveal audit on the page
    assert AuditEntry.objects.filter(action="people.reveal", detail__reason="核实高龄津贴申请").count() == 1


def test_it_registers_a_resident_through_the_form(world, login):
    home = household(number="5-1-101")
    client = login(world.bob)
    assert client.get("/people/residents/new/").status_code == 200
    number = id_number(dt.date(1980, 2, 29), "F")
    response = client.post("/people/residents/new/", {
        "name": "孙丽", "id_type": "id_card", "id_number": number, "unit_code": BOB_UNIT, "phone": "0318-2123456",
        "household_number": "5-1-101", "relation": "spouse", "tags": ["unemployed"], "registered_here": "on",
    })
    person = Resident.objects.get(name="孙丽")
    assert response.status_code == 302 and response["Location"] == f"/people/residents/{person.pk}/"
    assert person.household == home and person.gender == "F" and person.birth_date == dt.date(1980, 2, 29)


@pytest.mark.parametrize(("changes", "message"), [
    ({"id_number": "131102198002290001"}, "校验位"),
    ({"gender": "M"}, "性别与身份证号码不符"),
    ({"birth_date": "1980-03-01"}, "出生日期与身份证号码不符"),
    ({"phone": "1234"}, "11位手机号码"),
    ({"household_number": "无此户"}, "没有这个户编号"),
    ({"name": ""}, "请填写姓名"),
    ({"tags": ["left_behind_child"]}, "不满16周岁"),
    ({"tags": ["disabled"], "disability_category": "physical", "disability_grade": ""}, "1至4级"),
    ({"birth_date": "1980-02-30"}, "出生日期格式"),
])
def test_it_shows_chinese_errors_and_writes_nothing(world, login, changes, message):
    form = {"name": "孙丽", "id_type": "id_card", "id_number": id_number(dt.date(1980, 2, 29), "F"), "unit_code": BOB_UNIT,
            "relation": "other"}
    form.update(changes)
    response = login(world.bob).post("/people/residents/new/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Resident.objects.exists()


def test_it_edits_without_ever_showing_the_full_numbers(world, login):
    person = resident(name="周强")
    client = login(world.bob)
    page = client.get(f"/people/residents/{person.pk}/edit/").content.decode()
    assert_masked(page)
    response = client.post(f"/people/residents/{person.pk}/edit/", {
        "name": "周强国", "id_type": "id_card", "relation": "other", "phone": "", "tags": ["veteran"]})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "周强国" and crypto.decrypt(person.phone_enc) == "13800138000"
    assert list(person.tags.values_list("tag", flat=True)) == ["veteran"]
    client.post(f"/people/residents/{person.pk}/edit/", {"name": "周强国", "id_type": "id_card", "relation": "other",
                                                         "clear_phone": "on"})
    person.refresh_from_db()
    assert person.phone_enc == "" and person.phone_masked == ""


def test_it_moves_a_resident_between_communities_on_the_web(world, login):
    person = resident(name="吴迁")
    client = login(world.bob)
    bad = client.post(f"/people/residents/{person.pk}/move/", {"to_unit_code": BOB_UNIT, "moved_on": "2024-04-01"})
    assert bad.status_code == 400 and "相同" in bad.content.decode()
    response = client.post(f"/people/residents/{person.pk}/move/", {
        "to_unit_code": ALICE_UNIT, "moved_on": "2024-04-01", "current_address": "游园新村3号"})
    assert response.status_code == 302 and response["Location"] == "/people/moves/"
    assert client.get(f"/people/residents/{person.pk}/").status_code == 404
    trace = client.get("/people/moves/").content.decode()
    assert "吴迁" in trace and "2024-04-01" in trace and "游园新村" not in trace and "游园社区" not in trace
    detail = login(world.alice).get(f"/people/residents/{person.pk}/").content.decode()
    assert "游园新村3号" in detail and "迁移" in detail and "桥东" in detail
    assert Resident.objects.count() == 1 and ResidentMove.objects.count() == 1


def test_it_records_death_on_the_web(world, login):
    person = resident(name="郑故")
    client = login(world.bob)
    assert client.post(f"/people/residents/{person.pk}/status/", {"status": "deceased"}).status_code == 400
    assert client.post(f"/people/residents/{person.pk}/status/", {"status": "deceased", "on": "2025-01-02"}).status_code == 302
    person.refresh_from_db()
    assert person.status == "deceased" and person.status_date == dt.date(2025, 1, 2)
    assert "郑故" not in client.get("/people/residents/").content.decode()
    assert "郑故" in client.get("/people/residents/?status=deceased").content.decode()


def test_it_manages_households_with_members(world, login):
    client = login(world.bob)
    response = client.post("/people/households/new/", {"unit_code": BOB_UNIT, "number": "3-1-202", "building": "3",
                                                        "is_registered": "on"})
    home = Household.objects.get(number="3-1-202")
    assert response.status_code == 302
    duplicate = client.post("/people/households/new/", {"unit_code": BOB_UNIT, "number": "3-1-202"})
    assert duplicate.status_code == 400 and "已有该户编号" in duplicate.content.decode()
    head = resident(name="冯户主", household_id=home.pk, relation="head")
    resident(name="冯女儿", household_id=home.pk, relation="child", birth=dt.date(2010, 1, 1), gender="F")
    page = client.get(f"/people/households/{home.pk}/").content.decode()
    assert "冯户主" in page and "冯女儿" in page and "未成年人" in page
    assert_masked(page)
    assert "3-1-202" in client.get("/people/households/").content.decode()
    edit = client.post(f"/people/households/{home.pk}/edit/", {"number": "3-1-202", "room": "202", "head_id": head.pk,
                                                               "lat": "37.7", "lng": ""})
    assert edit.status_code == 400 and "经纬度须同时填写" in edit.content.decode()


def test_it_lets_the_security_admin_ask_for_rights(world, login):
    from accounts.models import DataRightGrant

    assert login(world.cindy).get("/people/rights/").status_code == 404
    type(world.tom).objects.filter(pk=world.tom.pk).update(is_unit_leader=True)  # bob's township
    client = login(world.sue)
    page = client.get("/people/rights/").content.decode()
    assert "bob" in page and "查看完整证件号码与电话" in page
    client.post(f"/people/rights/{world.bob.pk}/", {"reveal_personal_data": "on", "view_restricted_tags": "on"})
    bob = type(world.bob).objects.get(pk=world.bob.pk)
    assert not bob.has_perm("people.reveal_personal_data")  # the unit leader has not approved yet
    assert DataRightGrant.objects.filter(user=world.bob, approved_at__isnull=True).count() == 2
    client.post(f"/people/rights/{world.bob.pk}/", {})
    assert not DataRightGrant.objects.filter(user=world.bob, ended_at__isnull=True).exists()


def test_it_offers_navigation_to_those_who_can_use_it(world):
    from people.nav import items

    assert [i["label"] for i in items(world.bob)] == ["居民登记", "户", "导入导出任务"]
    assert [i["label"] for i in items(world.sue)] == ["人员数据权限"]
    assert items(world.erin) == [] and items(world.rita) == []


def test_it_works_in_elder_mode(world, login):
    world.bob.elder_mode = True
    world.bob.save(update_fields=["elder_mode"])
    person = resident(name="长辈模式")
    body = login(world.bob).get(f"/people/residents/{person.pk}/").content.decode()
    assert 'class="elder"' in body and "长辈模式" in body
    services.update_resident(actor=world.bob, resident=person, data={"name": "长辈模式二"})


def test_it_moves_a_resident_in_from_another_community(world, login):
    from web.models import Notification

    person = resident(name="迁入者")
    number = crypto.decrypt(person.id_number_enc)
    client = login(world.alice)
    wrong_name = client.post("/people/residents/move-in/", {"id_number": number, "name": "别人", "to_unit_code": ALICE_UNIT,
                                                            "moved_on": "2024-06-01"})
    assert wrong_name.status_code == 400 and "未找到与该证件号码和姓名相符" in wrong_name.content.decode()
    outside = client.post("/people/residents/move-in/", {"id_number": number, "name": "迁入者", "to_unit_code": BOB_UNIT,
                                                         "moved_on": "2024-06-01"})
    assert outside.status_code == 400
    assert Resident.objects.get(pk=person.pk).unit_id == BOB_UNIT
    done = client.post("/people/residents/move-in/", {"id_number": number.lower(), "name": "迁入者", "to_unit_code": ALICE_UNIT,
                                                      "moved_on": "2024-06-01", "current_address": "游园小区2号"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.unit_id == ALICE_UNIT and Resident.objects.count() == 1
    assert ResidentMove.objects.get(resident=person).from_unit_id == BOB_UNIT
    note = Notification.objects.get(user=world.bob)
    assert "迁" in note.title and "游园" not in note.body and "迁入者" not in note.body
    again = client.post("/people/residents/move-in/", {"id_number": number, "name": "迁入者", "to_unit_code": ALICE_UNIT,
                                                       "moved_on": "2024-06-02"})
    assert "已在您的辖区内" in again.content.decode()


def test_it_never_shows_full_numbers_on_any_page(world, login):
    home = household(number="扫描户")
    person = resident(name="扫描人", household_id=home.pk, relation="head", phone="0318-7654321")
    moved = resident(name="迁走人")
    services.set_status(actor=world.bob, resident=moved, status="moved_out", on=dt.date(2024, 1, 1))
    client = login(world.carl)
    pages = ["/people/residents/", "/people/residents/?status=", f"/people/residents/{person.pk}/",
             f"/people/residents/{person.pk}/edit/", f"/people/residents/{person.pk}/move/",
             f"/people/residents/{person.pk}/status/", "/people/residents/new/", "/people/residents/move-in/",
             "/people/households/", f"/people/households/{home.pk}/", f"/people/households/{home.pk}/edit/",
             "/people/moves/", f"/api/people/residents/{person.pk}", "/api/people/residents?status=",
             f"/api/people/households/{home.pk}", "/api/people/households", "/api/people/moves"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_masked(response.content.decode())

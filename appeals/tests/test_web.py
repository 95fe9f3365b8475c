import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from appeals import services
from appeals.models import Appeal, Photo
from appeals.tests.conftest import image_bytes
from appeals.tests.helpers import file, resident_for
from shequ.testing.world import ALICE_UNIT, BOB_UNIT
from web.notify import LocmemSMSBackend

pytestmark = pytest.mark.django_db


def test_it_lets_an_anonymous_resident_file_with_a_phone_and_track_it(client: Client, tree: None) -> None:
    page = client.get("/appeals/new/")
    assert page.status_code == 200 and "我要反映" in page.content.decode()
    response = client.post("/appeals/new/", {
        "category": "municipal", "description": "路口路灯坏了", "location_kind": "address", "address": "人民路路口",
        "community": BOB_UNIT, "phone": "13811112222",
        "photos": [SimpleUploadedFile("p.jpg", image_bytes(exif=True), content_type="image/jpeg")],
    }, follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    appeal = Appeal.objects.get()
    assert appeal.tracking_no in response.content.decode()
    assert appeal.unit_id == BOB_UNIT and Photo.objects.filter(appeal=appeal).count() == 1
    assert LocmemSMSBackend.outbox and appeal.tracking_no in LocmemSMSBackend.outbox[-1][1]
    found = client.post("/appeals/track/", {"no": appeal.tracking_no, "phone": "13811112222"}).content.decode()
    assert "路口路灯坏了" in found and "提交诉求" in found
    wrong = client.post("/appeals/track/", {"no": appeal.tracking_no, "phone": "13900000000"}).content.decode()
    assert "路口路灯坏了" not in wrong and "没有找到" in wrong


def test_it_shows_errors_and_stores_nothing_for_bad_filing(client: Client, tree: None) -> None:
    response = client.post("/appeals/new/", {
        "category": "nope", "description": "x", "location_kind": "address", "address": "a", "community": BOB_UNIT})
    assert "未知的诉求类别" in response.content.decode()
    response = client.post("/appeals/new/", {
        "category": "noise", "description": "x", "location_kind": "address", "address": "a", "community": BOB_UNIT})
    assert "手机号" in response.content.decode()
    response = client.post("/appeals/new/", {
        "category": "noise", "description": "x", "location_kind": "address", "address": "a", "community": BOB_UNIT,
        "phone": "13811112222", "photos": [SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")]})
    assert "不是有效的 JPEG 或 PNG" in response.content.decode()
    assert not Appeal.objects.exists()


def test_it_suggests_categories_as_the_resident_types(client: Client, tree: None) -> None:
    body = client.get("/appeals/suggest/", {"description": "楼上装修电钻声太吵了，晚上十点还在施工"}).content.decode()
    assert "噪声扰民" in body and body.count("data-code") == 3
    assert client.get("/appeals/suggest/", {"description": "  "}).content.decode().strip() == ""
    communities = client.get("/appeals/communities/", {"q": "桥东"}).content.decode()
    assert BOB_UNIT in communities


def test_it_classifies_over_the_api_without_login(client: Client, tree: None) -> None:
    response = client.post("/api/appeals/classify", {"text": "小区电梯坏了三天没人修"}, content_type="application/json")
    ranked = response.json()["categories"]
    assert response.status_code == 200 and len(ranked) == 20 and ranked[0]["code"] == "property"
    assert ranked[0]["score"] >= ranked[1]["score"]
    assert client.post("/api/appeals/classify", {"text": " "}, content_type="application/json").status_code == 400


def test_it_lets_a_signed_in_resident_file_from_home_follow_and_rate(world, login) -> None:
    resident_for(world.rita, ALICE_UNIT)
    client = login(world.rita)
    response = client.post("/appeals/new/", {"category": "noise", "description": "楼上半夜装修", "location_kind": "home"}, follow=True)
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.unit_id == ALICE_UNIT and appeal.submitter == world.rita
    assert appeal.tracking_no in client.get("/appeals/mine/").content.decode()
    services.accept(appeal=appeal, actor=world.alice)
    services.reply(appeal=appeal, actor=world.alice, text="已上门劝导")
    page = client.get(f"/appeals/mine/{appeal.tracking_no}/").content.decode()
    assert "已上门劝导" in page and "签收" in page and "非常满意" in page
    client.post(f"/appeals/mine/{appeal.tracking_no}/rate/", {"level": "5", "comment": "很快"})
    appeal.refresh_from_db()
    assert appeal.state == "closed" and appeal.final_rating == 5


def test_it_lets_staff_work_a_request_from_the_inbox(world, login) -> None:
    appeal = file(None, text="<b>垃圾</b>堆在楼下")
    client = login(world.bob)
    inbox = client.get("/appeals/").content.decode()
    assert appeal.tracking_no in inbox and "&lt;b&gt;垃圾" in inbox
    detail = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "138****1111" in detail and "13800001111" not in detail and "环境卫生" in detail
    client.post(f"/appeals/{appeal.pk}/accept/", {"note": "收到"})
    client.post(f"/appeals/{appeal.pk}/reply/", {"note": "已清理"})
    appeal.refresh_from_db()
    assert appeal.state == "replied"
    response = client.post(f"/appeals/{appeal.pk}/accept/", {}, follow=True)
    assert "不能签收" in response.content.decode()
    client.post(f"/appeals/{appeal.pk}/close/", {"resolved": "1"})
    appeal.refresh_from_db()
    assert appeal.state == "closed" and appeal.resolved
    assert client.post(f"/appeals/{appeal.pk}/fly/", {}).status_code == 404


def test_it_keeps_residents_out_of_the_staff_pages(world, login) -> None:
    appeal = file(world.rita, unit=ALICE_UNIT)
    client = login(world.rita)
    assert client.get("/appeals/").status_code == 404
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 404
    assert client.post(f"/appeals/{appeal.pk}/accept/").status_code == 404


def test_it_lets_staff_register_a_phone_call(world, login) -> None:
    client = login(world.bob)
    assert client.get("/appeals/intake/").status_code == 200
    response = client.post("/appeals/intake/", {
        "channel": "phone", "category": "dispute", "description": "邻居占用楼道", "location_kind": "address",
        "address": "桥东小区", "community": BOB_UNIT, "contact_name": "李先生", "phone": "13700001111"})
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and appeal.channel == "phone" and appeal.registered_by == world.bob


def test_it_offers_duplicates_to_merge(world, login) -> None:
    original = file(None, location_kind="point", lat=37.74, lng=115.70)
    dup = file(None, location_kind="point", lat=37.7405, lng=115.7005, phone="13900000001")
    client = login(world.bob)
    page = client.get(f"/appeals/{dup.pk}/").content.decode()
    assert "疑似重复" in page and original.tracking_no in page
    client.post(f"/appeals/{dup.pk}/merge/", {"into": original.pk})
    dup.refresh_from_db()
    assert dup.merged_into == original


def test_it_shows_the_dashboard_and_exports_it(world, login) -> None:
    file(None)
    client = login(world.carl)
    page = client.get("/appeals/dashboard/").content.decode()
    assert "响应率" in page and "河东街道" in page
    response = client.get("/appeals/dashboard/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert any(r and "河东街道" in r for r in rows) and any(r and r[0] == "合计" for r in rows)
    assert login(world.alice).get("/appeals/dashboard/?unit=131102002000").status_code == 404


def test_it_shows_the_nav_to_the_right_people(world) -> None:
    from appeals.nav import items

    assert [i["label"] for i in items(world.rita)] == ["我要反映", "我的诉求"]
    assert [i["label"] for i in items(world.bob)] == ["接诉即办"]
    assert items(world.sam) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_fits_the_filing_form_on_a_375px_phone_in_elder_mode(chromium_page, tree) -> None:
    page = chromium_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{page.base_url}/appeals/new/")
    page.get_by_label("诉求内容").fill("小区电梯坏了好几天了")
    page.wait_for_selector("#suggest button")
    page.wait_for_load_state("networkidle")
    assert "物业管理" in page.inner_text("#suggest")
    from playwright.sync_api import expect

    page.locator("#suggest button", has_text="物业管理").click()
    expect(page.locator("#id_category")).to_have_value("property")
    page.locator("#pick-map").click()  # no tiles configured: the map still takes a point
    assert page.locator("#id_lat").input_value() and page.locator("[name=location_kind][value=point]").is_checked()
    page.get_by_role("button", name="长辈模式").click()
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375


def test_it_seeds_demo_requests_once(tree: None) -> None:
    from django.core.management import call_command

    call_command("seed_appeals", count=20)
    first = list(Appeal.objects.order_by("token").values_list("token", "category__code", "state", "unit_id"))
    assert len(first) == 20 and len({row[2] for row in first}) >= 4
    call_command("seed_appeals", count=20)
    assert list(Appeal.objects.order_by("token").values_list("token", "category__code", "state", "unit_id")) == first


def test_it_lets_a_resident_without_an_account_rate_with_number_and_phone(client: Client, world) -> None:
    appeal = file(None, phone="13811112222")
    services.accept(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已清运")
    page = client.post("/appeals/track/", {"no": appeal.tracking_no, "phone": "13811112222"}).content.decode()
    assert "已清运" in page and "提交评价" in page
    client.post("/appeals/track/rate/", {"no": appeal.tracking_no, "phone": "13900000000", "level": "1"})
    appeal.refresh_from_db()
    assert appeal.state == "replied"
    client.post("/appeals/track/rate/", {"no": appeal.tracking_no, "phone": "138 1111 2222", "level": "4", "comment": "好"})
    appeal.refresh_from_db()
    assert appeal.state == "closed" and appeal.final_rating == 4


def test_it_attaches_photos_to_any_step_and_refuses_bad_ones_without_acting(world, login) -> None:
    appeal = file(None)
    client = login(world.bob)
    client.post(f"/appeals/{appeal.pk}/accept/", {"photos": [SimpleUploadedFile("x.jpg", b"not an image")]})
    appeal.refresh_from_db()
    assert appeal.state == "submitted"
    client.post(f"/appeals/{appeal.pk}/accept/", {"photos": [SimpleUploadedFile("x.png", image_bytes("PNG"))]})
    appeal.refresh_from_db()
    assert appeal.state == "accepted"
    assert Photo.objects.get(appeal=appeal).event.action == "accept"


def test_it_lists_the_inbox_in_a_fixed_number_of_queries(world, login, django_assert_max_num_queries) -> None:
    for n in range(15):
        file(None, phone=f"1390000{n:04d}")
    client = login(world.bob)
    with django_assert_max_num_queries(14):
        response = client.get("/appeals/?state=all")
    assert response.content.decode().count("/appeals/") >= 15


def test_it_counts_waiting_requests_on_the_home_page(world, login) -> None:
    from appeals.nav import cards

    file(None)
    assert cards(world.bob)[0]["value"] == 1 and cards(world.alice)[0]["value"] == 0
    assert cards(world.rita)[0]["value"] == 0 and cards(world.sam) == []
    assert "待签收诉求" in login(world.bob).get("/").content.decode()


def test_it_reveals_the_full_phone_to_the_handler_only_and_audits_it(world, login) -> None:
    from accounts.models import AuditEntry

    appeal = file(None, phone="13811112222")
    response = login(world.bob).post(f"/appeals/{appeal.pk}/reveal/")
    assert response.content.decode() == "13811112222"
    assert AuditEntry.objects.filter(action="appeals.reveal_phone", actor=world.bob).count() == 1
    assert login(world.alice).post(f"/appeals/{appeal.pk}/reveal/").status_code == 404


def test_a_wrong_phone_does_not_reveal_that_a_tracking_number_exists(client: Client, world) -> None:
    appeal = file(None, phone="13811112222")
    services.accept(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已清运")
    wrong_phone = client.post("/appeals/track/rate/", {"no": appeal.tracking_no, "phone": "13900000000", "level": "1"}, follow=True)
    no_such = client.post("/appeals/track/rate/", {"no": "209901010001", "phone": "13900000000", "level": "1"}, follow=True)
    assert "没有找到该编号的诉求" in wrong_phone.content.decode()
    assert "没有找到该编号的诉求" in no_such.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == "replied"

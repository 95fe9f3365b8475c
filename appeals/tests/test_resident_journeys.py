"""Resident journeys (issue 21): filing once means once, a resident reachable by phone, timelines in Chinese."""

import pytest
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from appeals.models import Appeal
from appeals.tests.helpers import resident_for
from people.crypto import decrypt
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

pytestmark = pytest.mark.django_db
FORM = {"category": "municipal", "description": "人民路路口路灯坏了", "location_kind": "address", "address": "人民路路口",
        "community": BOB_UNIT, "phone": "13811112222"}


def test_it_shows_the_receipt_again_on_reload_without_filing_twice(client: Client, tree: None) -> None:
    response = client.post("/appeals/new/", FORM)
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.tracking_no not in response["Location"] and "13811112222" not in response["Location"]
    for _ in range(2):  # the reload is a GET of the receipt
        page = client.get(response["Location"]).content.decode()
        assert "诉求已受理" in page and appeal.tracking_no in page
    assert Appeal.objects.count() == 1
    stranger = Client().get(response["Location"]).content.decode()
    assert appeal.tracking_no not in stranger and "诉求已受理" not in stranger


def test_it_refuses_the_same_request_sent_again_within_minutes(client: Client, tree: None) -> None:
    client.post("/appeals/new/", FORM)
    again = Client().post("/appeals/new/", {**FORM, "phone": "138 1111 2222"})  # another browser, the same phone
    page = again.content.decode()
    assert again.status_code == 200 and "已提交过内容和地点相同的诉求" in page and "无需重复提交" in page
    assert Appeal.objects.count() == 1
    Client().post("/appeals/new/", {**FORM, "description": "人民路路口井盖丢了"})  # a different request goes through
    assert Appeal.objects.count() == 2


def test_it_reaches_a_signed_in_resident_at_the_registers_phone_or_asks_for_one(world, login) -> None:
    resident_for(world.rita, ALICE_UNIT, phone="13700007777")
    client = login(world.rita)
    client.post("/appeals/new/", {"category": "noise", "description": "楼上半夜装修", "location_kind": "home"})
    assert decrypt(Appeal.objects.get().phone_enc) == "13700007777"

    newcomer = User.objects.create_user(username="ruth", password="x", role=Role.RESIDENT, unit_id=ALICE_UNIT)
    resident_for(newcomer, ALICE_UNIT, phone="")
    client = login(newcomer)
    page = client.post("/appeals/new/", {"category": "noise", "description": "楼下烧烤油烟大", "location_kind": "home"})
    assert "请留下手机号码" in page.content.decode()
    assert Appeal.objects.count() == 1


def test_it_shows_the_timeline_states_in_chinese_on_track_mine_and_staff_pages(world, login) -> None:
    from appeals import services
    from appeals.tests.helpers import file

    appeal = file(world.rita, unit=BOB_UNIT)
    services.accept(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已修好")
    pages = {
        "track": Client().post("/appeals/track/", {"no": appeal.tracking_no, "phone": "13800001111"}).content.decode(),
        "mine": login(world.rita).get(f"/appeals/mine/{appeal.tracking_no}/").content.decode(),
        "staff": login(world.bob).get(f"/appeals/{appeal.pk}/").content.decode(),
    }
    for name, page in pages.items():
        timeline = page[page.index('<ol class="timeline">'):]
        assert '<span class="tag">待签收</span>' in timeline and '<span class="tag">已答复</span>' in timeline, name
        for raw in ("submitted", "accepted", "replied"):
            assert f'<span class="tag">{raw}</span>' not in timeline, (name, raw)


def test_it_shows_rates_one_way_on_the_dashboard_and_exports_them_as_numbers(world, login) -> None:
    import io

    from openpyxl import load_workbook

    from appeals import services
    from appeals.tests.helpers import file

    services.accept(appeal=file(None), actor=world.bob)
    client = login(world.carl)
    page = client.get("/appeals/dashboard/").content.decode()
    ranking = page[page.index("乡镇（街道）月度排名"):]
    assert "<td>100.0%</td>" in ranking and "<td>1.0</td>" not in ranking  # the ranking shows rates as the cards do
    assert "<dd>100.0%</dd>" in page
    response = client.get("/appeals/dashboard/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows())
    header = next(r for r in rows if r[0].value == "排名")
    column = [c.value for c in header].index("响应率")
    hedong = next(r for r in rows if r[2].value == "河东街道")
    assert hedong[column].value == 1.0 and hedong[column].number_format == "0.0%"

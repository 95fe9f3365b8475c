import json
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from facilities.models import CommunityProfile, Facility, FacilityPhoto, ServicePoint
from facilities.tests.helpers import facility, point

BOB_UNIT = "131102002018"
FORM = {
    "unit_code": BOB_UNIT, "name": "桥东社区党群服务中心", "kind": "comprehensive", "status": "in_use", "built_on": "2022-04-01",
    "building_area": "650", "activity_area": "420", "office_area": "90", "services": ["children_home", "police_office"],
    "has_ramp": "on", "lng": "115.70", "lat": "37.74",
    **{f"hours_{d}": "08:30-17:30" for d in ("mon", "tue", "wed", "thu", "fri")}, "hours_sat": "09:00-12:00",
}


def png(size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    stream = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(stream, format="PNG")
    return SimpleUploadedFile("hall.png", stream.getvalue(), content_type="image/png")


def test_it_registers_a_facility_through_the_form_and_shows_it(world, login) -> None:
    client = login(world.bob)
    response = client.post("/facilities/new/", FORM)
    assert response.status_code == 302
    hall = Facility.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "桥东社区党群服务中心" in page and "儿童之家" in page and "无障碍坡道" in page and "09:00-12:00" in page
    assert hall.min_weekday_minutes == 540
    assert "桥东社区党群服务中心" in login(world.tom).get("/facilities/?kind=comprehensive").content.decode()
    assert "桥东社区党群服务中心" not in login(world.tom).get("/facilities/?kind=fitness").content.decode()


@pytest.mark.parametrize(("change", "message"), [
    ({"activity_area": "700"}, "居民活动区域面积不能大于建筑面积"),
    ({"hours_mon": "8点半"}, "格式应为 HH:MM-HH:MM"),
    ({"unit_code": "131102001045"}, "不在您的管辖范围内"),
    ({"status": "closed"}, "停用的设施应填写停用日期"),
    ({"lat": "115.7", "lng": "37.74"}, "填反"),
    ({"name": ""}, "这个字段是必填项"),
])
def test_it_explains_bad_input_in_chinese_and_saves_nothing(world, login, change, message) -> None:
    response = login(world.bob).post("/facilities/new/", FORM | change)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Facility.objects.exists()


def test_it_edits_a_facility_and_records_who_did_it(world, login) -> None:
    from accounts.models import AuditEntry

    hall = facility(BOB_UNIT, "桥东服务站")
    client = login(world.bob)
    form = client.get(f"/facilities/{hall.pk}/edit/").content.decode()
    assert "桥东服务站" in form
    response = client.post(f"/facilities/{hall.pk}/edit/", FORM | {"name": "桥东服务站", "building_area": "800"})
    assert response.status_code == 302
    hall.refresh_from_db()
    assert float(hall.building_area) == 800
    assert AuditEntry.objects.filter(action="facilities.facility_update", actor=world.bob).exists()


def test_it_keeps_real_images_only(world, login) -> None:
    hall = facility(BOB_UNIT, "桥东服务站")
    client = login(world.bob)
    client.post(f"/facilities/{hall.pk}/photos/", {"image": png(), "caption": "正门"})
    photo = FacilityPhoto.objects.get()
    assert (photo.width, photo.height) == (40, 30)
    fake = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
    response = client.post(f"/facilities/{hall.pk}/photos/", {"image": fake}, follow=True)
    assert "不是有效的图片" in response.content.decode()
    assert FacilityPhoto.objects.count() == 1
    client.post(f"/facilities/photos/{photo.pk}/delete/")
    assert not FacilityPhoto.objects.exists()


def test_it_exports_the_list_as_the_import_template(world, login) -> None:
    facility(BOB_UNIT, "桥东服务站", services=("library_corner",))
    response = login(world.carl).get("/facilities/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("所属村（社区）代码", "设施名称", "设施类型")
    assert rows[1][:3] == (BOB_UNIT, "桥东服务站", "综合服务设施") and "图书阅览角" in rows[1]


def test_it_imports_from_the_page_and_reports_errors_without_writing(world, login) -> None:
    from facilities.importers import POINT_COLUMNS
    from facilities.tests.helpers import workbook

    client = login(world.bob)
    template = client.get("/facilities/templates/points/")
    assert template.status_code == 200
    good = workbook([c.header for c in POINT_COLUMNS], [[BOB_UNIT, "桥东药店", "药店", "", 115.7, 37.74, "08:00-21:00"]])
    good.name = "points.xlsx"
    assert client.post("/facilities/import/", {"which": "points", "file": good}).status_code == 302
    bad = workbook([c.header for c in POINT_COLUMNS], [[BOB_UNIT, "桥东超市", "超市", "", "", "", ""]])
    bad.name = "points.xlsx"
    response = client.post("/facilities/import/", {"which": "points", "file": bad})
    assert response.status_code == 400 and "不在可选值中" in response.content.decode()
    bad.seek(0)
    report = client.post("/facilities/import/", {"which": "points", "file": bad, "report": "1"})
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    assert list(ServicePoint.objects.values_list("name", flat=True)) == ["桥东药店"]


def test_it_computes_the_commercial_share_from_the_two_areas(world, login) -> None:
    client = login(world.bob)
    bad = client.post(f"/facilities/units/{BOB_UNIT}/profile/", {"total_building_area": "1000", "commercial_service_area": "2000"})
    assert bad.status_code == 400 and "不能大于社区总建筑面积" in bad.content.decode()
    client.post(f"/facilities/units/{BOB_UNIT}/profile/", {"total_building_area": "80000", "commercial_service_area": "9600"})
    assert CommunityProfile.objects.get().commercial_share == pytest.approx(0.12)
    page = client.get(f"/facilities/units/{BOB_UNIT}/").content.decode()
    assert "12%" in page and "商业和综合服务设施面积占社区总建筑面积比例" in page


def test_it_shows_the_map_with_and_without_tiles(world, login, settings) -> None:
    facility(BOB_UNIT, "桥东健身广场", kind="fitness", area=0, activity=0, office=0, lat=37.74, lng=115.70)
    point(BOB_UNIT, "桥东超市", lat=37.741, lng=115.701)
    client = login(world.tom)
    settings.MAP_TILE_URL = ""
    page = client.get(f"/facilities/units/{BOB_UNIT}/map/").content.decode()
    assert "未配置底图" in page and "leaflet.js" in page and "桥东健身广场" in page and "桥东超市" in page
    data = json.loads(page.split('id="map-data" type="application/json">')[1].split("</script>")[0])
    assert data["tiles"] == "" and data["radius"] == 1000 and data["facilities"][0]["fitness"] is True
    settings.MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    page = client.get("/facilities/units/131102002000/map/").content.decode()
    assert "tiles.example.test" in page and "未配置底图" not in page


def test_it_keeps_the_list_to_a_fixed_number_of_queries(world, login, django_assert_max_num_queries) -> None:
    for i in range(30):
        facility(BOB_UNIT, f"设施{i}")
    client = login(world.bob)
    client.get("/facilities/")
    with django_assert_max_num_queries(12):
        assert client.get("/facilities/").status_code == 200


def test_it_creates_lists_and_updates_through_the_api(world, login) -> None:
    client = login(world.bob)
    payload = {"unit_code": BOB_UNIT, "name": "桥东服务站", "kind": "comprehensive", "building_area": 620,
               "activity_area": 400, "opening_hours": ["08:00-17:00"] * 5 + ["", ""], "services": ["self_service_terminal"]}
    created = client.post("/api/facilities/facilities", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    listed = client.get(f"/api/facilities/facilities?unit={BOB_UNIT}").json()
    assert listed["count"] == 1 and listed["items"][0]["services"] == ["self_service_terminal"]
    bad = client.put(f"/api/facilities/facilities/{pk}", payload | {"activity_area": 999}, content_type="application/json")
    assert bad.status_code == 422 and "activity_area" in bad.json()["errors"]
    ok = client.put(f"/api/facilities/facilities/{pk}", payload | {"building_area": 700}, content_type="application/json")
    assert ok.json()["building_area"] == 700
    shares = {r["code"]: r for r in client.get(f"/api/facilities/units/{BOB_UNIT}/indicators").json()}
    assert shares["self_service_terminal_coverage"]["value"] == 1.0
    assert client.post("/api/facilities/points", {"unit_code": BOB_UNIT, "name": "快递驿站", "kind": "express_station"},
                       content_type="application/json").status_code == 201


def test_it_shows_residents_only_the_spaces_and_not_the_registers(world, login) -> None:
    client = login(world.rita)
    assert client.get("/facilities/").status_code == 404
    assert client.get("/facilities/spaces/").status_code == 200
    assert client.get("/api/facilities/facilities").status_code == 404


def test_it_fits_a_phone_screen_in_elder_mode(world, login) -> None:
    world.bob.elder_mode = True
    world.bob.save(update_fields=["elder_mode"])
    page = login(world.bob).get("/facilities/new/").content.decode()
    assert 'class="elder"' in page and 'name="viewport"' in page
    assert page.count("<label") >= 20


def test_it_shows_a_county_overview_without_loading_every_household(world, login) -> None:
    facility(BOB_UNIT, "桥东服务站")
    page = login(world.carl).get("/facilities/units/131102000000/").content.decode()
    assert "城市社区综合服务设施覆盖率" in page and "请在乡镇（街道）或村（社区）页面查看明细" in page
    township = login(world.carl).get("/facilities/units/131102002000/").content.decode()
    assert "健身场地" in township


def test_it_documents_the_api_in_openapi(client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/facilities/facilities" in schema["paths"] and "/api/facilities/spaces/{space_id}/bookings" in schema["paths"]

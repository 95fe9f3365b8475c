"""The map page in a real browser (Debian's Chromium through Playwright), phone-sized."""

from pathlib import Path

import pytest

from facilities.tests.helpers import facility, households, point
from shequ.testing.world import BOB_UNIT, PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RESULTS = Path("test-results")


def _sign_in(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{page.base_url}/")


def _map_fixture() -> None:
    facility(BOB_UNIT, "桥东社区党群服务中心", lat=37.7405, lng=115.7010)
    facility(BOB_UNIT, "桥东健身广场", kind="fitness", area=0, activity=0, office=0, lat=37.7380, lng=115.6960)
    facility(BOB_UNIT, "无坐标的活动室", kind="culture", area=0, activity=0, office=0)
    point(BOB_UNIT, "惠民超市", lat=37.7420, lng=115.7040)
    point(BOB_UNIT, "桥东快递驿站", "express_station", lat=37.7360, lng=115.7050)
    households(BOB_UNIT, [(37.7390, 115.6970), (37.7600, 115.7300)])


def test_it_draws_points_and_circles_without_tiles_on_a_phone(chromium_page, tree, world: World, settings) -> None:
    settings.MAP_TILE_URL = ""
    _map_fixture()
    page = chromium_page
    page.set_viewport_size({"width": 375, "height": 800})
    _sign_in(page, "bob")
    page.goto(f"{page.base_url}/facilities/units/{BOB_UNIT}/map/")
    page.wait_for_selector("#facility-map[data-ready]")
    assert page.locator("#facility-map").get_attribute("data-ready") == "4"
    # 2 facilities + 2 points as circle markers, 1 fitness circle: five vector shapes.
    assert page.locator("#facility-map path.leaflet-interactive").count() == 5
    assert page.locator(".leaflet-tile").count() == 0
    assert page.get_by_role("link", name="无坐标的活动室").is_visible()
    assert "未配置底图" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "facilities-map-no-tiles.png"), full_page=True)


def test_it_requests_tiles_from_the_configured_url(chromium_page, tree, world: World, settings) -> None:
    settings.MAP_TILE_URL = "/static/facilities/tile-test/{z}/{x}/{y}.png"
    _map_fixture()
    page = chromium_page
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, "tom")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if "tile-test" in r.url else None)
    page.goto(f"{page.base_url}/facilities/units/{BOB_UNIT}/map/")
    page.wait_for_selector("#facility-map[data-ready]")
    page.wait_for_timeout(300)
    assert requested and all(url.endswith(".png") for url in requested)
    assert page.locator("#facility-map path.leaflet-interactive").count() == 5
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "facilities-map-tiles.png"), full_page=True)


def test_a_resident_books_a_slot_on_a_small_phone_in_elder_mode(chromium_page, tree, world: World) -> None:
    import datetime as dt

    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from facilities import services
    from facilities.models import Booking

    services.create_space(actor=world.alice, unit=world.unit("131102001045"), name="游园社区多功能活动室", kind="room",
                          capacity=30, rule="free", host="游园社区党群服务中心")
    world.rita.elder_mode = True
    world.rita.save(update_fields=["elder_mode"])
    page = chromium_page
    page.set_viewport_size({"width": 375, "height": 800})
    _sign_in(page, "rita")
    page.get_by_role("link", name="场地预约").first.click()
    page.get_by_role("link", name="游园社区多功能活动室").click()
    when = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(10))
    page.get_by_label("开始时间").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("用途").fill("书法兴趣小组")
    page.get_by_label("人数").fill("8")
    page.get_by_role("button", name="提交预约").click()
    page.wait_for_url("**/facilities/bookings/*/")
    assert page.get_by_text("预约成功").is_visible()
    assert Booking.objects.get().status == "confirmed"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "facilities-booking-elder.png"), full_page=True)
    assert User.objects.filter(role=Role.RESIDENT).count() == 1

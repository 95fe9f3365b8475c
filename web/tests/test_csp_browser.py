"""F2: the main pages work under the Content-Security-Policy: no violation in the console, scripts still act."""

import pytest

from facilities.tests.helpers import facility
from shequ.testing.world import BOB_UNIT, PASSWORD, TAOCHENG, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{page.base_url}/")


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text or m.type == "error"
            and "favicon" not in m.text and "404" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    return problems


def test_it_loads_the_main_pages_without_a_policy_violation(chromium_page, tree, world: World, settings) -> None:
    from care import services as care_services
    from planning import services as planning_services

    settings.MAP_TILE_URL = ""
    planning_services.load_plan()
    facility(BOB_UNIT, "桥东社区党群服务中心", lat=37.7405, lng=115.7010)
    care_services.add_shelter(actor=world.bob, unit_code=BOB_UNIT, name="桥东公园", kind="park", capacity=300,
                              lat=37.74, lng=115.70, facilities=[])
    page = chromium_page
    page.set_viewport_size({"width": 1280, "height": 900})
    problems = _watch(page)
    page.goto(f"{page.base_url}/appeals/new/")  # the public filing form with the map picker
    page.wait_for_selector("#pick-map[data-ready]")
    page.locator("#pick-map").click(position={"x": 120, "y": 100})
    assert page.locator("#id_lat").input_value() != ""
    assert page.locator("[name=location_kind][value=point]").is_checked()
    assert page.locator("#geo").inner_text() == "已在地图上选点"
    page.get_by_label("诉求内容").fill("小区门口路灯不亮，晚上很黑")
    page.locator("#suggest button[data-code]").first.wait_for()
    chosen = page.locator("#suggest button[data-code]").first
    chosen.click()
    assert page.locator("#id_category").input_value() == chosen.get_attribute("data-code")
    _sign_in(page, "carl")
    for path, ready in [("/", "main"), ("/people/residents/", "main"),
                        (f"/facilities/units/{BOB_UNIT}/map/", "#facility-map[data-ready]"),
                        (f"/care/emergency/{BOB_UNIT}/", "#shelter-map[data-ready]"),
                        (f"/plan/units/{TAOCHENG}/indicators/rural_facility_coverage/", "#trend canvas"),
                        ("/api/docs", "#swagger-ui .info")]:
        page.goto(f"{page.base_url}{path}")
        page.wait_for_selector(ready)
        page.wait_for_timeout(200)
    page.goto(f"{page.base_url}/units/{TAOCHENG}/")
    expand = page.locator("button[data-expand-once]").first
    expand.click()
    expand.wait_for(state="hidden")
    assert expand.get_attribute("aria-expanded") == "true"
    page.context.clear_cookies()
    _sign_in(page, "sam")  # the system administrator's Django admin
    for path in ["/admin/", "/admin/appeals/category/", "/admin/appeals/calendarday/add/"]:
        page.goto(f"{page.base_url}{path}")
        page.wait_for_selector("#content")
    assert problems == []

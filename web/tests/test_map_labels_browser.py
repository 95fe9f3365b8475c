"""F2: a worker-chosen name on a map is shown as text, never run as HTML (Chromium through Playwright)."""

import pytest

from care import services as care_services
from facilities.tests.helpers import facility, point
from shequ.testing.world import BOB_UNIT, PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOSTILE = '<img src=x onerror="window.__xss=1">'


def _sign_in(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{page.base_url}/")


def test_it_shows_a_hostile_shelter_name_as_text_in_the_map_popup(chromium_page, tree, world: World, settings) -> None:
    settings.MAP_TILE_URL = ""
    care_services.add_shelter(actor=world.bob, unit_code=BOB_UNIT, name=HOSTILE, kind="park", capacity=300,
                              lat=37.74, lng=115.70, facilities=[])
    page = chromium_page
    _sign_in(page, "tom")
    page.goto(f"{page.base_url}/care/emergency/{BOB_UNIT}/")
    page.wait_for_selector("#shelter-map[data-ready]")
    page.locator("#shelter-map path.leaflet-interactive").first.click(force=True)
    popup = page.locator("#shelter-map .leaflet-popup-content")
    popup.wait_for()
    assert HOSTILE in popup.inner_text()
    assert popup.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_it_shows_hostile_facility_and_point_names_as_text_in_tooltips_and_popups(chromium_page, tree, world: World, settings) -> None:
    settings.MAP_TILE_URL = ""
    facility(BOB_UNIT, HOSTILE, lat=37.7405, lng=115.7010)
    point(BOB_UNIT, HOSTILE + "超市", lat=37.7420, lng=115.7040)
    page = chromium_page
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, "tom")
    page.goto(f"{page.base_url}/facilities/units/{BOB_UNIT}/map/")
    page.wait_for_selector("#facility-map[data-ready]")
    markers = page.locator("#facility-map path.leaflet-interactive")
    assert markers.count() == 2
    tooltips: list[str] = []
    popups: list[str] = []
    for index in range(2):
        markers.nth(index).hover(force=True)
        page.wait_for_timeout(200)
        tooltips += page.locator("#facility-map .leaflet-tooltip").all_inner_texts()
        markers.nth(index).click(force=True)
        page.wait_for_timeout(200)
        popups += page.locator("#facility-map .leaflet-popup-content").all_inner_texts()
    assert HOSTILE in tooltips and HOSTILE + "超市" in tooltips
    assert any(text.startswith(HOSTILE + "\n") for text in popups)
    assert any(text.startswith(HOSTILE + "超市\n") for text in popups)
    assert page.locator("#facility-map img:not(.leaflet-tile)").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"

"""A community worker in a real browser (Debian's Chromium through Playwright)."""

import re
from pathlib import Path

import pytest

from shequ.testing.world import ALICE_UNIT, BOB_UNIT, PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_sees_their_unit_not_another_and_can_enlarge_the_text(chromium_page, tree, world: World) -> None:
    page = chromium_page
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", name="我的辖区").is_visible()
    page.get_by_role("link", name="游园社区居民委员会").click()
    page.wait_for_url(f"{base}/units/{ALICE_UNIT}/")
    assert page.get_by_role("heading", name="游园社区居民委员会").is_visible()

    response = page.goto(f"{base}/units/{BOB_UNIT}/")
    assert response is not None and response.status == 404
    assert "桥东社区" not in page.content()

    page.goto(f"{base}/units/{ALICE_UNIT}/")
    size_before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("button", name="长辈模式").click()
    page.wait_for_url(f"{base}/units/{ALICE_UNIT}/")
    body = page.evaluate(
        "(() => { const s = getComputedStyle(document.body);"
        " return {size: parseFloat(s.fontSize), line: parseFloat(s.lineHeight)} })()"
    )
    heading = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    button = page.get_by_role("button", name="标准模式").bounding_box()
    assert body["size"] >= 18 > size_before
    assert body["line"] / body["size"] >= 1.3
    assert heading >= 30
    assert button is not None and button["height"] >= 60 and button["width"] >= 60
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/elder-mode.png", full_page=True)


def test_the_idle_warning_appears_before_sign_out(chromium_page, tree, world: World, settings) -> None:
    settings.SESSION_IDLE_SECONDS = 60
    settings.SESSION_WARNING_SECONDS = 55
    page = chromium_page
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    warning = page.get_by_role("alert").filter(has_text=re.compile("自动退出登录"))
    warning.wait_for(state="visible", timeout=40000)
    page.get_by_role("button", name="继续使用").click()
    page.locator("#idle-warning").wait_for(state="hidden", timeout=5000)
    left = page.evaluate("fetch('/accounts/session/').then(r => r.json()).then(j => j.seconds_left)")
    assert left > 55

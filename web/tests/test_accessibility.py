"""axe-core (the accessibility engine) finds no serious or critical problem on the main pages, in both modes."""

from pathlib import Path

import pytest

from shequ.testing.world import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/units/131102001045/", "/units/131102000000/", "/notifications/", "/accessibility/"]


def serious_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through DevTools: the page's CSP refuses inline script tags
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_main_pages_pass_axe_in_standard_and_elder_mode(chromium_page, tree, world: World) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = chromium_page
    base = page.base_url
    page.goto(f"{base}/")
    assert serious_violations(page) == [], "landing page"
    page.goto(f"{base}/accounts/login/")
    assert serious_violations(page) == [], "login page"
    page.get_by_label("用户名").fill("carl")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    for elder in (False, True):
        if elder:
            page.get_by_role("button", name="长辈模式").click()
            page.wait_for_load_state()
        for path in PAGES:
            page.goto(f"{base}{path}")
            assert serious_violations(page) == [], f"{path} (elder mode: {elder})"


def test_the_check_catches_a_real_problem(chromium_page) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = chromium_page
    page.set_content('<html lang="zh"><body><main><input type="text"><p style="color:#ccc;background:#fff">浅色文字</p></main></body></html>')
    found = serious_violations(page)
    assert any(v.startswith("label") for v in found) and any(v.startswith("color-contrast") for v in found)


@pytest.mark.parametrize("username", ["alice", "carl", "rita"])
def test_every_page_in_the_navigation_passes_axe(username: str, chromium_page, tree, world: World) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = chromium_page
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    links = page.eval_on_selector_all("#main-menu nav a", "els => els.map(e => e.getAttribute('href'))")
    assert len(links) >= 3
    problems = {}
    for href in dict.fromkeys(links):
        response = page.goto(f"{base}{href}")
        assert response is not None and response.status == 200, href
        found = serious_violations(page)
        if found:
            problems[href] = found
    assert problems == {}

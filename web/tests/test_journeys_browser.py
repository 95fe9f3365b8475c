"""Resident journeys walked in a real browser at 320 px, as a visitor would (issue 21)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_leads_a_visitor_from_the_home_page_to_each_service_in_one_tap(chromium_page, tree) -> None:
    page = chromium_page
    base = page.base_url
    page.set_viewport_size({"width": 320, "height": 640})
    for link, heading in (("我要反映", "我要反映"), ("查询办理进度", "查询办理进度"), ("服务目录", "服务目录"),
                          ("无障碍与长辈模式说明", "无障碍与长辈模式")):
        page.goto(f"{base}/")
        page.get_by_role("navigation", name="居民服务").get_by_role("link", name=link).click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, link
        assert page.get_by_role("heading", level=1).first.inner_text().startswith(heading), link
    page.goto(f"{base}/")
    page.get_by_role("contentinfo").get_by_role("link", name="无障碍与长辈模式说明").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    assert page.get_by_role("heading", name="无障碍与长辈模式").is_visible()


def test_it_lists_the_services_a_visitor_can_ask_for_with_their_deadlines(client, tree) -> None:
    page = client.get("/appeals/catalogue/").content.decode()
    assert "服务目录" in page and "我要反映" in page
    assert "个工作日内答复" in page


def test_it_announces_messages_in_a_list_axe_accepts(chromium_page, tree) -> None:
    from web.tests.test_accessibility import AXE, serious_violations

    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = chromium_page
    page.goto(f"{page.base_url}/appeals/track/")
    page.get_by_label("受理编号").fill("20260000000")
    page.get_by_label("提交时的手机号码").fill("13800000000")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert "没有找到该编号的诉求" in page.get_by_role("status").first.inner_text()
    assert serious_violations(page) == []


def test_it_keeps_the_language_switch_away_from_elder_mode_and_sign_out(chromium_page, tree) -> None:
    page = chromium_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{page.base_url}/")
    header = page.get_by_role("banner")
    assert header.get_by_role("button", name="长辈模式").is_visible()
    assert header.get_by_role("button", name="English").count() == 0
    switch = page.get_by_role("contentinfo").get_by_role("button", name="English")
    switch.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("contentinfo").get_by_role("button", name="切换为中文").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"


def test_it_shows_the_same_helpful_errors_on_a_workers_form(chromium_page, tree, world) -> None:
    from shequ.testing.world import PASSWORD

    page = chromium_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill("bob")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}/people/households/new/")
    required = page.locator("label:has(.required)")
    assert required.count() >= 1
    page.locator("form.form-grid button[type=submit]").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert").filter(has_text="请修改以下")
    assert summary.is_visible()
    links = summary.get_by_role("link")
    assert links.count() >= 1
    invalid = page.locator("form [aria-invalid='true']")
    assert 1 <= invalid.count() <= links.count()
    first = invalid.first
    assert page.evaluate("document.activeElement.id") == first.get_attribute("id")
    error = page.locator(f"#{first.get_attribute('aria-describedby').split()[-1]}")
    assert error.is_visible() and error.inner_text().strip()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

"""A worker records a visit on a 375px phone in elder mode (Debian's Chromium through Playwright)."""

import pytest

from care import services
from care.models import Visit, VisitRule
from care.periods import today
from care.tests.factories import resident
from shequ.testing.world import BOB_UNIT, PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_records_a_visit_on_a_small_phone_in_elder_mode(chromium_page, tree, world: World) -> None:
    page = chromium_page
    base = page.base_url
    # The default rule comes from a data migration, which an earlier transactional test's flush removes.
    VisitRule.objects.get_or_create(tag="special_hardship_elderly", defaults={"frequency": "month"})
    person = resident(BOB_UNIT, "special_hardship_elderly", name="王秀英")
    services.generate_visit_plans(month=today().replace(day=1))
    world.bob.elder_mode = True
    world.bob.save(update_fields=["elder_mode"])
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("bob")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/care/my/")
    assert page.get_by_role("heading", name="本月我的探访").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways ({width}px)"
    _shot(page, "care-my-visits")
    page.get_by_role("link", name="记录探访").click()
    page.wait_for_url(f"{base}/care/residents/{person.pk}/visit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label("电话").check()
    for check in ("身体状况", "居家安全", "生活条件"):  # nothing is pre-filled: the worker answers each check
        page.locator("fieldset", has_text=check).get_by_label("良好").check()
    page.locator("fieldset", has_text="精神状态").get_by_label("一般").check()
    page.get_by_label("需求").fill("想要老年餐")
    _shot(page, "care-visit-form")
    target = page.get_by_role("button", name="保存探访").bounding_box()
    assert target is not None and target["height"] >= 60
    page.get_by_role("button", name="保存探访").click()
    page.wait_for_url(f"{base}/care/residents/{person.pk}/")
    assert page.get_by_text("由 Bob 探访").is_visible()
    _shot(page, "care-resident")
    visit = Visit.objects.get()
    assert (visit.method, visit.mood, visit.needs) == ("phone", "fair", "想要老年餐")
    page.goto(f"{base}/care/compliance/{BOB_UNIT}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "care-compliance")


def _shot(page, name: str) -> None:
    from pathlib import Path

    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path=f"test-results/{name}.png", full_page=True)

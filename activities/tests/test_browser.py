"""A resident signs up to an activity on a phone-sized page in a real browser (Debian's Chromium through Playwright)."""

from pathlib import Path

import pytest

from activities.models import Participation
from activities.tests.factories import activity, resident_user
from shequ.testing.world import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RESULTS = Path("test-results")


def test_it_lets_a_resident_sign_up_on_a_phone(chromium_page, tree, world: World) -> None:
    ruth = resident_user()
    ruth.set_password(PASSWORD)
    ruth.save()
    a = activity(world, title="桥东老年大学智能手机课", kind="elderly_education", audience="elderly")
    page = chromium_page
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill("ruth")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{page.base_url}/")
    page.get_by_role("link", name="近期社区活动").click()
    page.get_by_role("link", name="桥东老年大学智能手机课").click()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "activities-detail-phone.png"), full_page=True)
    page.get_by_role("button", name="我要报名").click()
    page.wait_for_selector("text=报名成功")
    assert Participation.objects.filter(activity=a, account=ruth, status="signed_up").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

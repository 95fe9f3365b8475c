"""A worker finds and opens a resident on a 375px phone in elder mode (Debian's Chromium through Playwright)."""

import datetime as dt

import pytest

from people import crypto
from people.tests.factories import resident
from shequ.testing.world import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_searches_and_opens_a_resident_on_a_small_phone_in_elder_mode(chromium_page, tree, world: World) -> None:
    page = chromium_page
    base = page.base_url
    person = resident(name="王秀英", birth=dt.date(1938, 4, 5), gender="F", tags="独居、残疾:肢体:2")
    resident(name="李建国")
    number = crypto.decrypt(person.id_number_enc)
    world.bob.elder_mode = True
    world.bob.save(update_fields=["elder_mode"])
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("bob")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/people/residents/")
    assert page.get_by_role("heading", name="居民登记").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the list scrolls sideways"
    page.get_by_label("搜索（姓名的一部分，或完整证件号码、电话）").fill("秀英")
    button = page.get_by_role("button", name="查询")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 60
    button.click()
    page.wait_for_function("() => !document.querySelector('#results').textContent.includes('李建国')")  # a function: under the CSP a string is eval
    results = page.locator("#results")
    assert "王秀英" in results.inner_text() and number not in page.content()
    results.get_by_role("link", name="王秀英").click()
    page.wait_for_url(f"{base}/people/residents/{person.pk}/")
    assert page.get_by_role("heading", name="王秀英").is_visible()
    assert "肢体二级" in page.content() and "80岁及以上" in page.content()
    assert number not in page.content() and person.id_number_masked in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the detail scrolls sideways"
    page.goto(f"{base}/people/residents/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the form scrolls sideways"

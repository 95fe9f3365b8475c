"""A community worker keeps the roster on a 375px phone in elder mode (Debian's Chromium through Playwright)."""

import datetime as dt

import pytest

from shequ.testing.world import BOB_UNIT, CITY, PASSWORD, World
from workforce.models import CommunityWorker, TrainingAttendance
from workforce.tests.factories import training, worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways ({width}px)"


def test_it_keeps_the_roster_on_a_small_phone_in_elder_mode(chromium_page, tree, world: World) -> None:
    page = chromium_page
    base = page.base_url
    secretary = worker(BOB_UNIT, "secretary", name="张书记", started=dt.date(2020, 1, 1))
    course = training(CITY, starts=dt.date(2026, 3, 1), ends=dt.date(2026, 3, 3), title="市级书记主任轮训班")
    world.bob.elder_mode = True
    world.bob.save(update_fields=["elder_mode"])
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("bob")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/workforce/")
    page.wait_for_url(f"{base}/workforce/units/{BOB_UNIT}/")
    assert page.get_by_role("link", name="张书记").is_visible()
    _fits(page)
    page.get_by_role("link", name="登记社区工作者").click()
    page.get_by_label("姓名").fill("李专职")
    page.get_by_label("性别").select_option("F")
    page.get_by_label("岗位").select_option("full_time")
    page.get_by_label("联系电话").fill("13900001234")
    page.get_by_label("任职日期").fill("2024-03-01")
    _fits(page)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/workforce/workers/*/")
    assert page.get_by_text("139****1234").is_visible()
    assert CommunityWorker.objects.filter(name="李专职", position="full_time").exists()
    page.goto(f"{base}/workforce/trainings/{course.pk}/")
    _fits(page)
    page.locator("tr", has_text="张书记").get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/workforce/trainings/{course.pk}/?unit={BOB_UNIT}")
    assert TrainingAttendance.objects.get(worker=secretary).completed
    page.goto(f"{base}/workforce/units/{BOB_UNIT}/summary/")
    assert page.get_by_role("heading", level=1).is_visible()
    _fits(page)


def test_it_imports_a_file_on_a_small_phone_in_elder_mode(chromium_page, tree, world: World, tmp_path) -> None:
    from workforce.tests.test_import import book, row

    page = chromium_page
    base = page.base_url
    world.bob.elder_mode = True
    world.bob.save(update_fields=["elder_mode"])
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(book([row(unit=BOB_UNIT, phone="12345")]).getvalue())
    good.write_bytes(book([row(unit=BOB_UNIT)]).getvalue())
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("bob")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/workforce/units/{BOB_UNIT}/")
    page.get_by_role("link", name="从 Excel 导入").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="校验并导入").click()
    assert page.get_by_role("cell", name="请填写11位手机号码，或带区号的固定电话（如 0318-1234567）").is_visible()
    assert page.get_by_role("button", name="下载错误报告（.xlsx）").is_visible()
    _fits(page)
    assert not CommunityWorker.objects.exists()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="校验并导入").click()
    page.wait_for_url(f"{base}/workforce/units/{BOB_UNIT}/")
    assert page.get_by_role("link", name="李秀英").is_visible()
    _fits(page)

"""A community worker imports in a real browser, and watches a running job finish (HTMX polling)."""

import pytest

from people.models import Resident
from people.tests.io_helpers import book, jobs_inline, person  # noqa: F401
from shequ.testing.world import PASSWORD, World
from web.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("jobs_inline")]


def sign_in(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{page.base_url}/")


def test_it_imports_a_file_on_a_phone_in_elder_mode(chromium_page, tree, world: World, tmp_path) -> None:
    page = chromium_page
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, "alice")
    path = tmp_path / "居民.xlsx"
    path.write_bytes(book([person(1, household="A"), person(2, household="A", relation="配偶", gender="女")]))
    page.goto(f"{page.base_url}/people/import/")
    page.get_by_role("button", name="长辈模式").click()
    page.wait_for_load_state()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="上传并开始").click()
    page.wait_for_url(f"{page.base_url}/people/jobs/*/")
    assert "导入完成：新增居民 2 人，新建户 1 户。" in page.inner_text("#job-progress")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert Resident.objects.count() == 2


def test_it_shows_progress_until_the_job_finishes(chromium_page, tree, world: World) -> None:
    job = Job.objects.create(kind="people.import", owner=world.alice, status="running", total=1000, checked=250)
    page = chromium_page
    sign_in(page, "alice")
    page.goto(f"{page.base_url}/people/jobs/{job.pk}/")
    assert "已校验（行）" in page.inner_text("#job-progress") and "250" in page.inner_text("#job-progress")
    Job.objects.filter(pk=job.pk).update(status="done", checked=1000, written=1000, message="导入完成：新增居民 1000 人")
    page.wait_for_function("() => document.querySelector('#job-progress').innerText.includes('导入完成')", timeout=10_000)  # a function: a string is eval
    assert page.locator("#job-progress progress").get_attribute("value") == "100"

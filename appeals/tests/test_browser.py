"""The request desk in a real browser: axe-core finds no serious problem on its pages, in both modes."""

from pathlib import Path

import pytest

from appeals import services
from appeals.tests.helpers import file
from shequ.testing.world import BOB_UNIT, PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def serious(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through DevTools: the page's CSP refuses inline script tags
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _sign_in(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{page.base_url}/")


def test_the_request_pages_pass_axe_in_both_modes(chromium_page, tree, world: World) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = chromium_page
    base = page.base_url
    appeal = file(None, location_kind="point", lat=37.74, lng=115.70)
    file(None, location_kind="point", lat=37.7401, lng=115.7001, phone="13900000001")
    services.accept(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已处理")
    problems = {}
    page.goto(f"{base}/appeals/new/")
    problems["/appeals/new/"] = serious(page)
    page.goto(f"{base}/appeals/track/?no={appeal.tracking_no}")  # the number prefilled; the phone is POSTed
    page.get_by_label("提交时的手机号码").fill("13800001111")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert page.get_by_text("已处理").count() >= 1 and "phone=" not in page.url
    problems["/appeals/track/ (POST)"] = serious(page)
    _sign_in(page, "bob")
    for elder in (False, True):
        if elder:
            page.get_by_role("button", name="长辈模式").click()
            page.wait_for_load_state()
        for path in ["/appeals/", f"/appeals/{appeal.pk}/", "/appeals/intake/", f"/appeals/dashboard/?unit={BOB_UNIT}"]:
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == 200, path
            problems[f"{path} elder={elder}"] = serious(page)
    assert {k: v for k, v in problems.items() if v} == {}

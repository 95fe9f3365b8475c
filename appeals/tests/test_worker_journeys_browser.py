"""A worker clears the inbox on a phone (issue 21): 退回 asks once inline, each action says what it did."""

import pytest

from appeals import services
from appeals.models import Appeal, EventAction
from appeals.tests.helpers import file
from shequ.testing.world import BOB_UNIT, PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HEDONG = "131102002000"


def _sign_in(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{page.base_url}/")


def test_it_confirms_a_return_inline_and_names_each_action_done(chromium_page, tree, world: World) -> None:
    sent = file(None, unit=HEDONG)
    services.accept(appeal=sent, actor=world.tom)
    services.dispatch(appeal=sent, actor=world.tom, unit_code=BOB_UNIT, note="请桥东社区办理")
    mine = file(None, text="楼道灯坏了")
    page = chromium_page
    page.set_viewport_size({"width": 320, "height": 640})
    _sign_in(page, "bob")

    page.goto(f"{page.base_url}/appeals/{mine.pk}/")
    page.get_by_role("button", name="签收", exact=True).click()
    page.wait_for_load_state()
    assert f"{mine.tracking_no} 已签收" in page.get_by_role("status").inner_text()

    page.goto(f"{page.base_url}/appeals/{sent.pk}/")
    page.get_by_label("说明 / 答复内容 / 理由").fill("不属于本社区")
    confirm = page.get_by_role("button", name="确认退回")
    assert not confirm.is_visible()
    page.get_by_text("退回", exact=True).click()  # the first tap only asks
    assert confirm.is_visible() and "确认退回吗" in page.locator(".confirm-panel").inner_text()
    assert Appeal.objects.get(pk=sent.pk).unit_id == BOB_UNIT
    confirm.click()
    page.wait_for_load_state()
    assert "已退回上一级" in page.get_by_role("status").inner_text()
    assert Appeal.objects.get(pk=sent.pk).unit_id == HEDONG


def test_it_refuses_a_return_sent_without_the_confirm_step(tree, world: World, client) -> None:
    sent = file(None, unit=HEDONG)
    services.accept(appeal=sent, actor=world.tom)
    services.dispatch(appeal=sent, actor=world.tom, unit_code=BOB_UNIT, note="请桥东社区办理")
    client.force_login(world.bob)
    page = client.post(f"/appeals/{sent.pk}/return/", {"note": "不属于本社区"}, follow=True).content.decode()
    assert "退回需要确认" in page and "诉求未退回" in page
    sent.refresh_from_db()
    assert sent.unit_id == BOB_UNIT and not sent.events.filter(action=EventAction.RETURN).exists()

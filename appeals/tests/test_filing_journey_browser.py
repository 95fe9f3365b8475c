"""An elderly visitor files a request on a 320 px phone (issue 21): every error at once, beside its field, focus on the first."""

import pytest

from appeals.models import Appeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_every_filing_error_at_once_beside_its_field_and_focuses_the_first(chromium_page, tree) -> None:
    page = chromium_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{page.base_url}/appeals/new/")
    for label in ("诉求内容", "诉求类别", "所在村（社区）", "手机号码"):
        assert "必填" in page.locator(f"label:has-text('{label}')").last.inner_text(), label
    page.get_by_label("诉求内容").fill("楼道灯坏了一个月")
    page.get_by_label("手机号码").fill("1380000")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()

    summary = page.get_by_role("alert").filter(has_text="请修改以下")
    assert summary.is_visible()
    for text in ("请选择诉求类别", "请填写诉求发生的地址", "未知的村（社区）", "联系电话格式不正确"):
        assert summary.get_by_text(text).count() == 1, text
    for field_id, text in (("id_category", "请选择诉求类别"), ("id_address", "请填写诉求发生的地址"),
                           ("id_community", "未知的村（社区）"), ("id_phone", "联系电话格式不正确")):
        field = page.locator(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true", field_id
        described = page.locator(f"#{field.get_attribute('aria-describedby')}")
        assert text in described.inner_text(), field_id
        assert described.is_visible()
    assert page.evaluate("document.activeElement.id") == "id_category"
    assert page.get_by_label("诉求内容").input_value() == "楼道灯坏了一个月"  # what was typed is kept
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    summary.get_by_role("link", name="手机号码").click()
    assert page.evaluate("document.activeElement.id") == "id_phone"
    assert not Appeal.objects.exists()


def test_it_files_once_even_when_the_receipt_is_reloaded(chromium_page, tree) -> None:
    page = chromium_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{page.base_url}/appeals/new/")
    page.get_by_label("诉求内容").fill("楼道灯坏了一个月")
    page.locator("#id_category").select_option("municipal")
    page.locator("#id_address").fill("人民路 8 号")
    page.locator("#id_community_q").fill("桥东")
    page.locator("#id_community option[value='131102002018']").wait_for(state="attached")
    page.locator("#id_community").select_option("131102002018")
    page.get_by_label("手机号码").fill("13811112222")
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_role("heading", name="诉求已受理").wait_for()
    number = Appeal.objects.get().tracking_no
    assert number in page.get_by_role("status").inner_text()
    page.reload()
    page.get_by_role("heading", name="诉求已受理").wait_for()
    assert number in page.content()
    assert Appeal.objects.count() == 1

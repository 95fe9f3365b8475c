"""Elder mode (适老化) measured in the browser over the pages residents and workers use: no text below 18 px and
no target below 60×60 px (issue 21)."""

import pytest

from shequ.testing.world import BOB_UNIT, PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => {
  const small = [], tiny = [];
  const seen = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && r.right > 0 && r.left < innerWidth * 4; };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' "' + (el.innerText || el.value || '').trim().slice(0, 20) + '"';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || !seen(el) || el.closest('.leaflet-container, .sr-only, script, style')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 18) small.push(name(el) + ' ' + size + 'px');
  }
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!seen(el) || el.closest('.leaflet-container, .skip-link') || el.classList.contains('skip-link')) continue;
    const target = el.matches('input[type=radio], input[type=checkbox]') && el.closest('label') ? el.closest('label') : el;
    const r = target.getBoundingClientRect();
    if (r.width < 60 || r.height < 60) tiny.push(name(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
  }
  return {small: [...new Set(small)], tiny: [...new Set(tiny)]};
}"""


def _problems(page, path: str) -> dict[str, list[str]]:
    response = page.goto(f"{page.base_url}{path}")
    assert response is not None and response.status == 200, path
    assert page.evaluate("document.body.classList.contains('elder')"), path
    found = page.evaluate(MEASURE)
    return {f"{path} {kind}": items for kind, items in found.items() if items}


def test_it_keeps_text_at_18px_and_targets_at_60px_in_elder_mode(chromium_page, tree, world: World) -> None:
    from appeals.tests.helpers import file

    appeal = file(None, text="楼道灯坏了")
    page = chromium_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{page.base_url}/")
    page.get_by_role("button", name="长辈模式").click()
    page.wait_for_load_state()
    problems: dict[str, list[str]] = {}
    for path in ["/", "/appeals/new/", "/appeals/track/", "/appeals/catalogue/", "/accessibility/", "/accounts/login/"]:
        problems.update(_problems(page, path))
    for username, extra in (("bob", [f"/appeals/{appeal.pk}/", "/appeals/intake/", "/facilities/bookings/"]),
                            ("carl", ["/appeals/dashboard/"])):
        page.context.clear_cookies()
        page.goto(f"{page.base_url}/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{page.base_url}/")
        if not page.evaluate("document.body.classList.contains('elder')"):
            page.get_by_role("button", name="长辈模式").click()
            page.wait_for_load_state()
        # Every page of the worker's menu, not a sample.
        menu = page.evaluate("[...document.querySelectorAll('#main-menu nav a')].map(a => new URL(a.href).pathname)")
        assert len(menu) >= 5, menu
        for path in dict.fromkeys([*menu, f"/units/{BOB_UNIT}/", *extra]):
            if path.startswith("/admin/"):
                continue  # Django's admin keeps its own style
            problems.update(_problems(page, path))
    assert problems == {}

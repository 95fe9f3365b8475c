"""F2: a Content-Security-Policy without 'unsafe-inline' scripts on every response, and no template that needs one."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:-][^=\s]*)\s*=\s*["']""", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _templates() -> list[Path]:
    return [p for p in ROOT.glob("*/templates/**/*.html") if "node_modules" not in p.parts]


def test_it_sends_a_script_policy_without_inline_or_eval_on_pages_and_errors(world, login, client) -> None:
    for response in [client.get("/accounts/login/"), client.get("/no-such-page/"),
                     login(world.bob).get("/"), login(world.bob).get("/api/units/1311"),
                     client.get("/static/ninja/favicon.svg")]:
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], response.request["PATH_INFO"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy.get("default-src", [])


def test_it_serves_the_api_docs_from_this_site_under_the_policy(world, login) -> None:
    response = login(world.bob).get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn.jsdelivr.net" not in page and "/static/ninja/swagger-ui-bundle.js" in page
    assert not INLINE_SCRIPT.search(page)
    assert _policy(response)["script-src"] == ["'self'"]


def test_it_allows_the_configured_tile_server_for_images_only() -> None:
    from shequ.settings import _tile_source

    assert _tile_source("https://{s}.tile.example.cn/{z}/{x}/{y}.png") == ["https://*.tile.example.cn"]
    assert _tile_source("/static/tiles/{z}/{x}/{y}.png") == [] and _tile_source("") == []


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, HANDLER, JS_URL], ids=["inline-script", "on-handler", "javascript-url"])
def test_it_finds_no_template_that_needs_inline_script(pattern) -> None:
    offenders = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in _templates()
                 for match in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_it_finds_no_script_of_ours_that_writes_html_from_strings() -> None:
    """Map labels and every other DOM write go through text nodes (F2): no HTML sinks, no eval in our own scripts."""
    sink = re.compile(r"\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(")
    scripts = [p for p in ROOT.glob("*/static/**/*.js") if "node_modules" not in p.parts and "vendor" not in p.parts]
    assert scripts, "the apps' scripts are found"
    offenders = [f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}" for path in scripts
                 for text in [path.read_text(encoding="utf-8")] for match in sink.finditer(text)]
    assert offenders == []

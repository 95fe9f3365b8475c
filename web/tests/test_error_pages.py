"""Visitors who hit a missing page or a server error get the product's pages with a way home (issue 21)."""

import os
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parents[2]


def test_it_shows_a_friendly_404_with_a_way_home(client, tree) -> None:
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and 'href="/"' in page and "返回首页" in page
    assert "shequ.css" in page  # the product's style, not Django's plain page


def test_it_shows_a_friendly_500_with_a_way_home() -> None:
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统暂时出错" in page and "返回首页" in page and "shequ.css" in page


def test_it_keeps_djangos_technical_pages_off_in_the_demo_unless_a_developer_turns_them_on(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEQU_", "DEBUG", "DJANGO_SETTINGS"))}
    env.update({"SHEQU_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "shequ.settings"})
    probe = "import django; django.setup(); from django.conf import settings; print(settings.DEMO, settings.DEBUG)"

    def run(**extra: str) -> str:
        result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={**env, **extra},  # noqa: S603
                                capture_output=True, text=True, timeout=120, check=True)
        return result.stdout.strip()

    assert run() == "True False"
    assert run(DEBUG="true") == "True True"

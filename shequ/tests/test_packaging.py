"""pyproject.toml packages every app: an installed Shequ imports each of them from outside the checkout."""

import tomllib
from pathlib import Path

from django.conf import settings
from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent.parent


def _packaged() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = config["tool"]["setuptools"]["packages"]["find"]
    return set(find_packages(where=str(ROOT), include=found["include"]))


def test_it_packages_every_app_of_the_project() -> None:
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert "workforce" in apps
    missing = apps - _packaged()
    assert not missing, f"pyproject.toml [tool.setuptools.packages.find] include lacks {sorted(missing)}"


def test_it_packages_every_installed_local_app_and_its_subpackages() -> None:
    local = {name for name in settings.INSTALLED_APPS if (ROOT / name / "apps.py").exists()}
    packaged = _packaged()
    assert local <= packaged
    assert {"care.services", "workforce.migrations", "shequ.testing"} <= packaged

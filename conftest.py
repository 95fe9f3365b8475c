"""Shared fixtures: the real Hengshui tree in every test database, and the named users."""

from pathlib import Path
from typing import Any

import pytest

from shequ.testing.world import World, make_world

DATA = Path(__file__).resolve().parent / "places" / "data"


# The tree's rows as the importers first wrote them in this process: a transactional test's flush empties the
# tables, and writing these back (one bulk insert) is ten times quicker than importing the CSV files again.
_TREE_ROWS: dict[Any, list[dict]] = {}


def load_tree() -> None:
    from django.db import transaction

    from places.importers import import_departments, import_divisions
    from places.models import Department, OrgUnit

    if OrgUnit.objects.exists():
        return
    if not _TREE_ROWS:
        import_divisions(DATA / "hengshui_divisions.csv")
        import_departments(DATA / "departments.csv")
        for model in (OrgUnit, Department):
            fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
            _TREE_ROWS[model] = list(model.objects.order_by("code").values(*fields))
        return
    with transaction.atomic():  # a unit's parent code sorts before its own, so parents come first
        for model, rows in _TREE_ROWS.items():
            model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests sign in hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_process_caches() -> None:
    """Per-process caches must not carry rows from one test's database into the next (flushes renumber them)."""
    from django.apps import apps

    if apps.is_installed("appeals"):
        from appeals.importers import forget_categories

        forget_categories()


@pytest.fixture(scope="session", autouse=True)
def worker_var_dir(tmp_path_factory):
    """Under pytest-xdist (`-n 2`, .ci/run) each worker keeps its files (media, job progress) in a folder of its own:
    both workers' databases number rows alike, and one worker's job 1 must not meet the other's job 1 in var/."""
    import os

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    from django.test import override_settings

    var = tmp_path_factory.mktemp("var")
    (var / "media").mkdir(mode=0o700)
    with override_settings(VAR_DIR=var, MEDIA_ROOT=var / "media"):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_tree()


@pytest.fixture
def tree(db) -> None:
    """The real tree; reloaded when a transactional test has flushed it."""
    load_tree()


@pytest.fixture
def world(tree) -> World:
    return make_world()


@pytest.fixture
def login(client):
    """login(user) signs the test client in as that user and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def chromium_page(live_server):
    """A Playwright page in Debian's Chromium, pointed at the live test server (base_url attribute)."""
    import os
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    # Playwright's sync API runs an event loop in this thread; Django's ORM guard would object.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        page.base_url = live_server.url
        yield page
        context.close()
        browser.close()
        # Django keeps connections per context, and Playwright's sync API gives the test its own: a
        # connection the test opened there is closed here, or it would outlive the session and keep
        # PostgreSQL from dropping the test database.
        connections.close_all()


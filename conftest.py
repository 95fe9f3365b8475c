"""Shared fixtures: the real Hengshui tree in every test database, and the named users."""

from pathlib import Path

import pytest

from shequ.testing.world import World, make_world

DATA = Path(__file__).resolve().parent / "places" / "data"


def load_tree() -> None:
    from places.importers import import_departments, import_divisions
    from places.models import OrgUnit

    if not OrgUnit.objects.exists():
        import_divisions(DATA / "hengshui_divisions.csv")
        import_departments(DATA / "departments.csv")


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


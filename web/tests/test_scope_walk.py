"""Walk every route as insiders and as users of another community, township, county and department.

An object is placed in bob's community (桥东社区, 河东街道, 桃城区); each insider must get it
back (the marker in the decoded page, file or JSON; an insider's write accepted), and only
then does the walk count the outsiders, who must get nothing (404 for details, no trace of it
in lists, writes refused and nothing changed). Every route must be listed by some app (see
shequ/testing/scope.py).
"""

from importlib import import_module
from importlib.util import find_spec

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shequ.testing.scope import ScopeCase, case_id, check_case, request, walk_settings
from shequ.testing.world import make_world

# Framework routes outside any app's data.
FRAMEWORK_PREFIXES = ("admin/", "i18n/", "static/", "media/", "^static/", "^media/")


def iter_routes(patterns: list, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += iter_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + str(pattern.pattern))
    return routes


def all_routes() -> list[str]:
    return sorted({r for r in iter_routes(get_resolver().url_patterns) if not r.startswith(FRAMEWORK_PREFIXES)})


def registered() -> tuple[list[ScopeCase], dict[str, str]]:
    cases: list[ScopeCase] = []
    open_routes: dict[str, str] = {}
    for app in settings.INSTALLED_APPS:
        module_name = f"{app}.tests.scope_cases"
        if "." in app or find_spec(app) is None or find_spec(f"{app}.tests") is None or find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        cases += getattr(module, "CASES", [])
        open_routes.update(getattr(module, "OPEN_ROUTES", {}))
    return cases, open_routes


CASES, OPEN_ROUTES = registered()


def test_it_lists_every_route_in_a_scope_case_or_as_open() -> None:
    listed = {case.route for case in CASES} | set(OPEN_ROUTES)
    missing = [route for route in all_routes() if route not in listed]
    assert not missing, f"routes with no scope case (add them to <app>/tests/scope_cases.py): {missing}"
    stale = sorted(listed - set(all_routes()))
    assert not stale, f"scope cases name routes that do not exist: {stale}"


@pytest.fixture(autouse=True)
def _walk_settings(settings, tmp_path):
    walk_settings(settings, tmp_path)


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.django_db
def test_it_shows_insiders_the_object_and_outsiders_nothing(case: ScopeCase, tree: None) -> None:
    failures = check_case(case, make_world())
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.django_db
def test_it_asks_anonymous_visitors_to_sign_in(case: ScopeCase, tree: None) -> None:
    world = make_world()
    probe = case.make(world)
    if probe.kind == "public":
        return  # published for everyone; check_case reads it anonymously too
    response = request(Client(), probe.method, probe.url, probe.data, probe.json)
    assert response.status_code in (302, 401, 403, 404), f"anonymous {probe.url}: {response.status_code}"
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]

"""A query-string fuzz over every GET route (issue 25, F9): bad dates, huge numbers, NUL, broken UTF-8, 0 server errors.

Routes and real path parameters come from the scope walk's cases (each places an object in bob's community and
names its URL); open routes with parameters get a real unit code or id. Every query parameter name the code
reads (request.GET in any module, the fields of every form, the API's query parameters) and the common ones
get each bad value, all at once and the common ones one by one, as bob (who sees the object) and anonymously.
"""

import re
from importlib import import_module
from pathlib import Path
from urllib.parse import quote

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.test import Client

from shequ.testing.world import BOB_UNIT, make_world
from web.tests.test_scope_walk import CASES, OPEN_ROUTES

ROOT = Path(settings.BASE_DIR)
COMMON = ["page", "offset", "week", "date", "start_date", "year", "month", "q", "unit", "limit", "end_date", "as_of",
          "period", "min_age", "max_age", "status", "next"]
# Already percent-encoded: a lone surrogate arrives as its (invalid) UTF-8 bytes, NUL as %00.
BAD_VALUES = ["9999-12-31", "0001-01-01", "2026-99-99", "9" * 20, "-1", "1e309", "%00", "%ED%B2%80", "%FF", "2026-Q9",
              "x" * 300]
ONE_BY_ONE = ["9" * 20, "9999-12-31"]


def _names_read_in_code() -> set[str]:
    names: set[str] = set()
    pattern = re.compile(r"GET\.get(?:list)?\(\s*[\"']([A-Za-z_0-9\[\]]+)[\"']")
    for config in apps.get_app_configs():
        path = Path(config.path)
        if ROOT not in path.parents and path != ROOT:
            continue
        for source in path.rglob("*.py"):
            if "tests" not in source.parts and "migrations" not in source.parts:
                names |= set(pattern.findall(source.read_text(encoding="utf-8")))
        try:
            module = import_module(f"{config.name}.forms")
        except ImportError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                names |= set(getattr(value, "base_fields", {}))
    return names


def _api_query_names() -> set[str]:
    from shequ.api import api

    schema = api.get_openapi_schema()
    return {p["name"] for path in schema["paths"].values() for op in path.values() for p in op.get("parameters", [])
            if p.get("in") == "query"}


NAMES = sorted(set(COMMON) | _names_read_in_code() | _api_query_names())


def _open_url(route: str) -> str:
    """A URL for an open route: path converters filled with a real unit code or a plausible id."""
    url = re.sub(r"<str:(code|unit_code)>", BOB_UNIT, route).replace("<str:fmt>", "json")
    url = re.sub(r"\{(code|unit_code)\}", BOB_UNIT, url)
    url = re.sub(r"<int:\w+>|\{\w+_id\}|\{number\}", "1", url)
    url = re.sub(r"<(?:str|slug|path):\w+>|\{\w+\}", "x", url)
    return "/" + url.lstrip("^").rstrip("$")


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(name)}={value}" for name, value in pairs)


ALL_AT_ONCE = [_query([(name, value) for name in NAMES]) for value in BAD_VALUES]
# One by one too, in case one refused parameter hides what another would do (signed in only: anonymous is redirected).
SINGLY = [_query([(name, value)]) for name in COMMON[:9] for value in ONE_BY_ONE]


# A readiness probe answers 503 by design when the site is not ready (here: no task worker ever beat); a 500 still fails.
ANSWERS_503 = {"/readyz"}


def _server_errors(url: str, clients: dict[str, Client], *, singly_anonymous: bool = False) -> list[str]:
    failures = []
    for who, client in clients.items():
        for query in ALL_AT_ONCE + (SINGLY if who != "anonymous" or singly_anonymous else []):
            response = client.get(f"{url}{'&' if '?' in url else '?'}{query}")
            if response.status_code >= 500 and not (response.status_code == 503 and url in ANSWERS_503):
                failures.append(f"{who} GET {url}?{query[:120]} → {response.status_code}")
    return failures


GET_CASES = [case for case in CASES if "get" in case.methods]


@pytest.mark.django_db
@pytest.mark.parametrize("case", GET_CASES, ids=lambda c: c.route)
def test_it_answers_bad_query_strings_on_every_get_route_without_a_server_error(case, tree) -> None:
    world = make_world()
    probe = case.make(world)  # a write probe's URL is fuzzed with GET too: it is the form page (or the API list)
    bob = Client(raise_request_exception=False)
    bob.force_login(world.bob)
    failures = _server_errors(probe.url, {"bob": bob, "anonymous": Client(raise_request_exception=False)})
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(OPEN_ROUTES))
def test_it_answers_bad_query_strings_on_every_open_route_without_a_server_error(route, tree) -> None:
    world = make_world()
    bob = Client(raise_request_exception=False)
    bob.force_login(world.bob)
    failures = _server_errors(_open_url(route), {"bob": bob, "anonymous": Client(raise_request_exception=False)},
                              singly_anonymous=True)  # open routes are for visitors: every query as them too
    assert not failures, "\n".join(failures)

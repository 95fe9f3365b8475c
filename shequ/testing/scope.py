"""The cross-scope walk: every route shows its object to insiders, and nothing of it to outsiders.

Each app lists its routes in <app>/tests/scope_cases.py as CASES (routes that show or change
data of a place) and, if any, OPEN_ROUTES (routes that show no place's data, with why).
web/tests/test_scope_walk.py fails for any route that is in neither, and runs check_case on
every case; web/tests/test_scope_walk_control.py plants leaks and proves check_case reports them.

A probe counts only once it has proved it could see a leak: every insider (bob, his township,
county and the city, unless the case names others) gets the marker back — read from the
decoded content (shequ/testing/content.py), never from a zip's bytes — and an insider's write
is accepted and changes what ``unchanged`` watches. Then each outsider must get nothing.
"""

import json as jsonlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test import Client

from shequ.testing.content import Unreadable, content_text
from shequ.testing.world import INSIDERS, OUTSIDERS, USERS, World

# For objects only their owner may see (a job, a notification): everyone else is an outsider.
OWNER_ONLY: dict[str, Any] = {"insiders": ("bob",), "outsiders": tuple(u for u in USERS if u != "bob")}


@dataclass
class Probe:
    """One request, against an object placed in bob's community (桥东社区)."""

    url: str
    # Text of the object that insiders must find and outsiders must not (in the decoded content).
    marker: str = ""
    method: str = "get"
    data: dict[str, Any] | None = None
    # "detail": insiders 200 with the marker, outsiders 404.
    # "list": insiders 200 with the marker, outsiders 404 or 200 without it.
    # "write": an insider's request (on a fresh object) is accepted and changes unchanged(); outsiders not 2xx, unchanged().
    # "public": a published view (Open311): everyone, signed in or not, gets the marker, and nobody the secret.
    kind: str = "detail"
    json: bool = False
    unchanged: Callable[[], bool] | None = None
    # For "public": what the object holds but must never be published (the filer's phone, name or address).
    secret: str = ""


@dataclass
class ScopeCase:
    # The route as Django's resolver spells it, e.g. "units/<str:code>/" or "api/people/residents/{id}".
    route: str
    make: Callable[[World], Probe]
    methods: tuple[str, ...] = ("get",)
    # Who must see the object (writes: the first of them makes the accepted request).
    insiders: tuple[str, ...] = tuple(INSIDERS)
    outsiders: tuple[str, ...] = tuple(OUTSIDERS)


def walk_settings(settings: Any, tmp_path: Any) -> None:
    """The walk's settings (call from an autouse fixture): files in a temporary directory, jobs run at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def request(client: Client, method: str, url: str, data: dict[str, Any] | None, as_json: bool, **headers: str) -> Any:
    if as_json:
        return getattr(client, method)(url, data=jsonlib.dumps(data or {}), content_type="application/json", headers=headers)
    return getattr(client, method)(url, data=data or {}, headers=headers)


def is_api(url: str) -> bool:
    return url.startswith("/api/")


def _as(world: World, username: str, probe: Probe, method: str, auth: str = "session") -> Any:
    """The request as username: signed in (a session), or as an API client with its own Bearer token."""
    client = Client()
    user = world.users[username]
    if auth == "token":
        from accounts.services import issue_token

        _, raw = issue_token(actor=user, name="scope-walk")
        return request(client, method, probe.url, probe.data, probe.json, Authorization=f"Bearer {raw}")
    client.force_login(user)
    return request(client, method, probe.url, probe.data, probe.json)


def _auths(probe: Probe, insider: bool) -> tuple[str, ...]:
    """API routes are read as API clients read them (a token); outsiders try a session as well."""
    if not is_api(probe.url):
        return ("session",)
    return ("token",) if insider else ("token", "session")


def _text(response: Any, who: str, failures: list[str]) -> str:
    try:
        return content_text(response)
    except Unreadable as exc:
        failures.append(f"{who}: {exc}")
        return ""


def _is_write(probe: Probe, method: str) -> bool:
    return probe.kind == "write" or method != "get"


def _insider_reads(case: ScopeCase, world: World, probe: Probe, method: str) -> list[str]:
    failures: list[str] = []
    if not probe.marker:
        return [f"{case.route}: the probe of {probe.url} has no marker, so it cannot prove it would see a leak"]
    for username in case.insiders:
        who = f"insider {username} {method.upper()} {probe.url}"
        response = _as(world, username, probe, method, _auths(probe, insider=True)[0])
        if response.status_code != 200:
            failures.append(f"{who}: expected 200, got {response.status_code} (the probe cannot see its own object)")
        elif probe.marker not in _text(response, who, failures):
            failures.append(f"{who}: marker {probe.marker!r} not found (the probe cannot see its own object)")
    return failures


def _insider_write(case: ScopeCase, world: World, probe: Probe, method: str) -> list[str]:
    """The first insider's request; the caller rolls it back (and the object with it)."""
    username = case.insiders[0]
    who = f"insider {username} {method.upper()} {probe.url}"
    response = _as(world, username, probe, method, _auths(probe, insider=True)[0])
    if response.status_code >= 400:
        return [f"{who}: the insider's write was refused ({response.status_code}), so the probe proves nothing"]
    if probe.unchanged is not None and probe.unchanged():
        return [f"{who}: the insider's write ({response.status_code}) changed nothing that unchanged() watches, "
                "so the probe proves nothing"]
    return []


def _outsiders(case: ScopeCase, world: World, probe: Probe, method: str) -> list[str]:
    failures: list[str] = []
    for username, auth in ((u, a) for u in case.outsiders for a in _auths(probe, insider=False)):
        who = f"outsider {username} {method.upper()} {probe.url}" + (f" ({auth})" if is_api(probe.url) else "")
        response = _as(world, username, probe, method, auth)
        status = response.status_code
        if probe.kind == "detail":
            if status != 404:
                failures.append(f"{who}: expected 404, got {status}")
        elif probe.kind == "list":
            if status not in (200, 404):
                failures.append(f"{who}: got {status}")
            elif status == 200 and probe.marker in _text(response, who, failures):
                failures.append(f"{who}: the other community's data leaked (marker {probe.marker!r})")
        elif not (status >= 400 or status in (301, 302)):
            failures.append(f"{who}: write accepted ({status})")
        if probe.unchanged is not None and not probe.unchanged():
            failures.append(f"{who}: the object changed")
    return failures


def _public(case: ScopeCase, world: World, probe: Probe) -> list[str]:
    """Everyone gets the published marker (else the probe proves nothing), and nobody the secret."""
    failures: list[str] = []
    if not probe.marker or not probe.secret:
        return [f"{case.route}: a public probe needs a marker (published) and a secret (never published)"]
    for username in (*USERS, None):
        who = f"{username or 'anonymous'} GET {probe.url}"
        client = Client()
        if username:
            client.force_login(world.users[username])
        response = request(client, "get", probe.url, probe.data, probe.json)
        text = _text(response, who, failures) if response.status_code == 200 else ""
        if response.status_code != 200 or probe.marker not in text:
            failures.append(f"{who}: {response.status_code}, published marker {probe.marker!r} not found "
                            "(the probe cannot see its own object)")
        elif probe.secret in text:
            failures.append(f"{who}: personal data published (secret {probe.secret!r})")
    return failures


def check_case(case: ScopeCase, world: World) -> list[str]:
    """Every failure of one case: first the insiders (can the probe see a leak at all?), then the outsiders.

    A write is tried by an insider on its own object inside a savepoint that is rolled back,
    and the outsiders then try it on a fresh one (a second make).
    """
    failures: list[str] = []
    for method in case.methods:
        with transaction.atomic():
            probe = case.make(world)
            effective = probe.method if probe.method != "get" else method
            write = _is_write(probe, effective)
            if write:
                insider_failures = _insider_write(case, world, probe, effective)
                transaction.set_rollback(True)
        if probe.kind == "public":
            failures += _public(case, world, probe)
            continue
        if write:
            probe = case.make(world)
        else:
            insider_failures = _insider_reads(case, world, probe, effective)
        failures += insider_failures
        if not insider_failures:
            failures += _outsiders(case, world, probe, effective)
    return failures


def case_id(case: ScopeCase) -> str:
    return case.route


__all__ = ["OWNER_ONLY", "Probe", "ScopeCase", "case_id", "check_case", "request", "walk_settings"]

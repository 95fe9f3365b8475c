"""The cross-scope walk: every route, fetched by users of another community, returns nothing.

Each app lists its routes in <app>/tests/scope_cases.py as CASES (routes that show
data of a place) and, if any, OPEN_ROUTES (routes that show no place's data, with
why). web/tests/test_scope_walk.py fails for any route that is in neither.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shequ.testing.world import World


@dataclass
class Probe:
    """One request as an outsider, against an object placed in bob's community (桥东社区)."""

    url: str
    # Text of the foreign object that must not appear in a list response.
    marker: str = ""
    method: str = "get"
    data: dict[str, Any] | None = None
    # "detail": must answer 404. "list": 404, or 200 without the marker. "write": not 2xx, and unchanged().
    kind: str = "detail"
    json: bool = False
    unchanged: Callable[[], bool] | None = None


@dataclass
class ScopeCase:
    # The route as Django's resolver spells it, e.g. "units/<str:code>/" or "api/people/residents/{id}".
    route: str
    make: Callable[[World], Probe]
    methods: tuple[str, ...] = ("get",)

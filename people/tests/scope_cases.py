"""Scope cases for the register's routes; the import/export ones live in scope_cases_io.py."""

from people.tests.scope_cases_io import CASES as IO_CASES
from people.tests.scope_cases_io import OPEN_ROUTES as IO_OPEN_ROUTES
from shequ.testing.scope import ScopeCase

CASES: list[ScopeCase] = [*IO_CASES]
OPEN_ROUTES: dict[str, str] = {**IO_OPEN_ROUTES}

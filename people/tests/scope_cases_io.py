"""Scope cases for the Excel import/export routes (people/io_urls.py)."""

from shequ.testing.scope import ScopeCase

CASES: list[ScopeCase] = []
OPEN_ROUTES: dict[str, str] = {}

"""Planning settings, read from the environment (documented in docs/planning.md)."""

import os

from django.core.exceptions import ImproperlyConfigured


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be >= 0")
    return value


def cache_seconds() -> int:
    """How long cached indicator values are trusted before a full recomputation (the audit feed keeps them fresh meanwhile)."""
    return _int("SHEQU_PLANNING_CACHE_SECONDS", 600)


def report_due_days() -> int:
    """Days after a period ends by which its progress report is due."""
    return _int("SHEQU_PLANNING_REPORT_DUE_DAYS", 10)


def remind_days() -> int:
    """Days before the deadline when the reminder goes out."""
    return _int("SHEQU_PLANNING_REMIND_DAYS", 5)

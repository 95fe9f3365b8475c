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


def evidence_max_files() -> int:
    """Evidence files one progress report may carry (佐证材料 per report)."""
    return _int("SHEQU_PLANNING_EVIDENCE_MAX_FILES", 10)


def evidence_max_file_mb() -> int:
    """Largest evidence file, in MB."""
    return _int("SHEQU_PLANNING_EVIDENCE_MAX_FILE_MB", 20)


def evidence_max_report_mb() -> int:
    """All evidence files of one report together, in MB."""
    return _int("SHEQU_PLANNING_EVIDENCE_MAX_REPORT_MB", 50)


def evidence_orphan_hours() -> int:
    """Age after which an evidence file no report refers to is deleted by planning_clean_evidence."""
    return _int("SHEQU_PLANNING_EVIDENCE_ORPHAN_HOURS", 24)

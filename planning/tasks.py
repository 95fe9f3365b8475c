"""Background jobs of the planning module (django-tasks; scheduled by cron through the commands)."""

from typing import Any

from django_tasks import task

from planning import engine, periods, services


@task()
def check_ledger_deadlines() -> dict[str, int]:
    """Reminders before report deadlines, escalations after them (command: planning_deadlines)."""
    return services.check_deadlines()


@task()
def clean_orphaned_evidence() -> dict[str, int]:
    """Delete evidence files no progress report refers to, past the grace period (command: planning_clean_evidence)."""
    return services.clean_orphaned_evidence()


@task()
def refresh_indicator_values() -> dict[str, int]:
    """Apply the audit-log feed and the dirty set to the cached values (command: planning_refresh)."""
    read = engine.sync_audit()
    touched = engine.process_dirty()
    # Keep the current year and month warm so that pages rarely pay for a full recomputation.
    from planning.models import Indicator

    indicators = list(Indicator.objects.all())
    for kind in ("year", "month"):
        engine.ensure_cached(periods.current(kind), indicators)
    return {"audit_entries": read, "rows_touched": touched}


@task()
def freeze_snapshots(period: str) -> dict[str, Any]:
    """Freeze one period's values (command: planning_snapshot)."""
    return engine.freeze(periods.parse(period))

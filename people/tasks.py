"""Background jobs of the register: the retention rule (run nightly, see docs/people.md)."""

from datetime import date

from django_tasks import task


@task()
def apply_retention_task(day: str = "") -> int:
    """Anonymise deceased and moved-out records whose retention period has ended."""
    from people import services

    return services.apply_retention(today=date.fromisoformat(day) if day else None)

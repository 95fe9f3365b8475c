"""Background jobs of the safety module (run by manage.py db_worker)."""

from django_tasks import task

from safety import services


@task()
def stamp_delivered(warning_id: int) -> int:
    """Queued after a warning's notice deliveries: records when the last message went out."""
    services.stamp_delivered(warning_id)
    return warning_id


@task()
def safety_daily() -> int:
    """Escalate fire-safety corrections past their deadline."""
    return services.escalate_overdue()

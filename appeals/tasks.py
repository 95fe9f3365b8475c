"""Background jobs: the deadline check (逾期督办), enqueued by `check_appeal_deadlines` from cron."""

from django_tasks import task

from appeals import services


@task()
def check_deadlines() -> int:
    """Escalate every overdue deadline once; safe to run concurrently and after a restart (it is all rows)."""
    return services.escalate_overdue()

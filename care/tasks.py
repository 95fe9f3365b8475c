"""Background jobs: monthly plan generation, daily reconcile + reminders, notice delivery."""

from datetime import date

from django_tasks import task

from care import reminders, services
from care.delivery import deliver_notice
from care.periods import today

__all__ = ["care_daily", "deliver_notice", "generate_visit_plans_task"]


@task()
def generate_visit_plans_task(month: str = "") -> dict[str, int]:
    """On the 1st of each month: create the month's due visits (idempotent)."""
    day = date.fromisoformat(month) if month else today()
    return services.generate_visit_plans(month=day.replace(day=1))


@task()
def care_daily(day: str = "") -> dict[str, int]:
    """Every morning: drop residents who died/moved/left the group, assign unassigned visits, send reminders."""
    on = date.fromisoformat(day) if day else today()
    dropped = services.reconcile_due_visits(on=on)
    assigned = services.assign_unassigned(on=on)
    sent = reminders.send_reminders(on=on)
    return {"dropped": dropped, "assigned": assigned, **sent}

"""Background jobs: monthly plan generation, daily reconcile + reminders, notice delivery."""

from datetime import date

from django_tasks import task

from care.periods import today


@task()
def generate_visit_plans_task(month: str = "") -> dict[str, int]:
    """On the 1st of each month: create the month's due visits (idempotent)."""
    from care import services

    day = date.fromisoformat(month) if month else today()
    return services.generate_visit_plans(month=day.replace(day=1))


@task()
def care_daily(day: str = "") -> dict[str, int]:
    """Every morning: drop residents who died/moved/left the group, assign unassigned visits, send reminders."""
    from care import reminders, services

    on = date.fromisoformat(day) if day else today()
    dropped = services.reconcile_due_visits(on=on)
    assigned = services.assign_unassigned(on=on)
    sent = reminders.send_reminders(on=on)
    return {"dropped": dropped, "assigned": assigned, **sent}


@task()
def deliver_notice(notice_id: int, again: bool = False) -> int:
    """Send an emergency notice's messages (again: only to those who have not acknowledged)."""
    from care import services
    from care.models import EmergencyNotice, NoticeRecipient

    notice = EmergencyNotice.objects.get(pk=notice_id)
    recipients = NoticeRecipient.objects.filter(notice=notice)
    if again:
        recipients = recipients.filter(acknowledged_at__isnull=True)
    rows = list(recipients.only("id", "user_id", "officer_id", "resident_id", "token"))
    services.deliver(notice, rows, again=again)
    return len(rows)

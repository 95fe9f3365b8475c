"""逾期督办: open deadlines past due escalate once to the level above."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import audit
from appeals import notifications
from appeals.models import (
    Appeal,
    Deadline,
    EventAction,
)
from appeals.services import common
from appeals.services.common import CITY_CODE, add_event, parent_code
from appeals.services.permissions import handler_users, unit_users


def escalate_overdue(*, now: datetime | None = None) -> int:
    """逾期督办: every open, unpaused deadline past due escalates once to the level above and reminds the handler."""
    now = now or common.now()
    count = 0
    due = Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True, escalated_at__isnull=True,
                                  paused_at__isnull=True, due_at__lt=now).values_list("pk", flat=True)
    for pk in list(due[:5000]):
        if _escalate_one(pk, now):
            count += 1
    return count


@transaction.atomic
def _escalate_one(pk: int, now: datetime) -> bool:
    if not Deadline.objects.filter(pk=pk, escalated_at__isnull=True, met_at__isnull=True, cancelled_at__isnull=True,
                                   paused_at__isnull=True).update(escalated_at=now):
        return False  # another worker got there first
    deadline = Deadline.objects.select_related("appeal", "appeal__category", "appeal__unit").get(pk=pk)
    appeal = deadline.appeal
    above = CITY_CODE if appeal.department_id else parent_code(deadline.unit_id)
    Appeal.objects.filter(pk=appeal.pk).update(overdue_count=F("overdue_count") + 1, supervisor_unit_id=above)
    label = Deadline.Kind(deadline.kind).label
    add_event(appeal, EventAction.OVERDUE, None, public=False, at=now,
              note=f"{label}逾期（时限 {timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}），已报上一级督办。")
    audit.record(actor=None, action="appeals.overdue", obj=appeal, detail={"deadline": deadline.kind}, username="system")
    notifications.to_staff(handler_users(appeal), f"【催办】诉求 {appeal.tracking_no} {label}已逾期，请尽快办理", appeal)
    notifications.to_staff(unit_users(above), f"【督办】下级诉求 {appeal.tracking_no} {label}逾期", appeal)
    return True



"""Reminders before a period ends: to each assigned worker, and to the township when a community lags."""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Count, Q

from accounts.models import User
from accounts.roles import Role
from care.models import DueVisit
from care.periods import days_left
from care.selectors import due_q
from places.models import OrgUnit
from web.notify import notify_user


def reminder_days() -> int:
    return int(getattr(settings, "CARE_REMINDER_DAYS", 5))


def send_reminders(*, on: date) -> dict[str, int]:
    """Worker reminders when a period ends within CARE_REMINDER_DAYS; township alerts for lagging communities.

    A community lags when its share visited is below the share of the period already elapsed.
    """
    window = reminder_days()
    current = DueVisit.objects.filter(period_start__lte=on, period_end__gte=on).filter(due_q(on))
    unvisited = current.filter(Q(visited_on__isnull=True) | Q(visited_on__gt=on))
    workers = 0
    per_worker = (
        unvisited.filter(assignee__isnull=False, assignee__is_active=True)
        .values("assignee_id", "period_end").annotate(n=Count("id")).order_by()
    )
    users = User.objects.in_bulk({r["assignee_id"] for r in per_worker})
    for row in per_worker:
        left = days_left(row["period_end"], on)
        if left > window or row["assignee_id"] not in users:
            continue
        notify_user(users[row["assignee_id"]], f"探访提醒：还有 {row['n']} 人未探访",
                    f"本周期还剩 {left} 天（至 {row['period_end']:%m月%d日}），请尽快完成探访。",
                    url="/care/my/", kind="care.reminder")
        workers += 1
    # Communities behind pace, per township.
    lagging: dict[str, list[str]] = defaultdict(list)
    stats = current.values("unit_id", "period_start", "period_end").annotate(
        due=Count("id"), visited=Count("id", filter=Q(visited_on__lte=on))).order_by()
    names = {}
    for row in stats:
        span = (row["period_end"] - row["period_start"]).days + 1
        elapsed = (on - row["period_start"]).days + 1
        if row["due"] and row["visited"] / row["due"] < elapsed / span and days_left(row["period_end"], on) <= max(window, span // 2):
            lagging[row["unit_id"][:9]].append(row["unit_id"])
    if lagging:
        names = dict(OrgUnit.objects.filter(code__in=[c for v in lagging.values() for c in v]).values_list("code", "name"))
    townships = 0
    for prefix, codes in lagging.items():
        staff = User.objects.filter(role=Role.TOWNSHIP_STAFF, is_active=True, unit_id=prefix.ljust(12, "0"))  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
        listing = "、".join(sorted({names.get(c, c) for c in codes}))
        for user in staff:
            notify_user(user, f"探访进度滞后：{len(set(codes))} 个村（社区）", f"以下村（社区）探访进度落后于时间进度：{listing}",
                        url=f"/care/compliance/{prefix.ljust(12, '0')}/", kind="care.lagging")
            townships += 1
    return {"worker_reminders": workers, "township_alerts": townships}

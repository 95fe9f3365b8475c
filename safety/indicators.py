"""Indicator values this module holds, for planning (see docs/safety.md).

community_police_coverage — per village-level unit: (1 if a community police officer or auxiliary serves it on `end`,
else 0; 1): 一区一警多辅、一（多）村一辅警 (专栏2.11).
emergency_plan_coverage — per village-level unit: (1 if its emergency plan was revised within the review period before
`end` and every post of its emergency team has a person, else 0; 1): 完善村（社区）应急组织体系和工作预案.
warning_ack_rate — per village-level unit: (acknowledged, recipients) of the warnings entered between start and end.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Exists, OuterRef, Q

from care.models import NoticeRecipient
from places.codes import within
from places.models import OrgUnit
from safety.models import EmergencyPlan, PlanRole, PolicePost
from safety.selectors import review_days

Values = dict[str, tuple[float, float]]


def _villages(prefix: str) -> list[str]:
    units = OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE)
    if prefix:
        units = units.filter(within("code", prefix))
    return [str(code) for code in units.values_list("code", flat=True)]


def community_police_coverage(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    rows = PolicePost.objects.filter(started_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end))
    if prefix:
        rows = rows.filter(within("unit_id", prefix))
    served = set(rows.values_list("unit_id", flat=True))
    return {code: (1.0 if code in served else 0.0, 1.0) for code in _villages(prefix)}


def emergency_plan_coverage(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    empty = PlanRole.objects.filter(plan=OuterRef("pk"), user__isnull=True, officer__isnull=True)
    plans = EmergencyPlan.objects.filter(reviewed_on__lte=end, reviewed_on__gte=end - dt.timedelta(days=review_days()))
    if prefix:
        plans = plans.filter(within("unit_id", prefix))
    ready = set(plans.annotate(gap=Exists(empty)).filter(gap=False).values_list("unit_id", flat=True))
    return {code: (1.0 if code in ready else 0.0, 1.0) for code in _villages(prefix)}


def warning_ack_rate(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    rows = NoticeRecipient.objects.filter(notice__safety_area__warning__entered_at__date__gte=start,
                                          notice__safety_area__warning__entered_at__date__lte=end)
    if prefix:
        rows = rows.filter(within("unit_code", prefix))
    found = {str(r["unit_code"]): (float(r["acked"]), float(r["total"])) for r in
             rows.values("unit_code").annotate(total=Count("id"), acked=Count("acknowledged_at")).order_by()}
    return {code: found.get(code, (0.0, 0.0)) for code in _villages(prefix)}


PROVIDES: dict[str, Callable[[dt.date, dt.date], Values]] = {
    "community_police_coverage": community_police_coverage,
    "emergency_plan_coverage": emergency_plan_coverage,
    "warning_ack_rate": warning_ack_rate,
}

"""Scoped reads and aggregations of the safety module."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from accounts.scoping import scope_prefix
from care.models import Drill, NoticeRecipient
from places.codes import within
from places.models import OrgUnit
from safety.models import (
    BroadcastPoint,
    CallTask,
    CrowdedPlace,
    EmergencyPlan,
    EvacuationNeed,
    HelpGroup,
    HelpPlan,
    Inspection,
    PlanRole,
    PlanRoleKind,
    PolicePost,
    Warning,
)

CHILD_LENGTH = {2: 4, 4: 6, 6: 9, 9: 12, 12: 12}


def review_days() -> int:
    return int(getattr(settings, "SAFETY_PLAN_REVIEW_DAYS", 365))


def is_staff(user: Any) -> bool:
    return scope_prefix(user) is not None


def _villages(prefix: str) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.VILLAGE)


def gaps(prefix: str, on: dt.date) -> list[dict[str, Any]]:
    """Every gap in the subtree: no plan, a plan past the review period, a role without a person, a resident who
    needs help to evacuate without a responsible worker."""
    stale = on - dt.timedelta(days=review_days())
    names = dict(_villages(prefix).values_list("code", "name"))
    plans = {p.unit_id: p for p in EmergencyPlan.objects.filter(within("unit_id", prefix))}
    found: list[dict[str, Any]] = []
    for code, name in sorted(names.items()):
        plan = plans.get(code)
        if plan is None:
            found.append({"code": code, "unit": name, "kind": "no_plan", "text": "未制定应急预案"})
        elif plan.reviewed_on < stale:
            found.append({"code": code, "unit": name, "kind": "stale", "text": f"预案超过 {review_days()} 天未修订（{plan.reviewed_on}）"})
    labels = dict(PlanRoleKind.choices)
    for role in PlanRole.objects.filter(within("plan__unit_id", prefix), user__isnull=True, officer__isnull=True).values(
            "plan__unit_id", "role"):
        code = role["plan__unit_id"]  # type: ignore[assignment]  # values() rows are typed loosely
        found.append({"code": code, "unit": names.get(code, code), "kind": "role", "text": f"“{labels.get(role['role'])}”无人担任"})
    for need in EvacuationNeed.objects.filter(within("unit_id", prefix), helper__isnull=True).select_related("resident"):
        from people.masking import mask_name

        found.append({"code": need.unit_id, "unit": names.get(need.unit_id, need.unit_id), "kind": "helper",
                      "text": f"需协助转移的居民 {mask_name(need.resident.name)}（{need.get_reason_display()}）未指定责任人"})
    return sorted(found, key=lambda g: g["code"])


def readiness(unit: OrgUnit, on: dt.date) -> dict[str, Any]:
    """Per child unit: villages, plans current, all roles filled, drills this year, needs with a helper."""
    length = CHILD_LENGTH[len(unit.prefix)]
    stale = on - dt.timedelta(days=review_days())

    def grouped(qs: QuerySet[Any], field: str, **agg: Any) -> dict[str, dict[str, int]]:
        rows = qs.annotate(k=Substr(field, 1, length)).values("k").annotate(**agg).order_by()
        return {r["k"]: r for r in rows}

    villages = grouped(_villages(unit.prefix), "code", n=Count("code"))
    plans = grouped(EmergencyPlan.objects.filter(within("unit_id", unit.prefix)), "unit_id",
                    n=Count("id"), current=Count("id", filter=Q(reviewed_on__gte=stale)))
    empty = grouped(PlanRole.objects.filter(within("plan__unit_id", unit.prefix), user__isnull=True, officer__isnull=True),
                    "plan__unit_id", n=Count("plan_id", distinct=True))
    drills = grouped(Drill.objects.filter(within("unit_id", unit.prefix), held_on__year=on.year), "unit_id", n=Count("id"))
    needs = grouped(EvacuationNeed.objects.filter(within("unit_id", unit.prefix)), "unit_id",
                    n=Count("id"), helped=Count("id", filter=Q(helper__isnull=False)))
    children = OrgUnit.objects.filter(code__in=[k.ljust(12, "0") for k in villages]).order_by("code")
    rows = []
    for child in children:
        k = child.code[:length]
        plan_n = plans.get(k, {}).get("n", 0)
        rows.append({"unit": child, "villages": villages.get(k, {}).get("n", 0), "plans": plan_n,
                     "current": plans.get(k, {}).get("current", 0), "roles_filled": plan_n - empty.get(k, {}).get("n", 0),
                     "drills": drills.get(k, {}).get("n", 0), "needs": needs.get(k, {}).get("n", 0),
                     "helped": needs.get(k, {}).get("helped", 0)})
    total = {key: sum(r[key] for r in rows) for key in ("villages", "plans", "current", "roles_filled", "drills", "needs", "helped")}  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
    return {"children": rows, "total": total}


def plans(user: Any) -> QuerySet[EmergencyPlan]:
    return EmergencyPlan.objects.visible_to(user).select_related("unit")


def needs_of(plan: EmergencyPlan) -> QuerySet[EvacuationNeed]:
    return EvacuationNeed.objects.filter(unit_id=plan.unit_id).select_related("resident", "helper")  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes


def warnings(user: Any) -> QuerySet[Warning]:
    return Warning.objects.visible_to(user).select_related("sender").prefetch_related("areas__unit")


def warning_progress(warning: Warning, user: Any) -> dict[str, Any]:
    """Per village in the user's scope: recipients, acknowledged, the unacknowledged (names masked), call tasks."""
    prefix = scope_prefix(user) or "-"
    rows = list(NoticeRecipient.objects.filter(notice__safety_area__warning=warning).filter(within("unit_code", prefix))
                .values("unit_code").annotate(total=Count("id"), acked=Count("acknowledged_at")).order_by("unit_code"))
    names = dict(OrgUnit.objects.filter(code__in=[r["unit_code"] for r in rows]).values_list("code", "name"))
    calls = {r["unit_id"]: r for r in CallTask.objects.filter(warning=warning).filter(within("unit_id", prefix))
             .values("unit_id").annotate(n=Count("id"), done=Count("done_at")).order_by()}
    units = [{"code": r["unit_code"], "name": names.get(r["unit_code"], r["unit_code"]), "total": r["total"],
              "acked": r["acked"], "pending": r["total"] - r["acked"], "calls": calls.get(r["unit_code"], {}).get("n", 0),
              "calls_done": calls.get(r["unit_code"], {}).get("done", 0),
              "rate": r["acked"] / r["total"] if r["total"] else None} for r in rows]
    total = sum(u["total"] for u in units)
    acked = sum(u["acked"] for u in units)
    seconds = (warning.delivered_at - warning.entered_at).total_seconds() if warning.delivered_at else None
    return {"units": units, "total": total, "acked": acked, "seconds": seconds, "rate": acked / total if total else None}


def unacknowledged(warning: Warning, user: Any) -> QuerySet[NoticeRecipient]:
    prefix = scope_prefix(user) or "-"
    return (NoticeRecipient.objects.filter(notice__safety_area__warning=warning, acknowledged_at__isnull=True)
            .filter(within("unit_code", prefix)).order_by("unit_code", "kind", "id"))


def broadcast_points(user: Any, warning: Warning) -> QuerySet[BroadcastPoint]:
    area = Q(pk__in=[])
    for a in warning.areas.all():
        area |= within("unit_id", a.unit.prefix)
    return BroadcastPoint.objects.visible_to(user).filter(area).select_related("unit", "facility")


def calls_for(user: Any) -> QuerySet[CallTask]:
    rows = CallTask.objects.visible_to(user).select_related("resident", "warning", "unit")
    if getattr(user, "role", "") == "community_worker":
        rows = rows.filter(Q(worker=user) | Q(worker__isnull=True))
    return rows.order_by("done_at", "-warning__entered_at", "unit_id", "id")


def places(user: Any, *, overdue: bool = False, on: dt.date | None = None) -> QuerySet[CrowdedPlace]:
    rows = CrowdedPlace.objects.visible_to(user).select_related("unit", "grid_member")
    if overdue:
        rows = rows.filter(inspections__in=overdue_inspections(on or timezone.localdate())).distinct()
    return rows.order_by("unit_id", "name")


def overdue_inspections(on: dt.date) -> QuerySet[Inspection]:
    return Inspection.objects.filter(corrected_on__isnull=True, correct_by__lt=on)


def police(user: Any) -> QuerySet[PolicePost]:
    return PolicePost.objects.visible_to(user).select_related("unit", "office").filter(ended_on__isnull=True)


def police_coverage(prefix: str, on: dt.date) -> tuple[int, int]:
    villages = _villages(prefix)
    served = PolicePost.objects.filter(within("unit_id", prefix), started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)).values("unit_id").distinct().count()
    return served, villages.count()


def help_plans(user: Any) -> QuerySet[HelpPlan]:
    return HelpPlan.objects.visible_to(user).select_related("resident", "worker", "unit")


def contact_status(plan: HelpPlan, on: dt.date) -> dict[str, Any]:
    from safety.models import CONTACT_DAYS

    last = plan.contacts.order_by("-contacted_on").values_list("contacted_on", flat=True).first()
    days = CONTACT_DAYS[HelpGroup(plan.group)]
    due = (last or plan.started_on) + dt.timedelta(days=days)
    return {"last": last, "due": due, "overdue": plan.closed_on is None and due < on, "every": days}


def help_figures(prefix: str, on: dt.date) -> list[dict[str, Any]]:
    """By county and group: open plans, on schedule, overdue — counts only (for the judicial and health departments)."""
    from safety.models import CONTACT_DAYS

    out: dict[tuple[str, str], dict[str, Any]] = {}
    for plan in HelpPlan.objects.filter(within("unit_id", prefix), closed_on__isnull=True).prefetch_related("contacts"):
        key = (plan.unit_id[:6] + "000000", plan.group)
        row = out.setdefault(key, {"county": key[0], "group": HelpGroup(plan.group).label, "open": 0, "on_schedule": 0, "overdue": 0})
        last = max((c.contacted_on for c in plan.contacts.all()), default=plan.started_on)
        row["open"] += 1
        if last + dt.timedelta(days=CONTACT_DAYS[HelpGroup(plan.group)]) < on:
            row["overdue"] += 1
        else:
            row["on_schedule"] += 1
    names = dict(OrgUnit.objects.filter(code__in=[k[0] for k in out]).values_list("code", "name"))
    for row in out.values():
        row["county_name"] = names.get(row["county"], row["county"])
    return [out[k] for k in sorted(out)]

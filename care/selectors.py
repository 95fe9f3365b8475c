"""Scoped reads and aggregations of the care module (GROUP BY on a code prefix)."""

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear, Substr

from care.models import (
    CHECKLIST,
    RATING_SCORE,
    DisasterOfficer,
    Drill,
    DueVisit,
    EmergencyNotice,
    EmergencyShelter,
    NoticeRecipient,
    Visit,
)
from care.periods import days_left, month_bounds
from people.models import Resident, ResidentMove, ResidentTag
from places.codes import within
from places.models import OrgUnit

DEFAULT_TAG = "special_hardship_elderly"
CHILD_LENGTH = {4: 6, 6: 9, 9: 12, 12: 12}


def due_q(as_of: date) -> Q:
    """Due visits that count on day as_of (the rate's denominator).

    A visited row always counts. An unvisited row stops counting from the day its resident
    dropped out: removed_on (persisted by the daily reconcile) or, before that has run,
    a death / move-out recorded in the register with status_date on or before as_of, a
    move to another community dated on or before as_of, or the group tag taken away.
    """
    has_tag = Exists(ResidentTag.objects.filter(resident_id=OuterRef("resident_id"), tag=OuterRef("tag")))
    # Moved to another community of the city: still due there until the move date (people.ResidentMove).
    lives_there: Any = Q(resident__unit_id=F("unit_id")) | Exists(ResidentMove.objects.filter(
        resident_id=OuterRef("resident_id"), from_unit_id=OuterRef("unit_id"), moved_on__gt=as_of))
    still_there = (
        (Q(removed_on__isnull=True) | Q(removed_on__gt=as_of))
        & lives_there
        & (Q(resident__status=Resident.Status.PRESENT) | Q(resident__status_date__gt=as_of))
        & has_tag
    )
    return Q(visited_on__isnull=False) | still_there


def rows_in_period(as_of: date, tag: str = DEFAULT_TAG, prefix: str = "") -> QuerySet[DueVisit]:
    qs = DueVisit.objects.filter(tag=tag, period_start__lte=as_of, period_end__gte=as_of).filter(due_q(as_of))
    return qs.filter(within("unit_id", prefix)) if prefix else qs


def visit_rates(prefix: str, as_of: date, *, tag: str = DEFAULT_TAG, length: int = 12) -> dict[str, tuple[int, int]]:
    """{code prefix of the given length: (visited, due)} for the period of tag containing as_of."""
    key = F("unit_id") if length == 12 else Substr("unit_id", 1, length)
    rows = (
        rows_in_period(as_of, tag, prefix)
        .annotate(k=key).values("k")
        .annotate(due=Count("id"), visited=Count("id", filter=Q(visited_on__lte=as_of)))
        .order_by()
    )
    return {r["k"]: (r["visited"], r["due"]) for r in rows}


def rate(visited: int, due: int) -> float | None:
    return visited / due if due else None


def compliance(unit: OrgUnit, as_of: date, tag: str = DEFAULT_TAG) -> dict[str, Any]:
    """The unit's own rate and one row per child unit (drill-down)."""
    length = CHILD_LENGTH[len(unit.prefix)]
    by_child = visit_rates(unit.prefix, as_of, tag=tag, length=length)
    total_visited = sum(v for v, _ in by_child.values())
    total_due = sum(d for _, d in by_child.values())
    children = []
    if not unit.is_village_level:
        for child in unit.children.order_by("code"):
            visited, due = by_child.get(child.prefix, (0, 0))
            children.append({"unit": child, "visited": visited, "due": due, "pending": due - visited, "rate": rate(visited, due)})
    return {"visited": total_visited, "due": total_due, "pending": total_due - total_visited,
            "rate": rate(total_visited, total_due), "children": children}


def pending_visits(prefix: str, as_of: date, tag: str = DEFAULT_TAG) -> QuerySet[DueVisit]:
    """Not yet visited in the current period, soonest deadline first."""
    return (
        rows_in_period(as_of, tag, prefix).filter(Q(visited_on__isnull=True) | Q(visited_on__gt=as_of))
        .select_related("resident", "assignee", "unit").order_by("period_end", "unit_id", "resident__name")
    )


def my_visits(user: Any, as_of: date) -> list[DueVisit]:
    """A worker's due visits whose period contains as_of (and the community's unassigned ones), unvisited first."""
    unassigned = Q(assignee__isnull=True, volunteer_name="", unit_id=getattr(user, "unit_id", None))
    rows = list(
        DueVisit.objects.visible_to(user).filter(Q(assignee=user) | unassigned, period_start__lte=as_of, period_end__gte=as_of)
        .filter(due_q(as_of)).select_related("resident", "resident__household", "rule")
        .order_by(F("visited_on").asc(nulls_first=True), "period_end", "resident__name")
    )
    for row in rows:
        row.days_left = days_left(row.period_end, as_of)  # type: ignore[attr-defined]  # an attribute put on a model row for the template
    return rows


def residents_for_visits(user: Any) -> QuerySet[Resident]:
    return Resident.objects.visible_to(user)


def visits_of(user: Any, resident: Resident) -> QuerySet[Visit]:
    return Visit.objects.visible_to(user).filter(resident=resident).select_related("visitor").prefetch_related("photos")


def checklist_trend(visits: list[Visit]) -> list[dict[str, Any]]:
    """Oldest first: one point per visit, 2 = 良好, 1 = 一般, 0 = 较差 for each checklist item."""
    return [
        {"date": timezone_date(v), **{field: RATING_SCORE[getattr(v, field)] for field, _ in CHECKLIST}}
        for v in reversed(visits)
    ]


def timezone_date(visit: Visit) -> str:
    from django.utils import timezone

    return timezone.localtime(visit.visited_at).date().isoformat()


# ---- Emergency readiness -----------------------------------------------------------

def officer_coverage(prefix: str, as_of: date, *, length: int = 12) -> dict[str, tuple[int, int]]:
    """{code prefix: (village-level units with ≥1 serving officer, village-level units)}."""
    serving = DisasterOfficer.objects.filter(within("unit_id", prefix), appointed_on__lte=as_of).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
    )
    covered = set(serving.values_list("unit_id", flat=True).distinct())
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code in OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.VILLAGE).values_list("code", flat=True):
        cell = out[code[:length]]
        cell[1] += 1
        cell[0] += code in covered
    return {k: (v[0], v[1]) for k, v in out.items()}


def readiness(unit: OrgUnit, as_of: date) -> dict[str, Any]:
    length = CHILD_LENGTH[len(unit.prefix)]
    coverage = officer_coverage(unit.prefix, as_of, length=length)
    shelters = dict(
        EmergencyShelter.objects.filter(within("unit_id", unit.prefix)).annotate(k=Substr("unit_id", 1, length))
        .values("k").annotate(n=Count("id")).order_by().values_list("k", "n")
    )
    drills = dict(
        Drill.objects.filter(within("unit_id", unit.prefix), held_on__year=as_of.year).annotate(k=Substr("unit_id", 1, length))
        .values("k").annotate(n=Count("id")).order_by().values_list("k", "n")
    )
    children = []
    if not unit.is_village_level:
        for child in unit.children.order_by("code"):
            covered, total = coverage.get(child.prefix, (0, 0))
            children.append({"unit": child, "covered": covered, "villages": total,
                             "shelters": shelters.get(child.prefix, 0), "drills": drills.get(child.prefix, 0)})
    covered = sum(c for c, _ in coverage.values())
    total = sum(t for _, t in coverage.values())
    return {"covered": covered, "villages": total, "shelters": sum(shelters.values()), "drills": sum(drills.values()),
            "children": children}


def drills_per_year(prefix: str, *, length: int = 12) -> dict[tuple[str, int], int]:
    rows = (
        Drill.objects.filter(within("unit_id", prefix)).annotate(k=Substr("unit_id", 1, length), y=ExtractYear("held_on"))
        .values("k", "y").annotate(n=Count("id")).order_by()
    )
    return {(r["k"], r["y"]): r["n"] for r in rows}


def notices_for(user: Any) -> QuerySet[EmergencyNotice]:
    """Notices sent to a subtree the user can see (sent inside their scope)."""
    return EmergencyNotice.objects.visible_to(user).select_related("unit", "sender")


def ack_rates(notice: EmergencyNotice) -> dict[str, Any]:
    """Acknowledged / sent per child unit of the notice's unit, plus the total (one GROUP BY)."""
    length = CHILD_LENGTH[len(notice.unit.prefix)]
    rows = list(
        NoticeRecipient.objects.filter(notice=notice).annotate(k=Substr("unit_code", 1, length)).values("k")
        .annotate(total=Count("id"), acked=Count("acknowledged_at"), last=Max("acknowledged_at")).order_by("k")
    )
    names = dict(OrgUnit.objects.filter(code__in=[r["k"].ljust(12, "0") for r in rows]).values_list("code", "name"))
    units = [{"code": r["k"].ljust(12, "0"), "name": names.get(r["k"].ljust(12, "0"), r["k"]), "total": r["total"],
              "acked": r["acked"], "rate": rate(r["acked"], r["total"])} for r in rows]
    total = sum(u["total"] for u in units)
    acked = sum(u["acked"] for u in units)
    last = max((r["last"] for r in rows if r["last"] is not None), default=None)
    return {"units": units, "total": total, "acked": acked, "rate": rate(acked, total), "last_ack": last}


def month_of(day: date) -> tuple[date, date]:
    return month_bounds(day)




def rates_all_units(as_of: date, tag: str = DEFAULT_TAG) -> dict[str, tuple[int, int]]:
    """(visited, due) for every unit of the tree: one GROUP BY per village, rolled up by code prefix."""
    by_village = visit_rates("1311", as_of, tag=tag, length=12)
    prefixes = dict(OrgUnit.objects.values_list("code", "prefix"))
    out: dict[str, list[int]] = {code: [0, 0] for code in prefixes}
    by_prefix = {prefix: out[code] for code, prefix in prefixes.items()}
    for code, (visited, due) in by_village.items():
        for n in (4, 6, 9, 12):
            cell = by_prefix.get(code[:n])
            if cell is not None:
                cell[0] += visited
                cell[1] += due
    return {code: (v[0], v[1]) for code, v in out.items()}

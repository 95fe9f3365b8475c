"""Scoped reads of 换届选举 / 资格联审, 书记备案, the reserve pool, the training monitor and qualifications.

Every figure is a fixed number of queries whatever the subtree's size.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.scoping import get_visible_or_404
from places.codes import within
from places.models import Department, OrgUnit
from workforce.models import (
    COUNTED,
    SECRETARY_POSITIONS,
    Answer,
    Candidate,
    CommunityWorker,
    ElectionRound,
    ReserveCandidate,
    ReserveOutcome,
    ReviewDepartment,
    ReviewRequest,
    SocialWorkExam,
    TrainingAttendance,
    in_post_on,
)
from workforce.selectors import _child_prefix_length


def min_training_hours() -> Decimal:
    """The city's minimum training hours a worker completes per year (setting WORKFORCE_MIN_TRAINING_HOURS)."""
    return Decimal(str(getattr(settings, "WORKFORCE_MIN_TRAINING_HOURS", 24)))


# ---------------------------------------------------------------- elections

def elections(user: Any, unit: OrgUnit) -> QuerySet[ElectionRound]:
    return (ElectionRound.objects.visible_to(user).filter(within("unit_id", unit.prefix)).select_related("unit")
            .annotate(candidate_count=Count("candidates")).order_by("-election_date", "unit_id", "kind"))


def election_for_user(user: Any, pk: int) -> ElectionRound:
    return get_visible_or_404(ElectionRound.objects.visible_to(user).select_related("unit"), pk=pk)


def candidate_for_user(user: Any, pk: int) -> Candidate:
    return get_visible_or_404(Candidate.objects.visible_to(user).select_related("election", "election__unit"), pk=pk)


def departments(election_filter: Q) -> list[Department]:
    """Matrix columns: active reviewing departments and any department already sent a request of these rounds."""
    used = ReviewRequest.objects.filter(election_filter).values("department_id")
    configured = ReviewDepartment.objects.filter(active=True).values("department_id")
    order = {d: i for i, d in enumerate(ReviewDepartment.objects.values_list("department_id", flat=True))}
    rows = list(Department.objects.filter(Q(pk__in=used) | Q(pk__in=configured)))
    return sorted(rows, key=lambda d: (order.get(d.pk, 999), d.code))


def status_of(answers: list[str], eligible: bool) -> str:
    if eligible:
        return "合格（已确认）"
    if not answers:
        return "未送审"
    if Answer.FAIL in answers:
        return "不合格"
    if Answer.PENDING in answers:
        return "审查中"
    return "全部通过，待确认"


def matrix(user: Any, unit: OrgUnit, *, year: int | None = None, election: ElectionRound | None = None,
           limit: int | None = None) -> dict[str, Any]:
    """Candidates × departments of the rounds in the unit's subtree (one round, or the rounds of a term year).

    Three queries: the departments, the candidates, their requests.
    """
    candidates = Candidate.objects.visible_to(user).filter(within("election__unit_id", unit.prefix))
    if election is not None:
        candidates = candidates.filter(election=election)
    elif year is not None:
        candidates = candidates.filter(election__term_starts_on__year=year)
    where = Q(candidate__in=candidates.values("pk"))
    columns = departments(where)
    rows_qs = candidates.select_related("election", "election__unit").order_by("election__unit_id", "election__kind",
                                                                               "name", "pk")
    total = rows_qs.count() if limit is not None else None
    shown = list(rows_qs[:limit] if limit is not None else rows_qs)
    cells: dict[int, dict[int, ReviewRequest]] = {}
    reviews = ReviewRequest.objects.filter(candidate__in=[c.pk for c in shown]) if limit is not None else \
        ReviewRequest.objects.filter(where)
    for review in reviews.only("id", "candidate_id", "department_id", "answer", "reason", "due_at", "answered_at",
                               "escalated_at"):
        cells.setdefault(review.candidate_id, {})[review.department_id] = review
    rows = []
    for candidate in shown:
        mine = cells.get(candidate.pk, {})
        rows.append({"candidate": candidate, "cells": [mine.get(d.pk) for d in columns],
                     "status": status_of([r.answer for r in mine.values()], candidate.eligible_on is not None)})
    return {"departments": columns, "rows": rows, "total": len(rows) if total is None else total}


def city_status_counts(prefix: str = "") -> dict[str, int]:
    """The whole round's status for a subtree: requests by answer, overdue and escalated (one GROUP BY)."""
    rows = ReviewRequest.objects.filter(within("candidate__election__unit_id", prefix) if prefix else Q())
    found = {a: 0 for a in Answer.values}
    found.update(dict(rows.values("answer").annotate(n=Count("id")).values_list("answer", "n")))
    found["escalated"] = rows.filter(escalated_at__isnull=False).count()
    return found


def department_reviews(user: Any, *, pending_only: bool = False) -> QuerySet[ReviewRequest]:
    """A reviewing department's own requests, with only the fields it needs about each candidate."""
    rows = ReviewRequest.objects.for_department(user).select_related("candidate__election__unit").only(
        "id", "answer", "reason", "due_at", "sent_at", "answered_at", "escalated_at", "department_id",
        "candidate__name", "candidate__gender", "candidate__birth_date", "candidate__id_number_masked",
        "candidate__nominated_for", "candidate__election__kind", "candidate__election__unit__name",
        "candidate__election__unit__code")
    if pending_only:
        rows = rows.filter(answer=Answer.PENDING)
    return rows.order_by("answer", "due_at", "pk")


def review_for_department(user: Any, pk: int) -> ReviewRequest:
    return get_visible_or_404(ReviewRequest.objects.for_department(user).select_related("candidate"), pk=pk)


# ---------------------------------------------------------------- 书记备案

def secretaries(user: Any, unit: OrgUnit, day: dt.date) -> QuerySet[CommunityWorker]:
    """Secretaries in post in the subtree with their filing (None = a gap), gaps first."""
    return (CommunityWorker.objects.visible_to(user).filter(within("unit_id", unit.prefix), in_post_on(day),
                                                            position__in=SECRETARY_POSITIONS)
            .select_related("unit", "filing").order_by(F("filing").asc(nulls_first=True), "unit_id", "pk"))


# ---------------------------------------------------------------- 后备人才库

def reserve(user: Any, unit: OrgUnit, *, outcome: str = "") -> QuerySet[ReserveCandidate]:
    rows = ReserveCandidate.objects.visible_to(user).filter(within("unit_id", unit.prefix)).select_related("unit")
    if outcome in ReserveOutcome.values:
        rows = rows.filter(outcome=outcome)
    return rows


def reserve_for_user(user: Any, pk: int) -> ReserveCandidate:
    return get_visible_or_404(ReserveCandidate.objects.visible_to(user), pk=pk)


def _by_child(unit: OrgUnit, values: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    village = unit.level == OrgUnit.Level.VILLAGE
    cut = len(unit.code) if village else _child_prefix_length(unit)
    children = [unit] if village else list(unit.children.order_by("code"))
    rows: dict[str, dict[str, Any]] = {c.code[:cut]: {"unit": c, "n": 0.0, "d": 0.0} for c in children}
    for code, (n, d) in values.items():
        row = rows.get(code[:cut])
        if row:
            row["n"] += n
            row["d"] += d
    return list(rows.values())


def reserve_figures(unit: OrgUnit, year: int) -> dict[str, Any]:
    """Pool size per child unit, and the share of this year's newly elected committee members who came from the pool."""
    pool = dict(ReserveCandidate.objects.filter(within("unit_id", unit.prefix), outcome=ReserveOutcome.IN_POOL)
                .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    elected = CommunityWorker.objects.filter(within("unit_id", unit.prefix), election__isnull=False,
                                             started_on__year=year)
    new = dict(elected.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    came = dict(Candidate.objects.filter(within("election__unit_id", unit.prefix), reserve__isnull=False,
                                         reserve__outcome=ReserveOutcome.ENTERED,
                                         election__term_starts_on__year=year, election__results_recorded_at__isnull=False)
                .values("election__unit_id").annotate(n=Count("id")).values_list("election__unit_id", "n"))
    sizes = _by_child(unit, {c: (float(n), 0.0) for c, n in pool.items()})  # type: ignore[misc]  # why: the stubs type a to_field foreign key's id as int; it is the unit code
    shares = _by_child(unit, {c: (float(came.get(c, 0)), float(n)) for c, n in new.items()})  # type: ignore[misc]  # why: the stubs type a to_field foreign key's id as int; it is the unit code
    rows = [{"unit": s["unit"], "pool": int(s["n"]), "from_pool": int(h["n"]), "new_members": int(h["d"]),
             "share": h["n"] / h["d"] if h["d"] else None} for s, h in zip(sizes, shares, strict=True)]
    from_pool, new_members = sum(r["from_pool"] for r in rows), sum(r["new_members"] for r in rows)
    return {"rows": rows if unit.level != OrgUnit.Level.VILLAGE else [], "pool": sum(r["pool"] for r in rows),
            "from_pool": from_pool, "new_members": new_members,
            "share": from_pool / new_members if new_members else None}


# ---------------------------------------------------------------- training monitor (专栏5.1) and qualifications (专栏5.3)

def training_hours(unit: OrgUnit, year: int, day: dt.date) -> QuerySet[CommunityWorker]:
    """Counted workers in post on day with their completed training hours on courses ending in the year."""
    hours = Coalesce(Sum(Coalesce("attendances__hours", "attendances__training__hours"),
                         filter=Q(attendances__completed=True, attendances__training__ends_on__year=year)),
                     Decimal(0), output_field=DecimalField(max_digits=7, decimal_places=1))
    return (CommunityWorker.objects.filter(within("unit_id", unit.prefix), in_post_on(day), position__in=COUNTED)
            .select_related("unit").annotate(hours=hours))


def monitor(user: Any, unit: OrgUnit, day: dt.date, *, limit: int = 500) -> dict[str, Any]:
    """Each counted worker's training hours this year against the city's minimum; the list of those below it."""
    minimum = min_training_hours()
    rows = training_hours(unit, day.year, day).filter(within("unit_id", unit.prefix))
    rows = rows.filter(pk__in=CommunityWorker.objects.visible_to(user).values("pk"))
    below = rows.filter(hours__lt=minimum).order_by("unit_id", "hours", "name", "pk")  # type: ignore[misc]  # why: hours is the annotation training_hours adds
    total = rows.count()
    below_count = below.count()
    exams = SocialWorkExam.objects.filter(within("worker__unit_id", unit.prefix))
    holders = (CommunityWorker.objects.filter(within("unit_id", unit.prefix), in_post_on(day), position__in=COUNTED,
                                              exams__passed=True).distinct().count())
    by_level = dict(exams.filter(passed=True).values("level").annotate(n=Count("worker", distinct=True))
                    .values_list("level", "n"))
    return {"minimum": minimum, "total": total, "below_count": below_count, "below": list(below[:limit]),
            "met": total - below_count, "year": day.year,
            "sat": exams.values("worker").distinct().count(), "passed": exams.filter(passed=True).values("worker")
            .distinct().count(), "holders": holders, "by_level": by_level,
            "holder_share": holders / total if total else None}


def attendance_hours(worker: CommunityWorker, year: int) -> Decimal:
    found = TrainingAttendance.objects.filter(worker=worker, completed=True, training__ends_on__year=year).aggregate(
        h=Sum(Coalesce("hours", "training__hours")))["h"]
    return found or Decimal(0)


"""Scoped reads of the planning module: the ledger, progress, units whose values a user may see."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.scoping import can_see_unit, get_visible_or_404, scope_prefix
from places.codes import within
from places.models import OrgUnit
from planning import periods
from planning.models import Assignment, PlanTask, ProgressReport
from planning.services import due_date, report_periods


def unit_for_values(user: Any, code: str) -> OrgUnit:
    """A unit whose indicator values the user may see (their subtree; the city sees all) or 404."""
    from django.http import Http404

    if not can_see_unit(user, code):
        raise Http404("未找到")
    return get_visible_or_404(OrgUnit.objects.select_related("parent"), code=code)


def home_unit(user: Any) -> str | None:
    prefix = scope_prefix(user)
    return None if prefix is None else prefix.ljust(12, "0")


def tasks() -> QuerySet[PlanTask]:
    return PlanTask.objects.prefetch_related("lead_departments", "responsible_departments")


def task_progress(task: PlanTask) -> list[dict[str, Any]]:
    """Per year: assignments, reports submitted/accepted/returned, average reported percent (public summary)."""
    out = []
    years = task.assignments.values_list("year", flat=True).distinct().order_by("year")
    for year in years:
        reports = ProgressReport.objects.filter(assignment__task=task, assignment__year=year).exclude(state=ProgressReport.State.DRAFT)
        counts = reports.aggregate(
            submitted=Count("pk"), accepted=Count("pk", filter=Q(state=ProgressReport.State.ACCEPTED)),
            returned=Count("pk", filter=Q(state=ProgressReport.State.RETURNED)),
        )
        latest = {}
        for assignment_id, percent in reports.order_by("period").values_list("assignment_id", "percent"):
            latest[assignment_id] = percent
        out.append({
            "year": year, "assignments": task.assignments.filter(year=year).count(), **counts,
            "average_percent": round(sum(latest.values()) / len(latest), 1) if latest else None,
        })
    return out


def assignments_for(user: Any, year: int) -> QuerySet[Assignment]:
    return (Assignment.objects.visible_to(user).filter(year=year)
            .select_related("task", "department", "unit").prefetch_related("reports"))


def assignment_for_user(user: Any, pk: int) -> Assignment:
    return get_visible_or_404(Assignment.objects.visible_to(user).select_related("task", "department", "unit"), pk=pk)


def report_for_user(user: Any, pk: int) -> ProgressReport:
    qs = ProgressReport.objects.visible_to(user).select_related("assignment__task", "assignment__department", "assignment__unit", "author")
    return get_visible_or_404(qs, pk=pk)


def review_queue(user: Any) -> QuerySet[ProgressReport]:
    return (ProgressReport.objects.visible_to(user).filter(state=ProgressReport.State.SUBMITTED)
            .select_related("assignment__task", "assignment__department", "assignment__unit", "author").order_by("submitted_at"))


@dataclass
class PeriodCell:
    period: str
    state: str  # accepted | submitted | returned | draft | overdue | not_reported | upcoming
    label: str
    percent: int | None
    due: dt.date


CELL_LABELS = {
    "accepted": "已通过", "submitted": "待审核", "returned": "已退回", "draft": "草稿未报",
    "overdue": "逾期未报", "not_reported": "未报送", "upcoming": "未到期",
}


def period_cells(assignment: Assignment, today: dt.date | None = None) -> list[PeriodCell]:
    """Status of each report period of an assignment (uses prefetched reports)."""
    today = today or periods.today()
    reports = {r.period: r for r in assignment.reports.all()}
    cells = []
    for period in report_periods(assignment):
        report = reports.get(period.label)
        due = due_date(period)
        if report is not None and report.state != ProgressReport.State.DRAFT:
            state = str(report.state)
        elif today > due:
            state = "overdue"
        elif today > period.end:
            state = "not_reported"
        elif report is not None:
            state = "draft"
        else:
            state = "upcoming"
        cells.append(PeriodCell(period.label, state, CELL_LABELS[state], report.percent if report else None, due))
    return cells


def ledger_rows(user: Any, year: int) -> list[dict[str, Any]]:
    rows = []
    for assignment in assignments_for(user, year):
        cells = period_cells(assignment)
        rows.append({"assignment": assignment, "task": assignment.task, "cells": cells,
                     "overdue": sum(c.state == "overdue" for c in cells)})
    return rows


def late_units(prefix: str, year: int) -> list[dict[str, Any]]:
    """County-level units under prefix with overdue reports this year (the ledger's data gaps)."""
    assignments = (Assignment.objects.filter(year=year, unit__isnull=False).filter(within("unit_id", prefix))
                   .select_related("task", "unit").prefetch_related("reports"))
    late: dict[str, dict[str, Any]] = {}
    for assignment in assignments:
        overdue = sum(c.state == "overdue" for c in period_cells(assignment))
        if overdue:
            entry = late.setdefault(str(assignment.unit_id), {"unit": assignment.unit, "overdue": 0})
            entry["overdue"] += overdue
    return sorted(late.values(), key=lambda e: -e["overdue"])


def can_see(user: Any, code: str) -> bool:
    return can_see_unit(user, code)

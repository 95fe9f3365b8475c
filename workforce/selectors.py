"""Scoped reads of the workforce module and per-subtree figures (GROUP BY on code prefixes)."""

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet

from accounts.scoping import get_visible_or_404
from places.codes import PREFIX_LENGTH, within
from places.models import OrgUnit
from workforce import indicators
from workforce.models import CommunityWorker, Position, Training, TrainingAttendance, in_post_on

STATUS_CHOICES = [("in_post", "在岗"), ("ended", "已离任"), ("all", "全部")]


def workers(user: Any, unit: OrgUnit, *, position: str = "", status: str = "in_post",
            day: dt.date) -> QuerySet[CommunityWorker]:
    """Workers the user may see in the unit's subtree, optionally by position and in-post status on day."""
    rows = CommunityWorker.objects.visible_to(user).filter(within("unit_id", unit.prefix)).select_related("unit")
    if position in Position.values:
        rows = rows.filter(position=position)
    if status == "in_post":
        rows = rows.filter(in_post_on(day))
    elif status == "ended":
        rows = rows.exclude(in_post_on(day))
    return rows


def worker_for_user(user: Any, pk: int) -> CommunityWorker:
    return get_visible_or_404(CommunityWorker.objects.visible_to(user).select_related("unit", "account"), pk=pk)


def trainings(user: Any) -> QuerySet[Training]:
    return Training.objects.visible_to(user).select_related("unit").annotate(
        attendees=Count("attendances")).order_by("-starts_on", "pk")


def training_for_user(user: Any, pk: int) -> Training:
    return get_visible_or_404(Training.objects.visible_to(user).select_related("unit"), pk=pk)


def attendance_of(user: Any, training: Training) -> QuerySet[TrainingAttendance]:
    """Attendance on a training of the workers the user may see (a county training shows each county only its own)."""
    return (TrainingAttendance.objects.visible_to(user).filter(training=training)
            .select_related("worker", "worker__unit").order_by("worker__unit_id", "worker__name"))


def attendance_of_worker(worker: CommunityWorker) -> QuerySet[TrainingAttendance]:
    return worker.attendances.select_related("training").order_by("-training__starts_on")


def position_counts(unit: OrgUnit, day: dt.date) -> list[dict[str, Any]]:
    """Workers in post on day in the unit's subtree, by position (one GROUP BY)."""
    found = dict(CommunityWorker.objects.filter(within("unit_id", unit.prefix), in_post_on(day))
                 .values("position").annotate(n=Count("id")).values_list("position", "n"))
    return [{"position": label, "count": found.get(value, 0)} for value, label in Position.choices]


def _child_prefix_length(unit: OrgUnit) -> int:
    levels = list(PREFIX_LENGTH)
    index = levels.index(unit.level)
    return PREFIX_LENGTH[levels[min(index + 1, len(levels) - 1)]]


def summary(unit: OrgUnit, day: dt.date) -> dict[str, Any]:
    """Workers per 10,000 urban residents and the secretary/director training rate, for the unit and each child."""
    per_10k = indicators.workers_per_10k_urban_residents(day, day, prefix=unit.prefix)
    training = indicators.secretary_director_training_rate(day, day, prefix=unit.prefix)
    village = unit.level == OrgUnit.Level.VILLAGE
    cut = len(unit.code) if village else _child_prefix_length(unit)
    children = [unit] if village else list(unit.children.order_by("code"))
    rows: dict[str, dict[str, Any]] = {child.code[:cut]: {"unit": child, "workers": 0.0, "residents": 0.0, "trained": 0.0, "holders": 0.0}
            for child in children}
    for code, (n, d) in per_10k.items():
        row = rows.get(code[:cut])
        if row:
            row["workers"] += n
            row["residents"] += d * 10_000
    for code, (n, d) in training.items():
        row = rows.get(code[:cut])
        if row:
            row["trained"] += n
            row["holders"] += d
    total: dict[str, Any] = {"unit": unit, "workers": 0.0, "residents": 0.0, "trained": 0.0, "holders": 0.0}
    for row in rows.values():
        for key in ("workers", "residents", "trained", "holders"):
            total[key] += row[key]
    for row in [*rows.values(), total]:
        row["per_10k"] = row["workers"] / row["residents"] * 10_000 if row["residents"] else None
        row["rate"] = row["trained"] / row["holders"] if row["holders"] else None
    return {"total": total, "children": [] if village else list(rows.values()), "year": day.year}

"""Figures of a subtree for the dashboard page and its .xlsx exports (docs/volunteers.md, "Dashboards").

Every figure reads through the one hours rule (volunteers.hours): a volunteer's hours are their confirmed records
with overlaps counted once; hours per month split each merged stretch at month boundaries (local time).
"""

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count
from django.utils import timezone

from places.codes import within
from volunteers import hours
from volunteers.models import Activity, PartyMember, ServiceRecord, TargetGroup, Volunteer

FIGURES = {"overview": "志愿者概况", "months": "每月服务时长", "targets": "活动服务对象", "stars": "星级分布",
           "reporting": "在职党员报到率（按工作单位）"}


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def overview(prefix: str, year: int) -> dict[str, Any]:
    """Volunteers, residents, volunteers per 10,000 residents, active (served this year) and their share."""
    from people.models import Resident

    start, end = _year_bounds(year)
    volunteers = Volunteer.objects.filter(within("unit_id", prefix)).count()
    residents = Resident.objects.filter(within("unit_id", prefix), status=Resident.Status.PRESENT).count()
    active = (ServiceRecord.objects.filter(within("volunteer__unit_id", prefix), confirmed=True, started_at__lt=end,
                                           ended_at__gt=start).values("volunteer_id").distinct().count())
    return {"volunteers": volunteers, "residents": residents, "active": active,
            "per_10k": round(volunteers * 10000 / residents, 1) if residents else None,
            "active_share": active / volunteers if volunteers else None}


def hours_by_month(prefix: str, year: int) -> list[tuple[str, float]]:
    """(YYYY-MM, hours) for the twelve months of the year: each volunteer's merged time, split at month starts."""
    start, end = _year_bounds(year)
    tz = timezone.get_current_timezone()
    bounds = [dt.datetime(year, m, 1, tzinfo=tz) for m in range(1, 13)] + [end]
    totals = [0.0] * 12
    rows = (ServiceRecord.objects.filter(within("volunteer__unit_id", prefix), confirmed=True, started_at__lt=end,
                                         ended_at__gt=start)
            .order_by("volunteer_id", "started_at").values_list("volunteer_id", "started_at", "ended_at"))
    current: int | None = None
    pending: list[hours.Interval] = []

    def flush() -> None:
        for a, b in hours.merged_intervals(pending):
            for m in range(12):
                lo, hi = max(a, bounds[m]), min(b, bounds[m + 1])
                if hi > lo:
                    totals[m] += (hi - lo).total_seconds() / 3600

    for volunteer_id, a, b in rows.iterator(chunk_size=5000):
        if volunteer_id != current:
            flush()
            current, pending = volunteer_id, []
        pending.append((a, b))
    flush()
    return [(f"{year}-{m + 1:02d}", round(totals[m], 2)) for m in range(12)]


def activities_by_target(prefix: str, year: int) -> list[tuple[str, int]]:
    start, end = _year_bounds(year)
    counted = dict(Activity.objects.filter(within("unit_id", prefix), starts_at__gte=start, starts_at__lt=end)
                   .values("target_group").annotate(n=Count("id")).values_list("target_group", "n"))
    return [(str(label), int(counted.get(value, 0))) for value, label in TargetGroup.choices]


def star_levels(prefix: str) -> list[tuple[str, int]]:
    """Volunteers of the subtree by star level (未达星级 below 100 hours)."""
    found = hours.hours_of_subtree(prefix)
    counted = Counter(hours.star_level(found.get(pk, 0.0))
                      for pk in Volunteer.objects.filter(within("unit_id", prefix)).values_list("pk", flat=True))
    return [("未达星级", counted[0]), *[(hours.STAR_LABELS[n], counted[n]) for n in range(1, 6)]]


def reporting_by_work_unit(prefix: str, day: dt.date) -> list[tuple[str, int, int, float | None]]:
    """Members living in the subtree, by work unit: (work unit, reported and confirmed this year, on roster, rate)."""
    from volunteers.indicators import _reported_in_year

    rows = (PartyMember.objects.filter(within("residence_id", prefix)).values("work_unit__name")
            .annotate(total=Count("id", distinct=True), done=Count("id", filter=_reported_in_year(day), distinct=True))
            .order_by("work_unit__name").values_list("work_unit__name", "done", "total"))
    return [(str(name), int(done), int(total), done / total if total else None) for name, done, total in rows]


def table(figure: str, prefix: str, year: int) -> tuple[list[str], list[list[Any]]]:
    """A figure as headers and rows, for the page's tables and the .xlsx export."""
    from shequ.xlsx import Percent

    if figure == "overview":
        o = overview(prefix, year)
        return (["志愿者人数", "常住居民数", "每万名居民志愿者数", f"{year}年参与服务人数", "活跃比例"],
                [[o["volunteers"], o["residents"], o["per_10k"], o["active"], Percent(o["active_share"])]])
    if figure == "months":
        return ["月份", "服务时长（小时）"], [list(r) for r in hours_by_month(prefix, year)]
    if figure == "targets":
        return ["服务对象", f"{year}年活动数"], [list(r) for r in activities_by_target(prefix, year)]
    if figure == "stars":
        return ["星级", "志愿者人数"], [list(r) for r in star_levels(prefix)]
    if figure == "reporting":
        end = min(dt.date(year, 12, 31), timezone.localdate())
        return (["工作单位", "已报到（社区确认）", "在册党员", "报到率"],
                [[n, d, t, Percent(r)] for n, d, t, r in reporting_by_work_unit(prefix, end)])
    raise KeyError(figure)


def unit_figures(prefix: str = "") -> tuple[dict[int, float], dict[str, tuple[int, float, list[int]]]]:
    """Every volunteer's hours (overlaps once), and per village-level unit: (volunteers, their hours, count per star
    level 0–5). One ordered pass over the records (hours.hours_of_subtree) and one over the volunteers."""
    found = hours.hours_of_subtree(prefix)
    units: dict[str, tuple[int, float, list[int]]] = {}
    for pk, unit in Volunteer.objects.filter(within("unit_id", prefix)).values_list("pk", "unit_id").iterator(chunk_size=20000):
        count, total, stars = units.get(str(unit)) or (0, 0.0, [0] * 6)
        h = found.get(pk, 0.0)
        stars[hours.star_level(h)] += 1
        units[str(unit)] = (count + 1, total + h, stars)
    return found, units

"""The one hours rule: a volunteer's hours are their confirmed service time with overlaps counted once.

Two activities from 9:00–11:00 and 10:00–12:00 give 3 hours, not 4. After merging, no stretch of time is counted
twice, so no calendar day (Asia/Shanghai, no daylight saving) can hold more than 24 hours of one volunteer.
Star levels (星级) follow the national record rules on the cumulative confirmed hours.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import FloatField, Func

STARS: list[tuple[int, int]] = [(1500, 5), (1000, 4), (600, 3), (300, 2), (100, 1)]  # (hours at least, stars)
STAR_LABELS = {1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}

Interval = tuple[Any, Any]  # (start, end): datetimes, or epoch seconds


def _span(start: Any, end: Any) -> float:
    delta = end - start
    return delta.total_seconds() if isinstance(delta, dt.timedelta) else float(delta)


def merged_seconds(intervals: Iterable[Interval]) -> float:
    """Seconds covered by the union of the intervals (each counted once, however many overlap).

    The ends are datetimes, or epoch seconds (the bulk reads below, which the database converts faster)."""
    total = 0.0
    current_start: dt.datetime | None = None
    current_end: dt.datetime | None = None
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += _span(current_start, current_end)
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_start is not None and current_end is not None:
        total += _span(current_start, current_end)
    return round(total, 3)  # epoch floats: to the millisecond, so 360,000 s is exactly 100 hours


def hours_by_volunteer(rows: Iterable[tuple[int, dt.datetime, dt.datetime]]) -> Iterator[tuple[int, float]]:
    """(volunteer id, hours) for rows of (volunteer id, start, end) sorted by volunteer id: one pass, flat memory."""
    current: int | None = None
    pending: list[Interval] = []
    for volunteer_id, start, end in rows:
        if volunteer_id != current:
            if current is not None:
                yield current, merged_seconds(pending) / 3600
            current, pending = volunteer_id, []
        pending.append((start, end))
    if current is not None:
        yield current, merged_seconds(pending) / 3600


def star_level(hours: float) -> int:
    """0 below 100 hours, else 1–5."""
    for threshold, stars in STARS:
        if hours >= threshold:
            return stars
    return 0


def star_label(hours: float) -> str:
    """一星 … 五星, or '' below 100 hours."""
    return STAR_LABELS.get(star_level(hours), "")


def volunteer_hours(volunteer_id: int) -> float:
    """One volunteer's confirmed hours."""
    from volunteers.models import ServiceRecord

    rows = ServiceRecord.objects.filter(volunteer_id=volunteer_id, confirmed=True).values_list("started_at", "ended_at")
    return merged_seconds(rows) / 3600


def hours_of(volunteer_ids: Iterable[int]) -> dict[int, float]:
    """Confirmed hours of a page of volunteers."""
    from volunteers.models import ServiceRecord

    return _summed(ServiceRecord.objects.filter(confirmed=True, volunteer_id__in=list(volunteer_ids)))


def hours_of_subtree(prefix: str) -> dict[int, float]:
    """Confirmed hours of every volunteer serving a unit of the subtree (their records anywhere count)."""
    from places.codes import within
    from volunteers.models import ServiceRecord

    return _summed(ServiceRecord.objects.filter(within("volunteer__unit_id", prefix), confirmed=True))


class Epoch(Func):
    """A datetime column as epoch seconds (a float), computed by the database: far cheaper to read in bulk than
    datetime objects (microseconds on PostgreSQL, milliseconds on SQLite)."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = ("(CAST(strftime('%%%%s', %(expressions)s) AS REAL) + CAST(strftime('%%%%f', %(expressions)s) AS REAL)"
                    " - CAST(strftime('%%%%S', %(expressions)s) AS REAL))")
        return super().as_sql(compiler, connection, template=template, **extra)


def _summed(rows: Any) -> dict[int, float]:
    ordered = (rows.order_by("volunteer_id", "started_at")
               .values_list("volunteer_id", Epoch("started_at"), Epoch("ended_at")))
    return dict(hours_by_volunteer(ordered.iterator(chunk_size=5000)))


def merged_intervals(intervals: Iterable[Interval]) -> Iterator[Interval]:
    """The union of the intervals as disjoint stretches, in order (the same merge as merged_seconds)."""
    current_start: dt.datetime | None = None
    current_end: dt.datetime | None = None
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                yield current_start, current_end
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_start is not None and current_end is not None:
        yield current_start, current_end

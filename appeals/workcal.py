"""工作日历: working days are Monday–Friday, minus public holidays, plus make-up working days (调休),
both kept as CalendarDay rows the system administrator edits. Working hours are
APPEALS_WORKDAY_START–APPEALS_WORKDAY_END (08:30–17:30 by default), in Asia/Shanghai.
"""

from datetime import date, datetime, timedelta

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from appeals import caching, conf
from appeals.models import CalendarDay

MAX_DAYS = 800


KEY = "appeals:calendar"


def clear_cache(**_: object) -> None:
    """Dropped whenever a calendar day is saved or deleted (signals below), for every process sharing the cache."""
    caching.cache().delete(KEY)


post_save.connect(clear_cache, sender=CalendarDay, dispatch_uid="appeals_calendar_save")
post_delete.connect(clear_cache, sender=CalendarDay, dispatch_uid="appeals_calendar_delete")


def _all_adjustments() -> dict[date, str]:
    """Every calendar adjustment (the table holds a few dozen rows a year), cached (appeals.caching)."""
    store = caching.cache()
    found = store.get(KEY)
    if found is None:
        found = dict(CalendarDay.objects.values_list("date", "kind"))
        store.set(KEY, found, caching.CALENDAR_SECONDS)
    return found


def _adjustments(start: date, end: date) -> dict[date, str]:
    return {day: kind for day, kind in _all_adjustments().items() if start <= day <= end}


def is_working_day(day: date, adjustments: dict[date, str] | None = None) -> bool:
    if adjustments is None:
        adjustments = _adjustments(day, day)
    kind = adjustments.get(day)
    if kind == CalendarDay.Kind.HOLIDAY:
        return False
    if kind == CalendarDay.Kind.WORKDAY:
        return True
    return day.weekday() < 5


def hours_per_day() -> float:
    start = datetime.combine(date.min, conf.WORKDAY_START)
    end = datetime.combine(date.min, conf.WORKDAY_END)
    return (end - start).total_seconds() / 3600


def adjustments_from(start: datetime) -> dict[date, str]:
    """Load the calendar once for several computations starting at `start`."""
    day = timezone.localdate(start)
    return _adjustments(day - timedelta(days=1), day + timedelta(days=MAX_DAYS))


def add_working_hours(start: datetime, hours: float, adjustments: dict[date, str] | None = None) -> datetime:
    """The moment `hours` working hours after `start` (counted only inside working hours of working days)."""
    tz = timezone.get_current_timezone()
    local = timezone.localtime(start, tz)
    remaining = timedelta(hours=hours)
    if adjustments is None:
        adjustments = _adjustments(local.date(), local.date() + timedelta(days=MAX_DAYS))
    day = local.date()
    for _ in range(MAX_DAYS):
        if is_working_day(day, adjustments):
            opens = timezone.make_aware(datetime.combine(day, conf.WORKDAY_START), tz)
            closes = timezone.make_aware(datetime.combine(day, conf.WORKDAY_END), tz)
            begin = max(opens, local)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("工作日历中找不到足够的工作日，请检查节假日设置")


def add_working_days(start: datetime, days: float, adjustments: dict[date, str] | None = None) -> datetime:
    """N working days after start: N × the working hours of one day."""
    return add_working_hours(start, days * hours_per_day(), adjustments)

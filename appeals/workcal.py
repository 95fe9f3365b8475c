"""工作日历: working days are Monday–Friday, minus public holidays, plus make-up working days (调休),
both kept as CalendarDay rows the system administrator edits. Working hours are
APPEALS_WORKDAY_START–APPEALS_WORKDAY_END (08:30–17:30 by default), in Asia/Shanghai.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from appeals import conf
from appeals.models import CalendarDay

MAX_DAYS = 800


def _adjustments(start: date, end: date) -> dict[date, str]:
    return dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind"))


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


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment `hours` working hours after `start` (counted only inside working hours of working days)."""
    tz = timezone.get_current_timezone()
    local = timezone.localtime(start, tz)
    remaining = timedelta(hours=hours)
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


def add_working_days(start: datetime, days: float) -> datetime:
    """N working days after start: N × the working hours of one day."""
    return add_working_hours(start, days * hours_per_day())

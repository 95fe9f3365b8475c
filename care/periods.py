"""Visit periods (week, month, quarter, half-year) as date ranges, in Asia/Shanghai."""

import calendar
import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone


def today() -> date:
    return timezone.localdate()


def month_bounds(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def period_bounds(frequency: str, day: date) -> tuple[date, date]:
    """The period of the given frequency that contains day."""
    if frequency == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if frequency == "month":
        return month_bounds(day)
    months = {"quarter": 3, "half_year": 6}[frequency]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months - 1
    return start, date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])


def periods_in_month(frequency: str, month_start: date) -> list[tuple[date, date]]:
    """Periods to generate for a month: the one containing its first day and any starting within it."""
    _, month_end = month_bounds(month_start)
    periods = [period_bounds(frequency, month_start)]
    day = periods[0][1] + timedelta(days=1)
    while day <= month_end:
        bounds = period_bounds(frequency, day)
        periods.append(bounds)
        day = bounds[1] + timedelta(days=1)
    return periods


def parse_month(text: str) -> date:
    """'2026-11' → date(2026, 11, 1); a clear error otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", (text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError("月份格式应为 YYYY-MM，例如 2026-11。")
    return date(int(match.group(1)), int(match.group(2)), 1)


def days_left(end: date, day: date) -> int:
    """Days remaining in a period ending on end, counting today."""
    return max(0, (end - day).days + 1)

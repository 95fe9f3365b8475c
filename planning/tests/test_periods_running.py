"""A period still running is measured up to today."""

import datetime as dt

from planning.periods import Period, parse


def test_a_running_year_asks_monthly_indicators_for_this_month() -> None:
    today = dt.date(2026, 11, 28)
    assert parse("2026").as_type("month", today=today) == Period("month", 2026, 11)
    assert parse("2026").as_type("quarter", today=today) == Period("quarter", 2026, 4)
    assert parse("2026-Q3").as_type("month", today=today) == Period("month", 2026, 9)


def test_a_closed_or_future_year_keeps_its_last_month() -> None:
    today = dt.date(2026, 11, 28)
    assert parse("2025").as_type("month", today=today) == Period("month", 2025, 12)
    assert parse("2027").as_type("month", today=today) == Period("month", 2027, 12)

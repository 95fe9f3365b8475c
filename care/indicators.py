"""Indicators the planning module reads: {village code: (numerator, denominator)} as of end."""

from collections.abc import Callable
from datetime import date

from care.selectors import officer_coverage, visit_rates
from places.codes import within
from places.models import OrgUnit

CITY_PREFIX = "1311"


def _villages(prefix: str) -> list[str]:
    return list(OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.VILLAGE).values_list("code", flat=True))


def hardship_elderly_monthly_visit_rate(start: date, end: date, prefix: str = CITY_PREFIX) -> dict[str, tuple[float, float]]:
    """特殊困难老年人月探访率: visited due rows / due rows of the period containing end, as of end.

    prefix= narrows to a subtree (the planning engine asks for single villages when it updates incrementally).
    """
    counts = visit_rates(prefix, end, tag="special_hardship_elderly", length=12)
    return {code: (float(counts.get(code, (0, 0))[0]), float(counts.get(code, (0, 0))[1])) for code in _villages(prefix)}


def disaster_officer_coverage(start: date, end: date, prefix: str = CITY_PREFIX) -> dict[str, tuple[float, float]]:
    """灾害信息员配备率: (1 if the unit has ≥1 officer serving on end else 0, 1) per village-level unit."""
    return {code: (float(covered), float(total)) for code, (covered, total) in officer_coverage(prefix, end).items()}


PROVIDES: dict[str, Callable[[date, date], dict[str, tuple[float, float]]]] = {
    "hardship_elderly_monthly_visit_rate": hardship_elderly_monthly_visit_rate,
    "disaster_officer_coverage": disaster_officer_coverage,
}

"""Show indicator figures the way a report prints them: rates as percentages."""

from typing import Any

from django import template

from planning.engine import SOURCE_LABELS, STATUS_LABELS
from shequ.rates import PERCENT_FORMAT, percent

register = template.Library()

UNIT_SUFFIX = {"m2_per_100_households": " ㎡/百户", "per_10k": " 人/万人", "count_per_year": " 个", "count_per_unit": " 个"}


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return percent(value)
    return f"{value:.2f}".rstrip("0").rstrip(".") + UNIT_SUFFIX.get(unit, "")


def number_format(unit: str) -> str:
    """The spreadsheet number format that shows a value as format_value does (the number itself stays a number)."""
    if unit == "ratio":
        return PERCENT_FORMAT
    suffix = UNIT_SUFFIX.get(unit, "").strip()
    return f'0.##" {suffix}"' if suffix else "0.##"


@register.filter
def figure(value: float | None, unit: str) -> str:
    return format_value(value, unit)


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


@register.filter
def number(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


@register.filter
def target_label(indicator: Any) -> str:
    if indicator.direction == "range" and indicator.target_max is not None:
        return f"{format_value(indicator.target, indicator.unit)}—{format_value(indicator.target_max, indicator.unit)}"
    sign = "≤" if indicator.direction == "at_most" else "≥"
    return f"{sign}{format_value(indicator.target, indicator.unit)}"

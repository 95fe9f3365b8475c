"""{% load rates %} {{ value|rate }}: a rate as every page shows it (shequ.rates.percent)."""

from django import template

from shequ.rates import percent

register = template.Library()


@register.filter
def rate(value: float | None) -> str:
    return percent(value)

"""Top-navigation links of the planning module."""

from typing import Any

from django.urls import reverse

from accounts.roles import Role
from planning.models import is_monitoring_lead

UNIT_ROLES = (Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.COMMUNITY_WORKER)


def items(user: Any) -> list[dict[str, str]]:
    out = []
    if user.role in UNIT_ROLES and user.unit_id:
        out.append({"label": "规划监测", "url": reverse("planning:dashboard", args=[user.unit_id])})
    if user.role in (Role.CITY_STAFF, Role.COUNTY_STAFF, Role.DEPARTMENT_STAFF):
        out.append({"label": "工作台账", "url": reverse("planning:ledger")})
    if is_monitoring_lead(user):
        out.append({"label": "进展审核", "url": reverse("planning:reviews")})
    return out


def cards(user: Any) -> list[dict[str, Any]]:
    """Home-page work count for the monitoring leads: progress reports waiting for review."""
    from planning import selectors

    if not is_monitoring_lead(user):
        return []
    return [{"label": "待审核的任务进展", "value": selectors.review_queue(user).count(), "url": reverse("planning:reviews")}]

"""Top navigation links of the care module, per role."""

from typing import Any

from django.urls import reverse

from accounts.roles import Role
from accounts.scoping import scope_prefix


def items(user: Any) -> list[dict[str, str]]:
    if user.role == Role.RESIDENT:
        return [{"label": "应急通知订阅", "url": reverse("care:opt-in")}] if hasattr(user, "resident_record") else []
    if scope_prefix(user) is None:
        return []
    links = []
    if user.role == Role.COMMUNITY_WORKER:
        links.append({"label": "我的探访", "url": reverse("care:my")})
    links.append({"label": "探访达标", "url": reverse("care:compliance", args=[user.unit_id])})
    links.append({"label": "应急", "url": reverse("care:readiness", args=[user.unit_id])})
    if user.role != Role.COMMUNITY_WORKER:
        links.append({"label": "应急通知", "url": reverse("care:notices")})
    if user.role == Role.CITY_STAFF:
        links.append({"label": "探访规则", "url": reverse("care:rules")})
    return links


def cards(user: Any) -> list[dict[str, Any]]:
    """Home-page work counts: a worker's visits still to make; a manager's visit rate this month."""
    from django.utils import timezone

    from care import selectors

    if scope_prefix(user) is None:
        return []
    today = timezone.localdate()
    if user.role == Role.COMMUNITY_WORKER:
        pending = sum(1 for row in selectors.my_visits(user, today) if row.visited_on is None)
        return [{"label": "本月待探访", "value": pending, "url": reverse("care:my")}]
    state = selectors.compliance(user.unit, today)
    shown = "—" if state["rate"] is None else f"{state['rate']:.0%}"
    return [{"label": "特殊困难老年人本月探访率", "value": shown, "url": reverse("care:compliance", args=[user.unit_id])}]

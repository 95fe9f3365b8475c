"""Top navigation links of the workforce module, for staff with a place scope."""

from typing import Any

from django.urls import reverse

from accounts.scoping import scope_prefix


def items(user: Any) -> list[dict[str, str]]:
    if scope_prefix(user) is None:
        if getattr(user, "is_authenticated", False) and getattr(user, "department_id", None):
            from workforce.models import ReviewDepartment

            if ReviewDepartment.objects.filter(department_id=user.department_id).exists():
                return [{"label": "资格联审", "url": reverse("workforce:reviews")}]
        return []
    return [{"label": "社区工作者", "url": reverse("workforce:workers", args=[user.unit_id])},
            {"label": "队伍统计", "url": reverse("workforce:summary", args=[user.unit_id])}]


def cards(user: Any) -> list[dict[str, Any]]:
    """Home-page figure: this year's rotation-training rate of secretaries and directors in the user's subtree."""
    from django.utils import timezone

    from workforce import selectors

    if scope_prefix(user) is None:
        return []
    total = selectors.summary(user.unit, timezone.localdate())["total"]
    shown = "—" if total["rate"] is None else f"{total['rate']:.0%}"
    return [{"label": "书记、主任本年轮训率", "value": shown, "url": reverse("workforce:summary", args=[user.unit_id])}]

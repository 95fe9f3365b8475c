"""Top navigation links of the social-forces module."""

from typing import Any

from django.urls import reverse

from accounts.scoping import scope_prefix


def items(user: Any) -> list[dict[str, str]]:
    if scope_prefix(user) is not None:
        return [{"label": "社会力量", "url": reverse("socialorgs:orgs")}]
    if getattr(user, "department_id", None):
        return [{"label": "政府购买服务", "url": reverse("socialorgs:purchases")}]
    if getattr(user, "is_authenticated", False) and user.social_orgs.exists():
        return [{"label": "我的社会组织", "url": reverse("socialorgs:orgs")}]
    return []

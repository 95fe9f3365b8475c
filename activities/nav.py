"""Top navigation links and home-page cards of the activities module."""

from typing import Any

from django.urls import reverse

from accounts.roles import Role
from accounts.scoping import scope_prefix


def items(user: Any) -> list[dict[str, str]]:
    if scope_prefix(user) is not None:
        return [{"label": "社区活动", "url": reverse("activities:activities")},
                {"label": "设施建设项目", "url": reverse("activities:projects")},
                {"label": "社区档案", "url": reverse("activities:archive")}]
    if getattr(user, "role", "") == Role.RESIDENT:
        return [{"label": "社区活动", "url": reverse("activities:activities")}]
    return []


def cards(user: Any) -> list[dict[str, Any]]:
    """The resident home page: how many activities of their area they may still join."""
    if getattr(user, "role", "") != Role.RESIDENT:
        return []
    from activities import selectors

    return [{"label": "近期社区活动", "value": len(selectors.resident_feed(user)), "url": reverse("activities:activities")}]

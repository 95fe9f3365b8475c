"""Top navigation: staff with a place scope see the registers; residents see the spaces they can book."""

from typing import Any

from django.urls import reverse

from accounts.roles import Role
from accounts.scoping import scope_prefix


def items(user: Any) -> list[dict[str, str]]:
    if user.role == Role.RESIDENT:
        return [{"label": "场地预约", "url": reverse("facilities:spaces")}]
    if scope_prefix(user) is None:
        return []
    links = [
        {"label": "服务设施", "url": reverse("facilities:list")},
        {"label": "便民网点", "url": reverse("facilities:points")},
        {"label": "场地预约", "url": reverse("facilities:spaces")},
    ]
    if user.unit_id:
        links.append({"label": "设施地图", "url": reverse("facilities:map", args=[user.unit_id])})
    return links


def cards(user: Any) -> list[dict[str, Any]]:
    """Home-page work count: bookings waiting for approval in the user's area."""
    from facilities import selectors
    from facilities.models import BookingStatus

    if scope_prefix(user) is None:
        return []
    waiting = selectors.bookings_for(user).filter(status=BookingStatus.PENDING).count()
    return [{"label": "待审核的场地预约", "value": waiting, "url": reverse("facilities:spaces")}]

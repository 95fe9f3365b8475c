from typing import Any

from django.urls import reverse

from accounts.roles import STAFF_ROLES, Role


def items(user: Any) -> list[dict[str, str]]:
    if user.role == Role.RESIDENT:
        return [{"label": "我要反映", "url": reverse("appeals:new")}, {"label": "我的诉求", "url": reverse("appeals:mine")}]
    if user.role in STAFF_ROLES:
        return [{"label": "接诉即办", "url": reverse("appeals:inbox")}]
    return []

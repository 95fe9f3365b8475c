"""Top navigation links of the volunteers module."""

from typing import Any

from django.urls import reverse

from accounts.roles import Role
from accounts.scoping import scope_prefix


def items(user: Any) -> list[dict[str, str]]:
    if scope_prefix(user) is not None:
        return [{"label": "志愿服务", "url": reverse("volunteers:volunteers")},
                {"label": "在职党员报到", "url": reverse("volunteers:party")}]
    if getattr(user, "role", "") == Role.DEPARTMENT_STAFF and getattr(user, "department_id", None):
        return [{"label": "在职党员报到", "url": reverse("volunteers:party")}]
    if getattr(user, "role", "") == Role.RESIDENT:
        return [{"label": "志愿服务", "url": reverse("volunteers:me")}]
    return []

"""Top navigation: the register for staff with a place scope; the rights page for the security admin."""

from typing import Any

from django.urls import reverse

from accounts.roles import Role
from accounts.scoping import scope_prefix


def items(user: Any) -> list[dict[str, str]]:
    if scope_prefix(user) is not None:
        return [
            {"label": "居民登记", "url": reverse("people:residents")},
            {"label": "户", "url": reverse("people:households")},
            {"label": "导入导出任务", "url": reverse("people:jobs")},
        ]
    if getattr(user, "role", None) == Role.SECURITY_ADMIN:
        return [{"label": "人员数据权限", "url": reverse("people:rights")}]
    return []

"""Top navigation links of the workforce module, for staff with a place scope."""

from typing import Any

from django.urls import reverse

from accounts.scoping import scope_prefix


def items(user: Any) -> list[dict[str, str]]:
    if scope_prefix(user) is None:
        return []
    return [{"label": "社区工作者", "url": reverse("workforce:workers", args=[user.unit_id])},
            {"label": "队伍统计", "url": reverse("workforce:summary", args=[user.unit_id])}]

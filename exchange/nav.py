"""Top navigation of the exchange: department staff reach their datasets."""

from typing import Any

from django.urls import reverse

from accounts.roles import Role


def items(user: Any) -> list[dict[str, str]]:
    if getattr(user, "role", "") != Role.DEPARTMENT_STAFF or not user.department_id:
        return []
    return [{"label": "数据报送", "url": reverse("exchange:index")},
            {"label": "数据共享协议", "url": reverse("exchange:agreements")}]

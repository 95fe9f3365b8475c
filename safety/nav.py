"""Top navigation links of the safety module."""

from typing import Any

from django.urls import reverse

from accounts.scoping import scope_prefix


def items(user: Any) -> list[dict[str, str]]:
    if scope_prefix(user) is None:
        return []
    return [{"label": "应急与平安", "url": reverse("safety:index")}]

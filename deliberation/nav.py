"""Top navigation links of the deliberation module."""

from typing import Any

from django.urls import reverse

from deliberation import selectors


def items(user: Any) -> list[dict[str, str]]:
    if selectors.is_staff(user):
        return [{"label": "协商议事", "url": reverse("deliberation:topics")},
                {"label": "三项清单", "url": reverse("deliberation:lists")},
                {"label": "问卷调查", "url": reverse("deliberation:surveys")}]
    if selectors.is_resident(user):
        return [{"label": "议事", "url": reverse("deliberation:topics")},
                {"label": "问卷", "url": reverse("deliberation:surveys")}]
    return []

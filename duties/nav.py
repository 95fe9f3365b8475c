"""Top navigation links of the duties module."""

from typing import Any

from django.urls import reverse

from accounts.roles import Role
from accounts.scoping import scope_prefix
from duties.models import is_reviewer


def items(user: Any) -> list[dict[str, str]]:
    if getattr(user, "role", "") == Role.RESIDENT:
        return [{"label": "我的事项", "url": reverse("duties:mine")},
                {"label": "服务目录", "url": reverse("duties:catalogue")}]
    if scope_prefix(user) is not None or is_reviewer(user) or (
            getattr(user, "role", "") == Role.DEPARTMENT_STAFF and getattr(user, "department_id", None)):
        return [{"label": "减负增效", "url": reverse("duties:tasks")},
                {"label": "代办", "url": reverse("duties:proxies")}]
    return []


def cards(user: Any) -> list[dict[str, Any]]:
    """Home-page work counts: certificates to check and proxy cases to act on; a department's cases to answer."""
    from duties import selectors

    if scope_prefix(user) is not None:
        waiting = selectors.proxy_cases(user).filter(status__in=["submitted", "answered"]).count()
        certs = selectors.certificates(user).filter(status="requested").count()
        return [{"label": "待办代办件", "value": waiting, "url": reverse("duties:proxies")},
                {"label": "待核对证明", "value": certs, "url": reverse("duties:certificates")}]
    if getattr(user, "role", "") == Role.DEPARTMENT_STAFF and getattr(user, "department_id", None):
        waiting = selectors.proxy_cases(user).filter(status="sent").count()
        return [{"label": "待答复代办件", "value": waiting, "url": reverse("duties:proxies")}]
    return []

from typing import Any

from django.urls import reverse

from accounts.roles import STAFF_ROLES, Role


def items(user: Any) -> list[dict[str, str]]:
    if user.role == Role.RESIDENT:
        return [{"label": "我要反映", "url": reverse("appeals:new")}, {"label": "我的诉求", "url": reverse("appeals:mine")}]
    if user.role in STAFF_ROLES:
        return [{"label": "接诉即办", "url": reverse("appeals:inbox")}]
    return []


def cards(user: Any) -> list[dict[str, Any]]:
    """Home-page work counts: requests waiting for the handler to accept; a resident's open requests."""
    from appeals import selectors
    from appeals.models import OPEN_STATES, State

    if user.role == Role.RESIDENT:
        count = selectors.mine(user).filter(state__in=OPEN_STATES).count()
        return [{"label": "我的办理中诉求", "value": count, "url": reverse("appeals:mine")}]
    if user.role not in STAFF_ROLES:
        return []
    waiting = selectors.inbox(user, state=State.SUBMITTED).count()
    return [{"label": "待签收诉求", "value": waiting, "url": reverse("appeals:inbox") + "?state=submitted"}]

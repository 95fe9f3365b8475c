"""What every page needs: elder mode, the session timing, the user's scope unit."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from web.nav import nav_items

ELDER_COOKIE = "elder_mode"


def elder_mode_on(request: HttpRequest) -> bool:
    user: Any = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.elder_mode)
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def shell(request: HttpRequest) -> dict[str, Any]:
    return {
        "elder_mode": elder_mode_on(request),
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        "demo_mode": settings.DEMO,
        "nav_extra": nav_items(getattr(request, "user", None)),
    }

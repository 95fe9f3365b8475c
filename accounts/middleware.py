"""Per-request context (client address for the audit log) and the idle-session timeout."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import audit
from accounts.context import client_ip

# Asking how long is left must not itself count as activity.
PASSIVE_PATHS = ("/accounts/session/",)


def _client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(_client_address(request))
        try:
            expired = self._expire_idle_session(request)
            if expired is not None:
                return expired
            return self.get_response(request)
        finally:
            client_ip.reset(token)

    def _expire_idle_session(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return None
        now = time.time()
        last_seen = request.session.get("last_seen")
        if last_seen is not None and now - float(last_seen) > settings.SESSION_IDLE_SECONDS:
            audit.record(actor=user, action="auth.session_expired", unit_code=user.unit_id or "")
            logout(request)
            if request.path.startswith("/api/") or request.headers.get("HX-Request"):
                return JsonResponse({"detail": "会话已超时，请重新登录"}, status=401)
            messages.info(request, "由于长时间未操作，您已自动退出登录。")
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if not request.path.startswith(PASSIVE_PATHS):
            request.session["last_seen"] = now
        return None

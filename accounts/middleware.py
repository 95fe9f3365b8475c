"""Per-request context: the real client address, the idle-session timeout and the first-sign-in password change."""

import ipaddress
import time
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import audit
from accounts.context import api_token, client_ip

# Asking how long is left must not itself count as activity.
PASSIVE_PATHS = ("/accounts/session/",)
# What a user who must still change the initial password may reach.
BEFORE_PASSWORD_CHANGE = ("/accounts/password/", "/accounts/logout/", "/accounts/session/", "/accounts/keepalive/",
                          "/static/", "/i18n/", "/elder-mode/")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def real_client(remote_addr: str, forwarded_for: str, proxies: tuple[str, ...]) -> str:
    """The client address: X-Forwarded-For is believed only as far as the hops are trusted proxies.

    Walking from the immediate peer leftwards, the first address that is not a trusted proxy is the client.
    From an untrusted peer the header is ignored.
    """
    networks = _trusted(proxies)
    if not networks or not _is_trusted(remote_addr, networks):
        return remote_addr
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote_addr  # a mangled header: keep the proxy's own address rather than guess
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else remote_addr


class ClientAddressMiddleware:
    """Early in MIDDLEWARE: REMOTE_ADDR becomes the real client behind SHEQU_TRUSTED_PROXIES, for every call site."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        proxies = tuple(settings.SHEQU_TRUSTED_PROXIES)
        if proxies:
            request.META["REMOTE_ADDR"] = real_client(request.META.get("REMOTE_ADDR", ""),
                                                      request.META.get("HTTP_X_FORWARDED_FOR", ""), proxies)
        return self.get_response(request)


def _client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(_client_address(request))
        used_token = api_token.set(None)
        try:
            expired = self._expire_idle_session(request)
            if expired is not None:
                return expired
            pending = self._password_change_first(request)
            if pending is not None:
                return pending
            return self.get_response(request)
        finally:
            api_token.reset(used_token)
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

    def _password_change_first(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return None
        if request.path.startswith(BEFORE_PASSWORD_CHANGE):
            return None
        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
            return JsonResponse({"detail": "请先修改初始密码"}, status=403)
        return redirect(f"{reverse('accounts:password')}?next={request.path}")

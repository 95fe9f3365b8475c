"""Authentication with lockout: too many failures lock the account, too many from one address pause that address."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from accounts.context import client_ip
from accounts.models import AuditEntry, User
from accounts.usernames import normalise


def address_throttled(ip: str | None, now: Any = None) -> bool:
    """Too many failed sign-ins from this address lately (LOGIN_IP_MAX_FAILURES in LOGIN_IP_WINDOW_MINUTES)?

    Counted from the audit log, so every web process and the API share one count.
    """
    if not ip:
        return False
    since = (now or timezone.now()) - timedelta(minutes=settings.LOGIN_IP_WINDOW_MINUTES)
    failures = AuditEntry.objects.filter(action="auth.login_failed", ip=ip, at__gte=since)
    return failures.count() >= settings.LOGIN_IP_MAX_FAILURES


def find_user(username: str) -> User | None:
    """The account a typed name signs in to: its normalised form (legacy rows: the exact name)."""
    return User.objects.filter(username=normalise(username)).first() or User.objects.filter(username=username).first()


class LockoutBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        if address_throttled(client_ip.get()):
            return None
        user = find_user(username)
        if user is None:
            User().set_password(password)  # same work as a real check, so timing tells nothing
            return None
        now = timezone.now()
        if user.is_locked(now):
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
                user.failed_logins, user.locked_until = 0, None
            return user
        self._count_failure(user, now)
        return None

    def _count_failure(self, user: User, now: Any) -> None:
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            User.objects.filter(pk=user.pk).update(
                failed_logins=0, locked_until=now + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            )

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """Django's permissions, except that a data right comes only from an approved, unexpired grant."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_shequ_perm_cache"):
            from accounts.rights import DATA_RIGHTS, active_rights

            perms = set(super().get_all_permissions(user_obj)) - set(DATA_RIGHTS)
            user_obj._shequ_perm_cache = perms | active_rights(user_obj)
        return user_obj._shequ_perm_cache

"""Login, logout and failed logins go to the audit log, whichever door they came through."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import audit
from accounts.models import User


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(actor=user, action="auth.login", unit_code=user.unit_id or "")


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="auth.logout", unit_code=user.unit_id or "")


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    from accounts.backends import find_user

    user = find_user(username)
    locked = user is not None and user.is_locked()
    audit.record(actor=None, username=username, action="auth.login_failed", detail={"locked": locked})

"""The notification interface: in-app messages, and SMS through a pluggable backend.

SMS_BACKEND (environment) names the class: web.notify.ConsoleSMSBackend (default,
prints), web.notify.LocmemSMSBackend (tests: keeps messages in .outbox), or a real
gateway adapter with the same send(phone, text) method.
"""

import logging
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from web.models import Notification

log = logging.getLogger("shequ.sms")


class SMSBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSMSBackend:
    def send(self, phone: str, text: str) -> None:
        masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "***"
        log.info("SMS to %s: %s", masked, text)


class LocmemSMSBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        LocmemSMSBackend.outbox.append((phone, text))


def sms_backend() -> SMSBackend:
    return import_string(settings.SMS_BACKEND)()  # type: ignore[no-any-return]


def send_sms(phone: str, text: str) -> None:
    if phone:
        sms_backend().send(phone, text)


def notify_user(user: Any, title: str, body: str = "", *, url: str = "", kind: str = "") -> Notification:
    """Put a message in the user's in-app inbox."""
    return Notification.objects.create(user=user, title=title[:200], body=body, url=url[:300], kind=kind[:40])


def notify_users(users: Any, title: str, body: str = "", *, url: str = "", kind: str = "") -> int:
    """Inbox message to many users in one insert."""
    rows = [Notification(user=u, title=title[:200], body=body, url=url[:300], kind=kind[:40]) for u in users]
    Notification.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

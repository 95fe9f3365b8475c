"""The notification interface: in-app messages, and SMS through a pluggable backend.

SMS_BACKEND (environment) names the class: web.notify.ConsoleSMSBackend (default,
prints), web.notify.LocmemSMSBackend (tests: keeps messages in .outbox), or a real
gateway adapter with the same send(phone, text) method.
"""

import logging
from typing import Any, Protocol

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from shequ.bulk import BulkInserter
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
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, text: str) -> None:
    if phone:
        sms_backend().send(phone, text)


def notify_user(user: Any, title: str, body: str = "", *, url: str = "", kind: str = "") -> Notification:
    """Put a message in the user's in-app inbox."""
    return Notification.objects.create(user=user, title=title[:200], body=body, url=url[:300], kind=kind[:40])


def notify_users(users: Any, title: str, body: str = "", *, url: str = "", kind: str = "") -> int:
    """Inbox message to many users in one insert; a queryset of users is not even read first."""
    if isinstance(users, QuerySet):
        return _notify_selected(users, title[:200], body, url[:300], kind[:40])
    rows = [Notification(user=u, title=title[:200], body=body, url=url[:300], kind=kind[:40]) for u in users]
    Notification.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _notify_selected(users: QuerySet[Any], title: str, body: str, url: str, kind: str) -> int:
    select, params = users.order_by().values("pk").query.sql_with_params()
    sql, values = notify_selected_sql(select, list(params), title, body, url=url, kind=kind)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return max(cursor.rowcount, 0)


def notify_selected_sql(select: str, select_params: list[Any], title: str, body: str = "", *, url: str = "",
                        kind: str = "") -> tuple[str, list[Any]]:
    """INSERT … SELECT: one message to each user whose id `select` returns (as pk, like values("pk")), in one statement."""
    return notify_rows_sql(f"SELECT chosen.pk, CAST(%s AS text) AS title, CAST(%s AS text) AS url FROM ({select}) chosen",  # noqa: S608
                           [title, url, *select_params], body, kind=kind)


def notify_rows_sql(select: str, select_params: list[Any], body: str = "", *, kind: str = "") -> tuple[str, list[Any]]:
    """INSERT … SELECT: one message per row of `select`, whose columns are the user's id (pk), the title and the url."""
    writer = BulkInserter(Notification, ["user_id", "title", "body", "url", "kind"])
    return writer.select_sql(["message.pk", "substr(message.title, 1, 200)", "%s", "substr(message.url, 1, 300)", "%s"],
                             [body, kind[:40]], f"({select}) message", select_params)

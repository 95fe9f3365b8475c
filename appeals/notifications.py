"""Who hears about a request: the handling staff in-app; the resident in-app and by SMS (web.notify)."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from people.crypto import decrypt
from web.notify import notify_rows_sql, notify_user, notify_users, send_sms


def staff_url(appeal: Any) -> str:
    return reverse("appeals:detail", args=[appeal.pk])


def new_for_handlers(appeal: Any, users: Iterable[Any], *, title: str = "") -> None:
    notify_users(users, title or _new_title(appeal), appeal.description[:100], url=staff_url(appeal), kind="appeal")


def new_for_handlers_sql(appeal: Any, handlers: tuple[str, list[Any]], *, ids: str) -> tuple[str, list[Any]]:
    """new_for_handlers as an INSERT … SELECT for the statement that files the request (shequ.one_statement).

    `handlers` selects the users' ids as pk; `ids` names the statement's part that takes the
    request's id and tracking number (columns id, tracking_no), which the title and link show.
    """
    select, params = handlers
    title_head, title_tail = _new_title_around(appeal)
    url_head, url_tail = reverse("appeals:detail", args=[_ID_MARK]).split(str(_ID_MARK))
    rows = (f"SELECT handler.pk, %s || {ids}.tracking_no || %s AS title, %s || {ids}.id || %s AS url "  # noqa: S608
            f"FROM {ids}, ({select}) handler")
    return notify_rows_sql(rows, [title_head, title_tail, url_head, url_tail, *params], appeal.description[:100], kind="appeal")


_ID_MARK = 987654321  # stands for the id in a reversed link, which is then split around it


def _new_title(appeal: Any) -> str:
    head, tail = _new_title_around(appeal)
    return f"{head}{appeal.tracking_no}{tail}"


def _new_title_around(appeal: Any) -> tuple[str, str]:
    """A new request's title for its handlers, before and after its tracking number."""
    return "新诉求待签收：", f"（{appeal.category.name}）"


def to_staff(users: Iterable[Any], title: str, appeal: Any) -> None:
    notify_users(users, title, "", url=staff_url(appeal), kind="appeal")


def to_resident(appeal: Any, text: str, *, phone: str | None = None, followers: bool = True) -> None:
    url = reverse("appeals:mine-detail", args=[appeal.tracking_no])
    if appeal.submitter_id:
        notify_user(appeal.submitter, text, url=url, kind="appeal")
    send_sms(phone if phone is not None else decrypt(appeal.phone_enc), f"【衡水社区】{text}")
    if not followers:
        return
    for follower in appeal.followers.select_related("user"):
        if follower.user_id:
            notify_user(follower.user, text, url=url, kind="appeal")
        send_sms(decrypt(follower.phone_enc), f"【衡水社区】{text}")

"""Who hears about a request: the handling staff in-app; the resident in-app and by SMS (web.notify)."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from people.crypto import decrypt
from web.notify import notify_selected_sql, notify_user, notify_users, send_sms


def staff_url(appeal: Any) -> str:
    return reverse("appeals:detail", args=[appeal.pk])


def new_for_handlers(appeal: Any, users: Iterable[Any], *, title: str = "") -> None:
    notify_users(users, title or _new_title(appeal), appeal.description[:100], url=staff_url(appeal), kind="appeal")


def new_for_handlers_sql(appeal: Any, select: str, params: list[Any]) -> tuple[str, list[Any]]:
    """new_for_handlers as an INSERT … SELECT (`select` returns the users' ids as pk) to send with other statements."""
    return notify_selected_sql(select, params, _new_title(appeal), appeal.description[:100], url=staff_url(appeal), kind="appeal")


def _new_title(appeal: Any) -> str:
    return f"新诉求待签收：{appeal.tracking_no}（{appeal.category.name}）"


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

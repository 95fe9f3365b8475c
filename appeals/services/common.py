"""Small pieces every write on a request shares: the clock, text checks, timeline entries, deadlines."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.roles import Role
from appeals import workcal
from appeals.models import (
    Appeal,
    Category,
    Deadline,
    Event,
    Photo,
    State,
)
from appeals.photos import CleanPhoto
from people.crypto import search_hash
from places.models import OrgUnit
from shequ import phones
from shequ.rows import saving

CITY_CODE = "131100000000"


def phone_hash(raw: str) -> str:
    """The search hash of a phone as typed: of its canonical digits (shequ.phones), so 0318-1234567 finds 03181234567."""
    number = phones.canonical(raw)
    return search_hash(number) if number else ""


def state_label(state: str) -> str:
    return str(State(state).label)


def parent_code(unit_code: str) -> str:
    unit = OrgUnit.objects.only("parent_id").get(code=unit_code)
    return unit.parent_id or unit_code


def now() -> datetime:
    return timezone.now()


def clean_text(value: str | None, label: str, *, required: bool = True, limit: int = 2000) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError(f"请填写{label}。")
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 字。")
    return text


def actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return "居民"
    where = ""
    if actor.role == Role.DEPARTMENT_STAFF and actor.department_id:
        where = actor.department.name
    elif actor.unit_id:
        where = actor.unit.name
    if actor.role == Role.RESIDENT:
        return "居民"
    return f"{where} {actor}".strip()


def event_row(appeal: Appeal, action: str, actor: Any, *, note: str = "", from_state: str = "", to_state: str = "",
              public: bool = True, from_unit: str = "", to_unit: str = "", at: datetime | None = None) -> Event:
    """A timeline entry, not yet saved."""
    return Event(
        appeal=appeal, at=at or now(), actor=actor if getattr(actor, "pk", None) else None, actor_label=actor_label(actor),
        action=action, note=note, from_state=from_state, to_state=to_state, public=public,
        from_unit=from_unit, to_unit=to_unit,
    )


add_event = saving(event_row)


def store_photos(appeal: Appeal, event: Event | None, photos: list[CleanPhoto]) -> None:
    for photo in photos:
        row = Photo(appeal=appeal, event=event, width=photo.width, height=photo.height)
        row.image.save(f"{uuid.uuid4().hex}.{photo.extension}", ContentFile(photo.content), save=False)
        row.save()


def add_deadline(appeal: Appeal, kind: str, unit_code: str, due_at: datetime) -> Deadline:
    return Deadline.objects.create(appeal=appeal, kind=kind, unit_id=unit_code, due_at=due_at)


def accept_due(category: Category, urgent: bool, start: datetime) -> datetime:
    if urgent:
        return start + timedelta(hours=category.urgent_hours)
    return workcal.add_working_hours(start, category.accept_hours)


def contact_due(category: Category, urgent: bool, start: datetime) -> datetime:
    return start + timedelta(hours=category.urgent_hours if urgent else category.contact_hours)


def cancel_open(appeal: Appeal, kinds: list[str], now: datetime) -> None:
    Deadline.objects.filter(appeal=appeal, kind__in=kinds, met_at__isnull=True, cancelled_at__isnull=True).update(cancelled_at=now)


def meet(appeal: Appeal, kinds: list[str], now: datetime) -> None:
    Deadline.objects.filter(appeal=appeal, kind__in=kinds, met_at__isnull=True, cancelled_at__isnull=True).update(
        met_at=now, paused_at=None)


def unit_name(appeal: Appeal) -> str:
    return appeal.department.name if appeal.department_id else appeal.unit.name  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)


def guarded_update(appeal: Appeal, from_state: str, **fields: Any) -> None:
    if not Appeal.objects.filter(pk=appeal.pk, state=from_state).update(updated_at=now(), **fields):
        raise ValidationError("诉求状态已变化，请刷新后重试。")
    appeal.refresh_from_db()


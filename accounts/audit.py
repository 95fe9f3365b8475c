"""Write one audit row. Every service that changes data calls record()."""

from typing import Any

from django.db import models

from accounts.context import api_token, client_ip
from accounts.models import AuditEntry, User
from shequ.rows import saving


def entry(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    unit_code: str = "",
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEntry:
    """The audit row for one action, not yet saved (a filing writes it with its other rows)."""
    if obj is not None and not unit_code:
        unit_code = str(getattr(obj, "unit_id", "") or "")
    detail = dict(detail or {})
    token = api_token.get()
    if token is not None:
        detail.setdefault("api_token", token)  # which token did it, when an API client did
    return AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_username=(actor.username if actor is not None and actor.pk else username),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        unit_code=unit_code,
        ip=client_ip.get(),
        detail=detail,
    )


# Every service that changes data calls record(), with entry()'s arguments.
record = saving(entry)

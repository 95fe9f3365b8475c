"""Open311 clients: issuing and revoking api_keys, and finding the client of a key."""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from appeals import caching
from appeals.models import (
    ApiClient,
)
from appeals.services import common
from appeals.services.common import clean_text

# ---- Open311 clients -----------------------------------------------------------------------------------


@transaction.atomic
def issue_api_client(*, actor: Any, name: str, contact: str = "") -> tuple[ApiClient, str]:
    name = clean_text(name, "客户端名称", limit=100)
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationError("同名客户端已存在。")
    raw = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(name=name, contact=contact, key_hash=hash_key(raw), key_hint=raw[:6])
    audit.record(actor=actor, action="appeals.api_client_issue", obj=client)
    return client, raw


@transaction.atomic
def revoke_api_client(*, actor: Any, client: ApiClient) -> ApiClient:
    client.revoked_at = common.now()
    client.save(update_fields=["revoked_at"])
    caching.cache().delete(_key(client.key_hash))
    audit.record(actor=actor, action="appeals.api_client_revoke", obj=client)
    return client


def hash_key(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()


def _key(digest: str) -> str:
    return f"appeals:client:{digest}"


def client_for_key(raw: str) -> ApiClient | None:
    """The client owning an Open311 api_key, cached for caching.CLIENT_SECONDS (a key unknown or revoked too).
    A revocation drops the cached entry: at once in every process with a shared cache (database, Redis), within
    CLIENT_SECONDS with per-process local memory."""
    if not raw:
        return None
    digest = hash_key(raw)
    store = caching.cache()
    hit = store.get(_key(digest))
    if hit is not None:
        return hit if isinstance(hit, ApiClient) else None
    client = ApiClient.objects.filter(key_hash=digest, revoked_at__isnull=True).first()
    store.set(_key(digest), client if client is not None else MISSING, caching.CLIENT_SECONDS)
    return client


MISSING = "-"

"""Open311 clients: issuing and revoking api_keys, and finding the client of a key."""

import secrets
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
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
    _client_cache.clear()
    audit.record(actor=actor, action="appeals.api_client_revoke", obj=client)
    return client


def hash_key(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()


_client_cache: dict[str, tuple[float, ApiClient | None]] = {}
CLIENT_CACHE_SECONDS = 10


def client_for_key(raw: str) -> ApiClient | None:
    """The client owning an Open311 api_key. Remembered for 10 s per process: a revocation reaches every
    server process within 10 seconds (this one at once)."""
    if not raw:
        return None
    digest = hash_key(raw)
    now = time.monotonic()
    hit = _client_cache.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1]
    client = ApiClient.objects.filter(key_hash=digest, revoked_at__isnull=True).first()
    if len(_client_cache) > 1000:
        _client_cache.clear()
    _client_cache[digest] = (now + CLIENT_CACHE_SECONDS, client)
    return client


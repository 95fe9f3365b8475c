"""The audit log's hash chain (审计封存): sealed by a periodic job, checked by `verify_audit` and the auditor's page.

Why a sealing job and not a hash per row at insert time: audit rows are written by every service, in bulk,
and by the one-statement filing on PostgreSQL (shequ/one_statement.py); a chain computed at insert would
serialise every writer on the previous row's hash. The job costs the hot path nothing and works on SQLite and
PostgreSQL alike. Each run (`manage.py seal_audit`, every 5 minutes) hashes, in id order, the rows written
since the last seal and older than AUDIT_SEAL_DELAY_SECONDS (so that transactions still open are not cut in
two), with an HMAC keyed from SECRET_KEY, chained to the previous seal.

What it catches: a sealed row deleted (the SQLite gap: its trigger refuses UPDATE only), changed, or added
later into a sealed range; a seal deleted from the middle. What it cannot: rows deleted before they are
sealed, or the newest seals deleted together with their rows — keep the latest chain value outside the
database (verify_audit prints it) to catch that; and anyone holding SECRET_KEY can forge a new chain.
"""

import hashlib
import heapq
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AuditArchiveEntry, AuditEntry, AuditSeal

START = "0" * 64
CHUNK = 5000
BATCH = 50_000


def _key() -> bytes:
    return hashlib.sha256(b"shequ-audit-seal:" + settings.SECRET_KEY.encode()).digest()


def row_digest(entry: AuditEntry) -> bytes:
    content = [entry.pk, entry.at.astimezone(UTC).isoformat(), entry.actor_id, entry.actor_username, entry.action,
               entry.object_type, entry.object_id, entry.unit_code, entry.ip or "", entry.detail]
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def extend(chain: str, entry: AuditEntry, key: bytes) -> str:
    return hmac.new(key, bytes.fromhex(chain) + row_digest(entry), hashlib.sha256).hexdigest()


def _rows(first: int, last: int) -> Any:
    """The rows in [first, last] in id order, online or archived (accounts.archive moves them unchanged)."""
    online = AuditEntry.objects.filter(pk__gte=first, pk__lte=last).order_by("pk").iterator(chunk_size=CHUNK)
    archived = AuditArchiveEntry.objects.filter(pk__gte=first, pk__lte=last).order_by("pk").iterator(chunk_size=CHUNK)
    return heapq.merge(archived, online, key=lambda entry: entry.pk)


@transaction.atomic
def seal(now: Any = None) -> AuditSeal | None:
    """Seal the rows written since the last seal and older than the delay; None when there is nothing new."""
    if connection.vendor == "postgresql":  # one sealer at a time, even before the first seal exists
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('accounts.seal'))")
    last = AuditSeal.objects.select_for_update().order_by("-last_entry_id").first()
    floor = last.last_entry_id if last else 0
    horizon = (now or timezone.now()) - timedelta(seconds=settings.AUDIT_SEAL_DELAY_SECONDS)
    fresh = AuditEntry.objects.filter(pk__gt=floor, at__lte=horizon).order_by("-pk").values_list("pk", flat=True).first()
    if fresh is None:
        return None
    # At most BATCH rows per seal, so the first run over a long log is many short transactions, not one long one.
    capped = AuditEntry.objects.filter(pk__gt=floor, pk__lte=fresh).order_by("pk").values_list("pk", flat=True)[BATCH - 1:BATCH]
    fresh = min([fresh, *capped])
    key, chain, rows, first = _key(), last.chain if last else START, 0, floor + 1
    for entry in _rows(first, fresh):
        chain, rows = extend(chain, entry, key), rows + 1
    return AuditSeal.objects.create(first_entry_id=first, last_entry_id=fresh, rows=rows,
                                    previous=last.chain if last else START, chain=chain)


@dataclass
class Report:
    seals: int = 0
    rows: int = 0
    chain: str = START
    breaks: list[str] = field(default_factory=list)
    unsealed: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify() -> Report:
    """Recompute the chain over every sealed range; each disagreement is a break, named by its ids."""
    report, key, previous, next_first = Report(), _key(), START, 1
    for item in AuditSeal.objects.order_by("last_entry_id").iterator():
        report.seals += 1
        if item.previous != previous or item.first_entry_id != next_first:
            report.breaks.append(f"封存 #{item.pk} 之前的封存缺失或被改动（应从第 {next_first} 条开始）")
        chain, rows = item.previous, 0
        for entry in _rows(item.first_entry_id, item.last_entry_id):
            chain, rows = extend(chain, entry, key), rows + 1
        if rows < item.rows:
            report.breaks.append(f"第 {item.first_entry_id}–{item.last_entry_id} 条之间少了 {item.rows - rows} 条审计记录（已被删除）")
        elif rows > item.rows:
            report.breaks.append(f"第 {item.first_entry_id}–{item.last_entry_id} 条之间多出 {rows - item.rows} 条审计记录（封存后写入）")
        elif chain != item.chain:
            report.breaks.append(f"第 {item.first_entry_id}–{item.last_entry_id} 条之间的审计记录被改动")
        report.rows += rows
        previous, next_first = item.chain, item.last_entry_id + 1
    report.chain = previous
    report.unsealed = AuditEntry.objects.filter(pk__gte=next_first).count()
    return report

"""审计归档 — audit rows older than the online retention move to accounts.AuditArchiveEntry (等保三级: kept at least six
months online; here the archive keeps them for good and the auditor still searches them).

The rules, each enforced here and the first also by PostgreSQL itself (migration 0006):
- nothing younger than six months (MIN_ONLINE_DAYS, 183 days) leaves the online log, whatever AUDIT_ONLINE_DAYS says;
- only sealed rows move (id ≤ the last seal's last_entry_id), copied with their id and values unchanged, so
  `verify_audit` recomputes the same chain over the two tables (accounts.seal reads both) and still catches a row
  deleted or changed in either;
- the copy and the removal are one transaction: a row is in exactly one of the two tables.

The removal is the log's one privileged path: on PostgreSQL the trigger lets a DELETE through only for a row older than
183 days by the database's clock whose identical copy is in the archive; on SQLite (no DELETE trigger, see migration
0002) it is this module's raw DELETE, and the seal chain is what detects any other.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import AuditSeal

MIN_ONLINE_DAYS = 183
COLUMNS = "id, at, actor_id, actor_username, action, object_type, object_id, unit_code, ip, detail"


def cutoff(now: datetime | None = None) -> datetime:
    """Rows written before this moment may move: the online retention, never less than six months."""
    return (now or timezone.now()) - timedelta(days=max(settings.AUDIT_ONLINE_DAYS, MIN_ONLINE_DAYS))


@transaction.atomic
def archive_batch(*, now: datetime | None = None, batch: int = 10_000) -> int:
    """Move up to `batch` sealed rows older than cutoff(now), oldest id first; the number moved (0: nothing left)."""
    if connection.vendor == "postgresql":  # not beside a running seal_audit
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('accounts.seal'))")
    sealed = AuditSeal.objects.order_by("-last_entry_id").values_list("last_entry_id", flat=True).first() or 0
    before = cutoff(now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_auditentry WHERE at < %s AND id <= %s ORDER BY id LIMIT %s",
                       [before, sealed, batch])
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0
        upto = ids[-1]
        where = "at < %s AND id <= %s AND id >= %s"
        params = [before, upto, ids[0]]
        cursor.execute(f"INSERT INTO accounts_auditarchiveentry ({COLUMNS}, archived_at) "  # noqa: S608 — constants only
                       f"SELECT {COLUMNS}, %s FROM accounts_auditentry WHERE {where}", [timezone.now(), *params])
        copied = cursor.rowcount
        cursor.execute(f"DELETE FROM accounts_auditentry WHERE {where}", params)  # noqa: S608 — constants only
        if cursor.rowcount != copied:
            raise RuntimeError(f"audit archive: copied {copied} rows but removed {cursor.rowcount}")  # rolls back both
    audit.record(actor=None, action="audit.archive", username="system",
                 detail={"rows": copied, "first_id": ids[0], "last_id": upto, "before": before.isoformat()})
    return copied


def archive(*, now: datetime | None = None, batch: int = 10_000) -> int:
    """Every eligible row, in batches of short transactions; the total moved."""
    total = 0
    while moved := archive_batch(now=now, batch=batch):
        total += moved
    return total

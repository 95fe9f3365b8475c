"""Readiness checks for /readyz (ops.views): each returns "" when fine, else a short reason (English, for operators).

Each is cheap: one or two statements on an open connection, a statvfs; the migration graph is read from disk once
per process (the files do not change under a running process), the applied set from django_migrations every time.
"""

import shutil
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from ops import heartbeat
from ops.models import WorkerHeartbeat


def database() -> str:
    """Writable: on PostgreSQL not a standby and not read-only (what PgBouncer hands us); on SQLite a real
    insert, rolled back, with a short lock wait so a busy writer cannot hold the probe for the full busy timeout."""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_is_in_recovery(), current_setting('transaction_read_only'),"
                               " current_setting('default_transaction_read_only')")
                in_recovery, *read_only = cursor.fetchone()
                if in_recovery or "on" in read_only:
                    return "database is read-only (standby or default_transaction_read_only)"
                return ""
            cursor.execute("PRAGMA busy_timeout")
            (busy,) = cursor.fetchone()
            cursor.execute(f"PRAGMA busy_timeout={int(settings.READYZ_DB_LOCK_WAIT_MS)}")
            try:
                with transaction.atomic():
                    WorkerHeartbeat.objects.create(worker_id="readyz-probe", hostname="", pid=0)
                    transaction.set_rollback(True)
            finally:
                cursor.execute(f"PRAGMA busy_timeout={int(busy)}")
    except DatabaseError as error:
        return f"database not writable: {type(error).__name__}: {error}"[:200]
    return ""


@lru_cache(maxsize=1)
def _expected_migrations() -> frozenset[tuple[str, str]]:
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def migrations() -> str:
    try:
        applied = set(MigrationRecorder(connection).applied_migrations())
    except DatabaseError as error:
        return f"migrations unknown: {type(error).__name__}"
    missing = sorted(_expected_migrations() - applied)
    if missing:
        return f"{len(missing)} migrations not applied, e.g. {missing[0][0]}.{missing[0][1]}"
    return ""


def worker() -> str:
    try:
        last = heartbeat.latest()
    except DatabaseError as error:
        return f"worker heartbeat unknown: {type(error).__name__}"
    if last is None:
        return "no task worker has ever beaten (start manage.py task_worker)"
    age = timezone.now() - last
    if age > timedelta(seconds=settings.READYZ_WORKER_MAX_AGE_SECONDS):
        return f"task worker heartbeat is {int(age.total_seconds())} s old (limit {settings.READYZ_WORKER_MAX_AGE_SECONDS} s)"
    return ""


def disk() -> str:
    free_mb = shutil.disk_usage(settings.MEDIA_ROOT).free // (1024 * 1024)
    if free_mb < settings.READYZ_DISK_FREE_MB:
        return f"{free_mb} MB free under {settings.MEDIA_ROOT} (floor {settings.READYZ_DISK_FREE_MB} MB)"
    return ""


CHECKS: dict[str, Callable[[], str]] = {"database": database, "migrations": migrations, "worker": worker, "disk": disk}


def failures() -> dict[str, str]:
    """The failed checks by name. The later checks need the database: when it is unreachable only `database` counts."""
    results = {name: check() for name, check in CHECKS.items()}
    return {name: reason for name, reason in results.items() if reason}

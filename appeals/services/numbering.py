"""Tracking numbers (受理编号): YYYYMMDD and the day's serial, from a sequence (PostgreSQL) or a counter row (SQLite)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from appeals.models import (
    Appeal,
    DailyCounter,
)

# Day sequences this process created outside any transaction: committed, so they cannot vanish
# with a rollback, and nextval alone is enough.
_committed_sequences: set[str] = set()


def sequence_name(now: datetime) -> str:
    return f"appeals_serial_{timezone.localdate(now):%Y%m%d}"


def prepare_tracking_no(now: datetime) -> None:
    """PostgreSQL: make sure the day's sequence exists before a filing takes a number from it.

    Outside a transaction it is created once per process and day. Inside one (a test, a visit
    finding) it is asked for on every filing: a rollback would take a new sequence away again.
    """
    name = sequence_name(now)
    if connection.vendor != "postgresql" or name in _committed_sequences:
        return
    in_transaction = connection.in_atomic_block
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
    except (IntegrityError, DatabaseError):
        if in_transaction:
            raise
        # otherwise: created at the same moment by another process
    if not in_transaction:
        _committed_sequences.add(name)


def next_tracking_no(now: datetime) -> str:
    """YYYYMMDD + a four-digit serial of the day in Asia/Shanghai (more digits after 9,999).

    PostgreSQL: one sequence per day (appeals_serial_YYYYMMDD, made by prepare_tracking_no), so
    concurrent filings never wait on each other (a rolled-back filing leaves a gap). SQLite
    serialises writers anyway: a DailyCounter row, UPDATE … RETURNING.
    """
    day = timezone.localdate(now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{sequence_name(now)}')")
            return f"{day:%Y%m%d}{cursor.fetchone()[0]:04d}"
    table = connection.ops.quote_name(DailyCounter._meta.db_table)
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE day = %s RETURNING last", [day])  # noqa: S608
            row = cursor.fetchone()
        if row is not None:
            return f"{day:%Y%m%d}{row[0]:04d}"
        try:
            with transaction.atomic():
                DailyCounter.objects.create(day=day, last=0)
        except IntegrityError:
            continue
    raise ValidationError("受理编号生成失败，请重试。")


def new_ids_sql(now: datetime) -> tuple[str, list[Any]]:
    """The filing statement's first part: the new request's id, and its tracking number as next_tracking_no makes it."""
    serial = "serial.n::text"
    # Table and sequence names are the project's own; the date is bound.
    return (f"SELECT nextval(pg_get_serial_sequence('{Appeal._meta.db_table}', 'id')) AS id, "  # noqa: S608
            f"%s || lpad({serial}, greatest(4, length({serial})), '0') AS tracking_no "
            f"FROM (SELECT nextval('{sequence_name(now)}') AS n) serial", [f"{timezone.localdate(now):%Y%m%d}"])

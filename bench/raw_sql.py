"""The benchmarks' baseline writer: the fastest plain SQL for rows already computed, columns typed by hand.

executemany of one prepared statement on SQLite, multi-row VALUES (…), (…) with 1,000 rows a statement on PostgreSQL.
The product writes through shequ.bulk; this is what it is measured against.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection


def insert_many(table: str, columns: str, rows: Sequence[tuple[Any, ...]], *, suffix: str = "", batch: int = 1000) -> None:
    if not rows:
        return
    placeholder = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {placeholder} {suffix}", rows)  # noqa: S608
            return
        for i in range(0, len(rows), batch):
            chunk = rows[i:i + batch]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(chunk))} {suffix}"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])

"""New rows of several tables written by one SQL statement (PostgreSQL).

PostgreSQL runs INSERTs placed in a WITH clause exactly once and all or nothing, so a group of
new rows whose ids are already known goes to the server as one statement: one round trip, no
BEGIN/COMMIT, none of the ORM's per-save machinery. Each table's rows travel as one JSON
parameter that jsonb_populate_recordset turns back into rows of the table's own type, so the
statement's text stays the same from call to call: the server parses and plans it once per
connection, then only executes it. Values are the
model fields' own (defaults, auto_now, foreign keys) as save() would write them. No signals are
sent: use it only for models nobody listens to.

On PostgreSQL the request desk files requests without photos this way (appeals.services.file_appeal);
its tests compare the rows with those the ORM writes for the same request.
"""

import json
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from ipaddress import IPv4Address, IPv6Address
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]
from django.db.models import Model
from django.utils.functional import Promise
from psycopg.types.json import Jsonb


def insert_sql(rows: Sequence[Model]) -> tuple[str, list[Any]]:
    """One INSERT of unsaved rows of one model (a primary key left unset is generated)."""
    model = type(rows[0])
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and rows[0].pk is None)]
    records = []
    for row in rows:
        if type(row) is not model or (row.pk is None) != (rows[0].pk is None):
            raise ValueError("insert_sql takes rows of one model, all with or all without a primary key")
        records.append({f.column: f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields})
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb)"  # noqa: S608
    return sql, [json.dumps(records, default=_json_value, ensure_ascii=False)]


def _json_value(value: Any) -> Any:
    """The JSON form of a value the database backend prepared for a column."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()  # keeps microseconds and the offset, as the ORM would store them
    if isinstance(value, Jsonb):  # a JSONField's value, with the field's own encoder
        return json.loads(value.dumps(value.obj)) if value.dumps else value.obj
    if isinstance(value, (Decimal, UUID, Promise, IPv4Address, IPv6Address)):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no JSON form for one_statement")


def write(statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """Run INSERT statements (from insert_sql, or INSERT … SELECT) as one statement."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("data-modifying WITH clauses need PostgreSQL")
    clauses: list[str] = []
    params: list[Any] = []
    for n, (sql, values) in enumerate(statements):
        clauses.append(f"w{n} AS ({sql})")
        params += values
    with _prepared_cursor() as cursor:
        cursor.execute("WITH " + ", ".join(clauses) + " SELECT 1", params)  # noqa: S608


def _prepared_cursor() -> Any:
    """A cursor whose statements the server parses and plans once per connection, then only executes.

    Django binds parameters on the client and never prepares, which suits the ORM's ever-changing
    SQL. A one_statement write has the same text every time and carries its rows as a few large
    parameters; inlined into the text, PostgreSQL would parse and plan it anew on every call
    (measured: 1.0 ms of server CPU per request filing, 0.6 ms prepared). The cursor keeps
    Django's wrappers: database errors, execute_wrapper hooks and the query log.
    """
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = _PreparedCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


class _PreparedCursor(ServerBindingCursor):  # type: ignore[misc]
    def execute(self, query: Any, params: Any = None, **_: Any) -> Any:
        # Django turns psycopg's statement cache off for the connection (prepare_threshold None, for
        # the sake of poolers); it is on only while this cursor executes, so the ORM's own queries
        # are never prepared.
        conn = self.connection
        threshold, conn.prepare_threshold = conn.prepare_threshold, 0
        try:
            return super().execute(query, params, prepare=True)
        finally:
            conn.prepare_threshold = threshold

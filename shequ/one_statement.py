"""New rows of several tables written by one SQL statement (PostgreSQL).

PostgreSQL runs INSERTs placed in a WITH clause exactly once and all or nothing, so a group of
new rows goes to the server as one statement: one round trip, no BEGIN/COMMIT, none of the
ORM's per-save machinery. Ids can be taken by the statement itself (an earlier part selects
nextval(), later parts read it). Each table's rows travel as one JSON parameter that
jsonb_populate_recordset turns back into rows of the table's own type, so the statement's text
stays the same from call to call: the server parses and plans it once per connection, then only
executes it. Values are the model fields' own (defaults, auto_now, foreign keys) as save() would
write them. No signals are sent: use it only for models nobody listens to.

On PostgreSQL the request desk files requests without photos this way (appeals.services.filing.file_appeal);
its tests compare the rows with those the ORM writes for the same request.
"""

import functools
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from ipaddress import IPv4Address, IPv6Address
from typing import Any
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]  # psycopg 3's server-binding cursor class is not in django-stubs
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    FloatField,
    ForeignKey,
    IntegerField,
    Model,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SmallIntegerField,
    TextField,
)
from django.utils.functional import Promise
from psycopg.types.json import Jsonb


def insert_sql(rows: Sequence[Model], *, computed: Mapping[str, str] | None = None, joined: str = "") -> tuple[str, list[Any]]:
    """One INSERT of unsaved rows of one model (a primary key left unset, and not computed, is generated).

    `computed` maps columns to SQL (fixed text, never user input) that the statement evaluates in
    place of the rows' own values, such as an id that an earlier part of the statement takes;
    `joined` names that part (one row), which the expressions may read.
    """
    model = type(rows[0])
    pk_generated = rows[0].pk is None and model._meta.pk.column not in (computed or {})
    sql, carried = _insert_shape(model, tuple((computed or {}).items()), joined, pk_generated)
    db = connections[DEFAULT_DB_ALIAS]
    records = []
    for row in rows:
        if type(row) is not model or (row.pk is None) != (rows[0].pk is None):
            raise ValueError("insert_sql takes rows of one model, all with or all without a primary key")
        records.append({column: _db_value(field, as_is, row, db) for column, field, as_is in carried})
    return sql, [json.dumps(records, default=_json_value, ensure_ascii=False)]


@functools.cache
def _insert_shape(model: type[Model], computed: tuple[tuple[str, str], ...], joined: str,
                  pk_generated: bool) -> tuple[str, tuple[tuple[str, Field[Any, Any], tuple[type, ...]], ...]]:
    """The INSERT's text, and the fields whose values travel in its JSON parameter (column, field, types taken as they are)."""
    expressions = dict(computed)
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and pk_generated)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(expressions.get(f.column) or f"r.{quote(f.column)}" for f in fields)
    sources = f"{joined}, " if joined else ""
    sql = (f"INSERT INTO {table} ({columns}) SELECT {values} "  # noqa: S608
           f"FROM {sources}jsonb_populate_recordset(NULL::{table}, %s::jsonb) AS r")
    return sql, tuple((f.column, f, _taken_as_is(f)) for f in fields if f.column not in expressions)


# Fields that store a value of these exact types, or None, unchanged (their get_db_prep_save
# returns it as it is), so it skips the field's conversions; any other value, or field, goes
# through them, as do fields whose pre_save makes the value (auto_now).
_AS_IS: dict[type, tuple[type, ...]] = {
    CharField: (str,), TextField: (str,), BooleanField: (bool,), FloatField: (float,),
    IntegerField: (int,), BigIntegerField: (int,), SmallIntegerField: (int,),
    PositiveIntegerField: (int,), PositiveBigIntegerField: (int,), PositiveSmallIntegerField: (int,),
    AutoField: (int,), BigAutoField: (int,), DateTimeField: (), DateField: (),
}


def _taken_as_is(field: Field[Any, Any]) -> tuple[type, ...]:
    """The value types `field` stores unchanged: none when its pre_save makes the value."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return ()
    target = field.target_field if type(field) is ForeignKey else field
    if type(target) not in _AS_IS:
        return ()
    return (type(None), *_AS_IS[type(target)])


def _db_value(field: Field[Any, Any], as_is: tuple[type, ...], row: Model, db: Any) -> Any:
    value = getattr(row, field.attname)
    if type(value) in as_is:
        return value
    return field.get_db_prep_save(field.pre_save(row, add=True), db)


def _json_value(value: Any) -> Any:
    """The JSON form of a value the database backend prepared for a column."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()  # keeps microseconds and the offset, as the ORM would store them
    if isinstance(value, Jsonb):  # a JSONField's value, with the field's own encoder
        return json.loads(value.dumps(value.obj)) if value.dumps else value.obj
    if isinstance(value, (Decimal, UUID, Promise, IPv4Address, IPv6Address)):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no JSON form for one_statement")


def write(parts: Mapping[str, tuple[str, Sequence[Any]]], *, result: str = "SELECT 1") -> tuple[Any, ...]:
    """Run named parts (INSERTs from insert_sql, INSERT … SELECT, or a SELECT that later parts read)
    as one statement, and return the row `result` selects."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("data-modifying WITH clauses need PostgreSQL")
    clauses = [f"{name} AS ({sql})" for name, (sql, _) in parts.items()]
    params = [value for _, values in parts.values() for value in values]
    with _prepared_cursor() as cursor:
        cursor.execute(f"WITH {', '.join(clauses)} {result}", params)
        return tuple(cursor.fetchone())


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


class _PreparedCursor(ServerBindingCursor):
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

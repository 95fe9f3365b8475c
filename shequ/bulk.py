"""The one bulk-insert helper, for the paths that write many rows at once (register import, visit plans,
emergency notice recipients, notifications, indicator values).

Django's bulk_create spends most of its time building model instances and compiling SQL; this writes plain
tuples. The column list comes from the model, not from the caller: the caller names the fields it gives (in the
order of its tuples), and every other concrete field takes what the ORM would give it — its default (a callable
default is called for each row), the time of the write for `auto_now` / `auto_now_add`, else `Field.get_default()`
(NULL, or "" for text); a column whose value would be the database's own (NULL, `db_default`) is left out
of the INSERT, which also keeps the statement as narrow as a hand-typed one. A field added to a model with a
default therefore needs no change at any call site.

Values given by the caller go to the database as they are (ints, text, dates; use `connection.ops` adapters for
datetimes on SQLite, `get_db_prep_save` for JSON). Defaults are prepared here.

Writing: one prepared statement through executemany on SQLite (the fastest there); on PostgreSQL COPY, or
multi-row `VALUES (…), (…)` statements when conflicts are to be skipped (one round trip per batch).
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import NOT_PROVIDED, Field, Model
from django.utils import timezone

# PostgreSQL binds at most 65,535 parameters in one statement.
MAX_PARAMETERS = 65535


def _left_to_database(f: Field[Any, Any]) -> bool:
    """Columns the INSERT leaves out, because the database writes what the ORM would: its own default (db_default),
    or NULL for a nullable field without a default."""
    if f.has_default() or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return False
    return f.db_default is not NOT_PROVIDED or f.null


class BulkInserter:
    """INSERT many rows of one model. `given` are field names or attnames (`unit_id`) in the order of the tuples."""

    def __init__(self, model: type[Model], given: Sequence[str], *, ignore_conflicts: bool = False, batch_size: int = 1000):
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        self.given: list[Field[Any, Any]] = [meta.get_field(name) for name in given]  # type: ignore[misc]  # get_field may return a relation's reverse side; only concrete field names are given
        if any(f.primary_key for f in self.given):
            raise ValueError("ids are reserved by insert(); do not give the primary key")
        self.others: list[Field[Any, Any]] = [f for f in meta.concrete_fields
                                              if not f.primary_key and f not in self.given and not _left_to_database(f)]
        self.ignore_conflicts = ignore_conflicts
        self.batch_size = batch_size
        self.columns = [f.column for f in self.given] + [f.column for f in self.others]
        self.pk_column: str = meta.pk.column

    # ---- the model's values for the fields the caller does not give ----------------------------------

    def _tail(self) -> tuple[list[Any], list[tuple[int, Callable[[], Any], Field[Any, Any]]]]:
        """Prepared values of the other fields (one write's moment for auto_now), and those called per row."""
        now = timezone.now()
        values: list[Any] = []
        per_row: list[tuple[int, Callable[[], Any], Field[Any, Any]]] = []
        for i, f in enumerate(self.others):
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                values.append(f.get_db_prep_save(now, connection))
            elif f.has_default() and callable(f.default):
                values.append(None)
                per_row.append((i, f.default, f))
            else:
                values.append(f.get_db_prep_save(f.get_default(), connection))
        return values, per_row

    def full_rows(self, rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """The caller's tuples with every other column's value appended."""
        tail, per_row = self._tail()
        if not per_row:
            fixed = tuple(tail)
            return [(*row, *fixed) for row in rows]
        out = []
        for row in rows:
            for i, make, f in per_row:
                tail[i] = f.get_db_prep_save(make(), connection)
            out.append((*row, *tail))
        return out

    # ---- writing ------------------------------------------------------------------------------------

    def _quoted(self, columns: Sequence[str]) -> str:
        return ", ".join(connection.ops.quote_name(c) for c in columns)

    def _write(self, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        table = connection.ops.quote_name(self.table)
        conflict = " ON CONFLICT DO NOTHING" if self.ignore_conflicts else ""
        width = len(columns)
        placeholder = "(" + ", ".join(["%s"] * width) + ")"
        # Table and column names come from the model's meta; every value is a bound parameter.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not self.ignore_conflicts:
                with cursor.cursor.copy(f"COPY {table} ({self._quoted(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            elif connection.vendor == "postgresql":
                size = max(1, min(self.batch_size, MAX_PARAMETERS // width))
                for i in range(0, len(rows), size):
                    chunk = rows[i:i + size]
                    cursor.execute(f"INSERT INTO {table} ({self._quoted(columns)}) VALUES "  # noqa: S608
                                   f"{', '.join([placeholder] * len(chunk))}{conflict}", [v for row in chunk for v in row])
            else:
                cursor.executemany(f"INSERT INTO {table} ({self._quoted(columns)}) VALUES {placeholder}{conflict}", rows)  # noqa: S608

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert rows (values of `given`); ids come from the table. Returns the number of rows handed over."""
        full = self.full_rows(rows)
        self._write(self.columns, full)
        return len(full)

    def reserve_ids(self, count: int) -> list[int]:
        """Ids for `count` new rows. Call inside a transaction: on SQLite the write lock taken by BEGIN IMMEDIATE
        makes MAX(id)+1 safe; on PostgreSQL the ids come from the table's sequence."""
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [self.table, self.pk_column, count])
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(self.pk_column)}), 0) FROM {table}")  # noqa: S608
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + count))

    def insert(self, rows: Sequence[Sequence[Any]]) -> list[int]:
        """Insert rows (values of `given`) with ids reserved up front; returns their ids in order."""
        if self.ignore_conflicts:
            raise ValueError("reserved ids and skipped conflicts do not mix: use write()")
        if not rows:
            return []
        ids = self.reserve_ids(len(rows))
        full = self.full_rows(rows)
        self._write([self.pk_column, *self.columns], [(pk, *row) for pk, row in zip(ids, full)])
        return ids

    def select_sql(self, expressions: Sequence[str], expression_params: Sequence[Any], source: str,
                   source_params: Sequence[Any]) -> tuple[str, list[Any]]:
        """INSERT … SELECT: `expressions` (one per given field) evaluated over `source` (a FROM clause), every other
        column bound from the model once for the whole statement."""
        if len(expressions) != len(self.given):
            raise ValueError("one expression per given field")
        tail, per_row = self._tail()
        for _, _, f in per_row:
            if f.unique:
                raise ValueError(f"{f.name}: a unique per-row default cannot be bound once for INSERT … SELECT")
            tail[self.others.index(f)] = f.get_db_prep_save(f.default(), connection)
        table = connection.ops.quote_name(self.table)
        select = ", ".join([*expressions, *(["%s"] * len(tail))])
        sql = f"INSERT INTO {table} ({self._quoted(self.columns)}) SELECT {select} FROM {source}"  # noqa: S608
        return sql, [*expression_params, *tail, *source_params]

"""The one bulk-insert helper: columns and defaults come from the model, so a field added with a default is written."""

import itertools
from datetime import date, timedelta

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps
from django.utils import timezone

from shequ.bulk import BulkInserter

_numbers = itertools.count(1)


def _next_code() -> str:
    return f"C{next(_numbers):05d}"


@pytest.fixture
def parcel_model(transactional_db):
    """A model of a test app (not in any migration) with every kind of default, its table made for the test."""
    with isolate_apps("shequ"):
        class Parcel(models.Model):
            name = models.CharField(max_length=20, unique=True)
            status = models.CharField(max_length=10, default="new")
            weight = models.IntegerField(default=1)
            code = models.CharField(max_length=10, default=_next_code, unique=True)
            note = models.TextField(blank=True)
            checked_on = models.DateField(null=True)
            extra = models.JSONField(default=dict)
            rank = models.IntegerField(db_default=5)
            created_at = models.DateTimeField(auto_now_add=True)
            updated_at = models.DateTimeField(auto_now=True)

            class Meta:
                app_label = "shequ"
                db_table = "test_bulk_parcel"

        with connection.schema_editor() as editor:
            editor.create_model(Parcel)
        try:
            yield Parcel
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Parcel)


def test_it_writes_every_field_the_caller_does_not_give_from_the_model(parcel_model) -> None:
    before = timezone.now()
    with connection.cursor():
        count = BulkInserter(parcel_model, ["name", "checked_on"]).write([("甲", date(2025, 3, 1)), ("乙", None)])
    assert count == 2
    rows = {p.name: p for p in parcel_model.objects.all()}
    assert set(rows) == {"甲", "乙"}
    for p in rows.values():
        assert (p.status, p.weight, p.note, p.extra, p.rank) == ("new", 1, "", {}, 5)
        assert before - timedelta(seconds=1) <= p.created_at <= timezone.now()
        assert p.updated_at == p.created_at
    assert rows["甲"].checked_on == date(2025, 3, 1) and rows["乙"].checked_on is None
    # A callable default is called for each row, as the ORM does (here a unique code).
    assert rows["甲"].code != rows["乙"].code


def test_it_reserves_ids_in_order_and_skips_conflicts_when_asked(parcel_model) -> None:
    ids = BulkInserter(parcel_model, ["name", "weight"]).insert([("a", 5), ("b", 6)])
    assert [parcel_model.objects.get(pk=pk).weight for pk in ids] == [5, 6]
    BulkInserter(parcel_model, ["name", "weight"], ignore_conflicts=True).write([("a", 7), ("c", 8)])
    assert dict(parcel_model.objects.values_list("name", "weight")) == {"a": 5, "b": 6, "c": 8}


def test_it_binds_the_model_defaults_into_an_insert_select(parcel_model) -> None:
    writer = BulkInserter(parcel_model, ["name", "status", "code"])
    with pytest.raises(ValueError, match="one expression per given field"):
        writer.select_sql(["src.n"], [], "(SELECT 'x' AS n) src", [])
    sql, params = writer.select_sql(["src.n", "%s", "src.n"], ["done"], "(SELECT %s AS n) src", ["丙"])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    p = parcel_model.objects.get()
    assert (p.name, p.status, p.code, p.weight, p.extra) == ("丙", "done", "丙", 1, {})
    # A unique per-row default cannot be bound once for a whole INSERT … SELECT.
    with pytest.raises(ValueError, match="code"):
        BulkInserter(parcel_model, ["name"]).select_sql(["src.n"], [], "(SELECT 'x' AS n) src", [])


def test_it_refuses_a_given_primary_key(parcel_model) -> None:
    with pytest.raises(ValueError):
        BulkInserter(parcel_model, ["id", "name"])

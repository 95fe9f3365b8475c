"""shequ.one_statement: rows written in one statement read back as the ORM writes them."""

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry
from appeals.models import Category
from shequ import one_statement

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="data-modifying WITH needs PostgreSQL")


def _audit(**overrides: object) -> AuditEntry:
    values: dict[str, object] = {"actor_username": "tina", "action": "test.write", "object_type": "x.y", "object_id": "7",
                                 "unit_code": "131102002018", "ip": "10.0.0.8", "detail": {"说明": "中文", "n": [1, 2.5, None]}}
    values.update(overrides)
    return AuditEntry(**values)


def _columns(row: AuditEntry) -> dict[str, object]:
    return {f.attname: getattr(row, f.attname) for f in AuditEntry._meta.concrete_fields if not f.primary_key}


@pytest.mark.postgres_only
@needs_postgres
@pytest.mark.django_db
def test_rows_read_back_exactly_as_the_orm_writes_them() -> None:
    by_orm = _audit()
    by_orm.save()
    together = [_audit(at=by_orm.at), _audit(at=by_orm.at, ip="", actor_username="")]  # blank ip → NULL, as the ORM stores it
    one_statement.write({"rows": one_statement.insert_sql(together)})
    orm_row, first, second = AuditEntry.objects.filter(action="test.write").order_by("id")
    assert _columns(first) == _columns(orm_row)
    assert second.ip is None and second.actor_username == ""
    assert first.at == by_orm.at  # microseconds and offset kept


@pytest.mark.postgres_only
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_failing_insert_writes_nothing_of_the_statement() -> None:
    kept = _audit(action="test.kept")
    kept.save()
    clash = _audit(action="test.clash")
    clash.pk = kept.pk  # that id exists: this INSERT fails
    with pytest.raises(IntegrityError):
        one_statement.write({"fine": one_statement.insert_sql([_audit()]), "clash": one_statement.insert_sql([clash])})
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.kept"]


def test_rows_of_different_models_are_refused() -> None:
    with pytest.raises(ValueError, match="one model"):
        one_statement.insert_sql([_audit(), Category(code="x", name="x")])


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite refusal")
def test_sqlite_is_refused_clearly() -> None:
    with pytest.raises(NotImplementedError, match="PostgreSQL"):
        one_statement.write({"x": ("INSERT INTO x VALUES (1)", [])})


@pytest.mark.postgres_only
@needs_postgres
@pytest.mark.django_db
def test_the_statement_is_prepared_once_and_the_orms_queries_never() -> None:
    with CaptureQueriesContext(connection) as logged:
        for _ in range(3):
            one_statement.write({"entry": one_statement.insert_sql([_audit()])})
            assert AuditEntry.objects.filter(action="test.write").exists()
    assert len(logged) == 6  # the query log still sees every write
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 1 and prepared[0].startswith('WITH entry AS (INSERT INTO "accounts_auditentry"')
    assert connection.connection.prepare_threshold is None  # Django's setting, back in place


@pytest.mark.postgres_only
@needs_postgres
@pytest.mark.django_db
def test_computed_columns_take_a_value_made_by_an_earlier_part() -> None:
    made = one_statement.write({
        "made": ("SELECT %s || nextval('accounts_auditentry_id_seq') AS tag", ["编号-"]),
        "entries": one_statement.insert_sql([_audit(), _audit()], computed={"object_id": "made.tag"}, joined="made"),
    }, result="SELECT tag FROM made")
    assert made[0].startswith("编号-")
    assert list(AuditEntry.objects.filter(action="test.write").values_list("object_id", flat=True)) == [made[0], made[0]]

"""Audit rows past the online retention move to the archive; nothing under six months ever leaves; the chain still holds."""

import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import archive, seal
from accounts.models import AuditArchiveEntry, AuditEntry
from shequ.testing.world import World


def _row(days_old: float, action: str, world: World) -> AuditEntry:
    return AuditEntry.objects.create(action=action, actor=world.alice, actor_username="alice", unit_code="131102002018",
                                     at=timezone.now() - timedelta(days=days_old), detail={"名": action}, ip="10.0.0.1")


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def log(world: World, settings) -> dict[str, AuditEntry]:
    settings.AUDIT_ONLINE_DAYS = 183
    rows = {name: _row(days, name, world) for name, days in
            [("test.400d", 400), ("test.200d", 200), ("test.170d", 170), ("test.1d", 1)]}
    assert seal.seal(now=timezone.now() + timedelta(hours=1)) is not None
    return rows


def _online() -> set[str]:
    return set(AuditEntry.objects.filter(action__startswith="test.").values_list("action", flat=True))


def _archived() -> set[str]:
    return set(AuditArchiveEntry.objects.filter(action__startswith="test.").values_list("action", flat=True))


def test_it_moves_sealed_rows_past_the_retention_and_the_chain_still_verifies(log, world, login) -> None:
    sealed = seal.verify()
    assert archive.archive() == 2
    assert _online() == {"test.170d", "test.1d"}
    assert _archived() == {"test.400d", "test.200d"}
    moved = AuditArchiveEntry.objects.get(pk=log["test.400d"].pk)  # same id, same values
    assert (moved.at, moved.actor_id, moved.unit_code, moved.ip, moved.detail) == (
        log["test.400d"].at, world.alice.pk, "131102002018", "10.0.0.1", {"名": "test.400d"})
    report = seal.verify()
    assert report.ok, report.breaks
    assert (report.rows, report.chain) == (sealed.rows, sealed.chain)
    assert AuditEntry.objects.filter(action="audit.archive", detail__rows=2).exists()
    page = login(world.audrey).get("/accounts/audit/?archive=1&action=test.").content.decode()
    assert "test.400d" in page and "test.200d" in page and "test.170d" not in page
    assert "test.400d" not in login(world.audrey).get("/accounts/audit/?action=test.").content.decode()


def test_it_never_moves_a_row_younger_than_six_months_whatever_the_setting(log, settings) -> None:
    settings.AUDIT_ONLINE_DAYS = 30
    archive.archive()
    assert {"test.170d", "test.1d"} <= _online()
    assert "test.170d" not in _archived()


def test_it_moves_rows_as_the_clock_passes_six_months(log) -> None:
    later = timezone.now() + timedelta(days=20)  # test.170d is then 190 days old
    if connection.vendor == "postgresql":
        # The database's own clock decides there: by it the row is 170 days old, so its DELETE is refused.
        with pytest.raises(DatabaseError):
            archive.archive(now=later)
        assert "test.170d" in _online() and "test.170d" not in _archived()
        return
    assert archive.archive(now=later) == 3
    assert _online() == {"test.1d"}
    assert seal.verify().ok


def test_it_leaves_unsealed_rows_online(log, world) -> None:
    late = _row(300, "test.300d-unsealed", world)
    archive.archive()
    assert AuditEntry.objects.filter(pk=late.pk).exists()
    assert not AuditArchiveEntry.objects.filter(pk=late.pk).exists()


def test_it_refuses_edits_and_deletes_of_the_archive(log) -> None:
    archive.archive()
    moved = AuditArchiveEntry.objects.get(action="test.400d")
    with pytest.raises(PermissionError):
        moved.delete()
    with pytest.raises(PermissionError):
        moved.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw("UPDATE accounts_auditarchiveentry SET action = 'forged' WHERE id = %s", [moved.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            _raw("DELETE FROM accounts_auditarchiveentry WHERE id = %s", [moved.pk])
        return
    _raw("DELETE FROM accounts_auditarchiveentry WHERE id = %s", [moved.pk])  # SQLite: whoever holds the file can
    report = seal.verify()
    assert not report.ok and any("少了 1 条" in b for b in report.breaks)  # …and the chain names it


@pytest.mark.postgres_only
def test_it_lets_postgresql_delete_an_online_row_only_when_old_and_archived_unchanged(log) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's trigger")
    for name in ("test.400d", "test.1d"):  # old but not archived; young
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("DELETE FROM accounts_auditentry WHERE id = %s", [log[name].pk])
    old = log["test.200d"]
    _raw("INSERT INTO accounts_auditarchiveentry (id, at, actor_id, actor_username, action, object_type, object_id, unit_code,"
         " ip, detail, archived_at) SELECT id, at, actor_id, actor_username, 'changed', object_type, object_id, unit_code,"
         " ip, detail, now() FROM accounts_auditentry WHERE id = %s", [old.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM accounts_auditentry WHERE id = %s", [old.pk])  # the archived copy differs
    assert AuditEntry.objects.filter(pk=old.pk).exists()


def test_it_runs_as_a_command(log, capsys) -> None:
    call_command("archive_audit")
    assert "已归档 2 条" in capsys.readouterr().out


def test_it_refuses_an_online_retention_under_six_months_at_start_up() -> None:
    script = "import django; django.setup()"
    bad = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "shequ.settings", "AUDIT_ONLINE_DAYS": "90"})
    assert bad.returncode != 0 and "AUDIT_ONLINE_DAYS must be at least 183" in bad.stderr

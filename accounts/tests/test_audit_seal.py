"""The audit log's hash chain: a row deleted behind the ORM's back (SQLite allows DELETE) is found."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import seal
from accounts.models import AuditEntry, AuditSeal
from shequ.testing.world import World


def rows(count: int, world: World) -> list[AuditEntry]:
    at = timezone.now() - timedelta(minutes=5)
    return [AuditEntry.objects.create(action=f"test.row{i}", actor=world.alice, actor_username="alice", at=at,
                                      detail={"n": i, "名": "值"}) for i in range(count)]


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_finds_a_middle_row_deleted_behind_the_orms_back(world: World, login) -> None:
    written = rows(6, world)
    assert seal.seal() is not None
    later = rows(3, world)
    assert seal.seal() is not None
    assert seal.verify().ok and seal.verify().rows >= 9
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("DELETE FROM accounts_auditentry WHERE id = %s", [written[3].pk])
        return  # PostgreSQL refuses the DELETE itself
    raw("DELETE FROM accounts_auditentry WHERE id = %s", [written[3].pk])
    report = seal.verify()
    assert not report.ok and any("少了 1 条" in b for b in report.breaks)
    assert any(str(written[0].pk) in b for b in report.breaks) and not any(str(later[0].pk) + "–" in b for b in report.breaks)
    page = login(world.audrey).get("/accounts/audit/verify/").content.decode()
    assert "审计日志校验失败" in page and "少了 1 条" in page
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_it_finds_a_row_changed_in_a_sealed_range(world: World) -> None:
    written = rows(3, world)
    seal.seal()
    if connection.vendor == "postgresql":
        return  # the trigger refuses UPDATE and DELETE (test_audit_and_posts.py)
    # SQLite's trigger refuses UPDATE; an attacker deletes and re-inserts instead.
    raw("DELETE FROM accounts_auditentry WHERE id = %s", [written[1].pk])
    raw("INSERT INTO accounts_auditentry (id, at, actor_username, action, object_type, object_id, unit_code, detail) "
        "VALUES (%s, %s, 'alice', 'test.forged', '', '', '', '{}')", [written[1].pk, written[1].at])
    report = seal.verify()
    assert not report.ok and any("被改动" in b for b in report.breaks)


def test_it_seals_a_long_log_in_batches(world: World, monkeypatch) -> None:
    monkeypatch.setattr(seal, "BATCH", 2)
    written = rows(5, world)
    call_command("seal_audit")
    seals = list(AuditSeal.objects.order_by("last_entry_id"))
    assert [s.rows for s in seals] == [2, 2, 1] and seals[-1].last_entry_id == written[-1].pk
    assert seal.verify().ok


def test_it_leaves_fresh_rows_for_the_next_run_and_the_page_says_all_is_well(world: World, login) -> None:
    AuditEntry.objects.create(action="test.fresh", actor_username="alice")
    assert seal.seal() is None and not AuditSeal.objects.exists()
    rows(2, world)
    call_command("seal_audit")
    page = login(world.audrey).get("/accounts/audit/verify/").content.decode()
    assert "审计日志完整" in page
    assert login(world.sue).get("/accounts/audit/verify/").status_code == 404
    with pytest.raises(PermissionError):
        AuditSeal.objects.all().delete()

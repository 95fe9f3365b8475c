"""The audit log is append-only and only the auditor reads it; the three admin posts are separate."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from accounts import services
from accounts.models import AuditEntry, User
from accounts.roles import Role
from places.models import OrgUnit
from shequ.testing.world import World


def test_it_refuses_to_change_or_delete_audit_rows(world: World) -> None:
    entry = AuditEntry.objects.create(action="test.thing", actor=world.alice, actor_username="alice")
    entry.action = "test.other"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_the_database_itself_refuses_to_edit_audit_rows(world: World) -> None:
    entry = AuditEntry.objects.create(action="test.thing", actor_username="alice")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET action = 'forged' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.thing"


@pytest.mark.parametrize("username", ["alice", "cindy", "erin", "sam", "sue", "rita"])
def test_only_the_auditor_reads_the_audit_log(username: str, world: World, login) -> None:
    assert login(world.users[username]).get("/accounts/audit/").status_code == 404


def test_the_auditor_reads_and_filters_the_log(world: World, login) -> None:
    AuditEntry.objects.create(action="people.reveal", actor_username="alice")
    page = login(world.audrey).get("/accounts/audit/?action=people").content.decode()
    assert "people.reveal" in page
    assert login(world.audrey).get("/accounts/manage/").status_code == 404
    assert login(world.audrey).get("/admin/").status_code == 302  # admin login, not the admin


def test_the_security_admin_manages_accounts_and_nothing_else(world: World, login) -> None:
    client = login(world.sue)
    response = client.post("/accounts/manage/", {"username": "newworker", "role": "community_worker",
                                                 "unit_code": "131102001045", "password": "Good-pass-9"})
    assert response.status_code == 302
    assert User.objects.get(username="newworker").unit_id == "131102001045"
    assert AuditEntry.objects.filter(action="account.create", actor=world.sue).exists()
    assert client.get("/admin/").status_code == 302
    assert client.get("/units/131102001045/").status_code == 404


def test_the_security_admin_gets_clear_errors_and_nothing_is_created(world: World, login) -> None:
    client = login(world.sue)
    page = client.post("/accounts/manage/", {"username": "xone", "role": "county_staff", "unit_code": "131102001045",
                                             "password": "Good-pass-9"}).content.decode()
    assert "须指定一个县（市、区）级单位" in page
    page = client.post("/accounts/manage/", {"username": "xtwo", "role": "community_worker", "unit_code": "131102001045",
                                             "password": "weakpass"}).content.decode()
    assert "至少三类" in page
    assert not User.objects.filter(username__in=["xone", "xtwo"]).exists()


def test_the_system_admin_configures_but_sees_no_accounts_or_audit(world: World, login) -> None:
    client = login(world.sam)
    assert client.get("/admin/").status_code == 200
    assert client.get("/accounts/manage/").status_code == 404
    assert client.get("/accounts/audit/").status_code == 404
    assert "accounts/user" not in client.get("/admin/").content.decode()


def test_nobody_else_reaches_the_admin(world: World, login) -> None:
    for username in ["alice", "cindy", "erin", "sue", "audrey"]:
        assert login(world.users[username]).get("/admin/").status_code == 302


def test_it_unlocks_and_deactivates_accounts(world: World, login) -> None:
    from datetime import timedelta

    from django.utils import timezone

    User.objects.filter(pk=world.alice.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
    client = login(world.sue)
    client.post(f"/accounts/manage/{world.alice.pk}/unlock/")
    assert not User.objects.get(pk=world.alice.pk).is_locked()
    client.post(f"/accounts/manage/{world.bob.pk}/deactivate/")
    assert not User.objects.get(pk=world.bob.pk).is_active
    assert client.post(f"/accounts/manage/{world.sue.pk}/deactivate/", follow=True).status_code == 200
    assert User.objects.get(pk=world.sue.pk).is_active


@pytest.mark.parametrize(("role", "scope"), [
    (Role.COMMUNITY_WORKER, "131102000000"), (Role.TOWNSHIP_STAFF, "131102001045"), (Role.CITY_STAFF, None),
    (Role.SYSTEM_ADMIN, "131100000000"), (Role.RESIDENT, "131102001000"),
])
def test_a_role_needs_the_scope_that_fits_it(role: str, scope: str | None, tree) -> None:
    unit = OrgUnit.objects.get(code=scope) if scope else None
    with pytest.raises(ValidationError):
        services.create_user(actor=None, username="xxx", password="Good-pass-9", role=role, unit=unit)
    assert not User.objects.filter(username="xxx").exists()


def test_scoping_follows_the_unit_prefix(world: World) -> None:
    from accounts.scoping import scope_prefix

    assert scope_prefix(world.alice) == "131102001045"
    assert scope_prefix(world.tina) == "131102001"
    assert scope_prefix(world.carl) == "131102"
    assert scope_prefix(world.cindy) == "1311"
    for name in ["erin", "rita", "sam", "sue", "audrey"]:
        assert scope_prefix(world.users[name]) is None
    world.alice.is_active = False
    assert scope_prefix(world.alice) is None

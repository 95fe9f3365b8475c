"""三权分立 (F14): a data right needs the unit leader's approval and expires; admin posts change only with two
administrators; every account change reaches the auditors; a new account sets its own password first."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts import services
from accounts.models import AccountChange, ApiToken, AuditEntry, DataRightGrant, User
from accounts.roles import Role
from people.permissions import can_export_unmasked, can_reveal
from shequ.testing.world import PASSWORD, World
from web.models import Notification


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # permissions are cached on the object


def leader(world: World, name: str, role: str, unit_code: str) -> User:
    user = User(username=name, role=role, unit=world.unit(unit_code), is_unit_leader=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_it_does_not_let_the_security_admin_alone_give_city_staff_unmasked_data(world: World, login) -> None:
    boss = leader(world, "cityboss", Role.CITY_STAFF, "131100000000")
    client = login(world.sue)
    client.post(f"/people/rights/{world.cindy.pk}/", {"reveal_personal_data": "on", "export_unmasked": "on"})
    cindy = fresh(world.cindy)
    assert not can_reveal(cindy) and not can_export_unmasked(cindy)
    assert "待负责人批准" in client.get("/people/rights/?q=cindy").content.decode()
    # The one who asked cannot approve, nor can a leader of some other unit.
    grant = DataRightGrant.objects.get(user=world.cindy, right="people.reveal_personal_data")
    with pytest.raises(PermissionError):
        services.approve_right(actor=world.sue, grant=grant)
    outsider = leader(world, "taochengboss", Role.COUNTY_STAFF, "131102000000")
    assert login(outsider).post(f"/accounts/rights/{grant.pk}/approve/").status_code == 404
    assert not can_reveal(fresh(world.cindy))
    # The city's leader approves one of the two.
    leader_client = login(boss)
    page = leader_client.get("/accounts/rights/").content.decode()
    assert "cindy" in page and "查看完整证件号码与电话" in page
    assert leader_client.post(f"/accounts/rights/{grant.pk}/approve/").status_code == 302
    cindy = fresh(world.cindy)
    assert can_reveal(cindy) and not can_export_unmasked(cindy)
    entry = AuditEntry.objects.get(action="account.right_grant")
    assert entry.actor == boss and entry.detail["right"] == "people.reveal_personal_data"


def test_a_granted_right_expires_after_the_set_period(world: World, settings) -> None:
    settings.DATA_RIGHT_DAYS = 30
    tina_boss = leader(world, "hexiboss", Role.TOWNSHIP_STAFF, "131102001000")  # the level above alice's community
    grant = services.request_right(actor=world.sue, user=world.alice, right="people.reveal_personal_data")
    assert grant is not None
    services.approve_right(actor=tina_boss, grant=grant)
    grant.refresh_from_db()
    assert grant.expires_at is not None
    assert timedelta(days=29) < grant.expires_at - timezone.now() <= timedelta(days=30)
    assert can_reveal(fresh(world.alice))
    DataRightGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not can_reveal(fresh(world.alice))


def test_a_direct_django_permission_is_not_a_data_right(world: World) -> None:
    from django.contrib.auth.models import Permission

    world.bob.user_permissions.add(Permission.objects.get(content_type__app_label="people", codename="reveal_personal_data"))
    assert not can_reveal(fresh(world.bob))


def test_it_refuses_a_request_nobody_could_approve(world: World) -> None:
    with pytest.raises(ValidationError, match="没有单位负责人"):
        services.request_right(actor=world.sue, user=world.bob, right="people.reveal_personal_data")
    assert not DataRightGrant.objects.exists()


def test_the_security_admin_cannot_create_or_deactivate_auditors_alone(world: World, login) -> None:
    client = login(world.sue)
    client.post("/accounts/manage/", {"username": "auditor2", "role": "auditor", "password": "Good-pass-9"})
    client.post(f"/accounts/manage/{world.audrey.pk}/deactivate/")
    assert not User.objects.filter(username="auditor2").exists()
    assert fresh(world.audrey).is_active
    with pytest.raises(ValidationError):
        services.create_user(actor=world.sue, username="sysadmin2", password="Good-pass-9", role=Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError):
        services.set_active(actor=world.sue, user=world.audrey, active=False)
    # Two pending changes; sue cannot confirm her own, sam (the other administrator) can.
    create, deactivate = AccountChange.objects.order_by("id")
    with pytest.raises(PermissionError):
        services.decide_change(actor=world.sue, change=create, confirm=True)
    assert login(world.alice).get("/accounts/changes/").status_code == 404
    sam = login(world.sam)
    assert "auditor2" in sam.get("/accounts/changes/").content.decode()
    sam.post(f"/accounts/changes/{create.pk}/confirm/")
    sam.post(f"/accounts/changes/{deactivate.pk}/refuse/")
    new = User.objects.get(username="auditor2")
    assert new.role == Role.AUDITOR and new.must_change_password and new.check_password("Good-pass-9")
    assert fresh(world.audrey).is_active
    assert AuditEntry.objects.get(action="account.create").detail["confirmed_by"] == "sam"


def test_a_unit_leader_is_designated_by_two_administrators(world: World, login) -> None:
    login(world.sue).post(f"/accounts/manage/{world.tina.pk}/leader/")
    assert not fresh(world.tina).is_unit_leader
    change = AccountChange.objects.get(kind=AccountChange.Kind.LEADER)
    services.decide_change(actor=world.sam, change=change, confirm=True)
    assert fresh(world.tina).is_unit_leader


def test_every_account_change_reaches_the_auditors(world: World, login) -> None:
    client = login(world.sue)
    client.post("/accounts/manage/", {"username": "newworker", "role": "community_worker", "unit_code": "131102001045",
                                      "password": "Good-pass-9"})
    client.post(f"/accounts/manage/{world.bob.pk}/deactivate/")
    client.post(f"/accounts/manage/{world.bob.pk}/unlock/")
    titles = list(Notification.objects.filter(user=world.audrey).values_list("title", flat=True))
    assert any("newworker" in t for t in titles)
    assert any("停用账户 bob" in t for t in titles) and any("解锁账户 bob" in t for t in titles)
    assert not Notification.objects.filter(user=world.sam).exists()


def test_a_new_account_must_change_its_password_first(client, world: World, login) -> None:
    login(world.sue).post("/accounts/manage/", {"username": "newworker", "role": "community_worker",
                                                "unit_code": "131102001045", "password": "Good-pass-9"})
    client.logout()
    assert client.post("/accounts/login/", {"username": "newworker", "password": "Good-pass-9"}).status_code == 302
    home = client.get("/units/131102001045/")
    assert home.status_code == 302 and home["Location"].startswith("/accounts/password/")
    assert client.get("/api/auth/me").status_code == 403
    token = client.post("/api/auth/token", {"username": "newworker", "password": "Good-pass-9"}, content_type="application/json")
    assert token.status_code == 403 and not ApiToken.objects.exists()
    # Bad input changes nothing.
    page = client.post("/accounts/password/", {"old_password": "Good-pass-9", "new_password": "Other-pass-8",
                                               "new_password2": "Other-pass-9"}).content.decode()
    assert "两次输入的新密码不一致" in page and User.objects.get(username="newworker").must_change_password
    page = client.post("/accounts/password/", {"old_password": "Good-pass-9", "new_password": "weakpass",
                                               "new_password2": "weakpass"}).content.decode()
    assert "至少三类" in page and User.objects.get(username="newworker").check_password("Good-pass-9")
    done = client.post("/accounts/password/", {"old_password": "Good-pass-9", "new_password": "Other-pass-8",
                                               "new_password2": "Other-pass-8", "next": "/units/131102001045/"})
    assert done.status_code == 302 and done["Location"] == "/units/131102001045/"
    assert client.get("/units/131102001045/").status_code == 200
    assert not User.objects.get(username="newworker").must_change_password


def test_the_admin_posts_are_created_at_installation_once(tree, capsys) -> None:
    call_command("create_admin_posts")
    assert set(User.objects.values_list("role", flat=True)) == {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}
    assert all(User.objects.values_list("must_change_password", flat=True))
    assert "初始密码" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("create_admin_posts", "--auditor", "auditor9")
    assert User.objects.count() == 3


def test_the_demo_has_unit_leaders_to_approve_data_rights(tree, settings, tmp_path) -> None:
    from accounts.demo import ensure_demo_accounts

    settings.VAR_DIR = tmp_path
    ensure_demo_accounts()
    users = {u.username: u for u in User.objects.all()}
    assert not any(u.must_change_password for u in users.values())  # demo passwords are printed for everyone
    grant = services.request_right(actor=users["secadmin"], user=users["worker"], right="people.reveal_personal_data")
    assert grant is not None
    services.approve_right(actor=users["township"], grant=grant)
    assert can_reveal(fresh(users["worker"]))


def test_the_navigation_leads_each_person_to_their_desk(world: World, login) -> None:
    boss = leader(world, "hexiboss", Role.TOWNSHIP_STAFF, "131102001000")
    assert "/accounts/rights/" in login(boss).get("/").content.decode()
    assert "/accounts/rights/" not in login(world.tina).get("/").content.decode()
    assert "/accounts/changes/" in login(world.sam).get("/").content.decode()
    assert "/accounts/password/" in login(world.rita).get("/").content.decode()

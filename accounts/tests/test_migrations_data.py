"""The data migrations: one-person rights become requests for the unit leader; usernames are normalised where free."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_audit_log_append_only")]


@pytest.mark.django_db(transaction=True)
def test_it_turns_old_rights_into_requests_and_normalises_usernames(tree) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User, Permission = old.get_model("accounts", "User"), old.get_model("auth", "Permission")
    bob = User.objects.create(username="Bob.Wang", password="!", role="community_worker")
    User.objects.create(username="bob.wang2", password="!", role="community_worker")
    User.objects.create(username="Alice", password="!", role="community_worker")
    User.objects.create(username="alice", password="!", role="community_worker")  # the normalised name is taken
    reveal = Permission.objects.filter(content_type__app_label="people", codename="reveal_personal_data").first()
    from django.apps import apps

    assert reveal is not None or not apps.is_installed("people")
    if reveal is not None:
        bob.user_permissions.add(reveal)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from accounts.models import DataRightGrant
    from accounts.models import User as NewUser

    names = set(NewUser.objects.values_list("username", flat=True))
    assert {"bob.wang", "bob.wang2", "Alice", "alice"} <= names
    if reveal is not None:
        bob_now = NewUser.objects.get(username="bob.wang")
        grant = DataRightGrant.objects.get(user=bob_now)
        assert grant.right == "people.reveal_personal_data" and grant.state() == "pending"
        assert not bob_now.user_permissions.exists()

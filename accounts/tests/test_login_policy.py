"""Password policy, lockout after failed logins, idle session expiry — and the audit of each."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry, User
from shequ.testing.world import PASSWORD, World


@pytest.mark.parametrize("password", ["Ab1!", "abcdefgh", "abcd1234", "ABCDEFGH12", "短短短短短短短短"])
def test_it_rejects_weak_passwords(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Hengshui9x", "abcdefg1!", "ABCDEFG1!", "Sq-wu0EbhTev57a"])
def test_it_accepts_passwords_of_three_classes(password: str) -> None:
    validate_password(password)


def sign_in(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_it_signs_in_and_records_it(client, world: World) -> None:
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="auth.login")
    assert entry.actor == world.alice and entry.ip == "127.0.0.1"


def _alert(page: bytes) -> str:
    text = page.decode()
    start = text.index('<div role="alert">')
    return text[start:text.index("</div>", start)]


def test_it_locks_the_account_after_five_failures_and_says_no_more_than_for_an_unknown_name(client, world: World) -> None:
    unknown = _alert(sign_in(client, "nobody", "Wrong-pass-1").content)
    for _ in range(5):
        wrong = _alert(sign_in(client, "alice", "Wrong-pass-1").content)
        assert wrong == unknown
    assert User.objects.get(username="alice").is_locked()
    # Even the right password is refused while locked, and the answer is the unknown name's, word for word.
    locked = _alert(sign_in(client, "alice", PASSWORD).content)
    assert locked == unknown and "用户名或密码不正确" in locked
    assert AuditEntry.objects.filter(action="auth.login_failed", actor_username="alice").count() == 6
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_it_pauses_an_address_that_fails_too_often_but_not_others(client, world: World, settings) -> None:
    settings.LOGIN_IP_MAX_FAILURES = 6
    for name in ["ann", "ben", "cat", "dan", "eve", "fay"]:  # six guesses, no account among them locked
        sign_in(client, name, "Wrong-pass-1")
    page = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1")
    assert page.status_code == 200 and "本机登录失败次数过多" in page.content.decode()
    assert not User.objects.get(username="alice").is_locked()
    other = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302
    token = client.post("/api/auth/token", {"username": "bob", "password": PASSWORD}, content_type="application/json")
    assert token.status_code == 401


def test_it_lets_the_user_in_again_after_fifteen_minutes(client, world: World) -> None:
    User.objects.filter(username="alice").update(locked_until=timezone.now() + timedelta(minutes=15))
    assert sign_in(client, "alice", PASSWORD).status_code == 200
    User.objects.filter(username="alice").update(locked_until=timezone.now() - timedelta(seconds=1))
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert User.objects.get(username="alice").failed_logins == 0


def test_it_counts_failures_for_unknown_users_without_saying_so(client, tree) -> None:
    page = sign_in(client, "nobody", "Wrong-pass-1").content.decode()
    assert "用户名或密码不正确" in page
    assert AuditEntry.objects.filter(action="auth.login_failed", actor_username="nobody").exists()


def test_it_ends_an_idle_session_after_thirty_minutes(client, world: World) -> None:
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] = time.time() - 30 * 60 - 1
    session.save()
    response = client.get("/units/131102001045/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/units/131102001045/").status_code == 302
    assert AuditEntry.objects.filter(action="auth.session_expired", actor=world.alice).exists()


def test_it_keeps_an_active_session_and_warns_before_the_end(client, world: World) -> None:
    sign_in(client, "alice", PASSWORD)
    session = client.session
    session["last_seen"] = time.time() - 29 * 60
    session.save()
    left = client.get("/accounts/session/").json()["seconds_left"]
    assert 0 < left <= 60
    # Asking does not extend; staying (keepalive) does.
    assert client.get("/accounts/session/").json()["seconds_left"] <= 60
    assert client.post("/accounts/keepalive/").status_code == 200
    assert client.get("/accounts/session/").json()["seconds_left"] > 29 * 60
    page = client.get("/").content.decode()
    assert 'data-idle-seconds="1800"' in page and 'data-warning-seconds="60"' in page


def test_it_expires_api_sessions_with_401(client, world: World) -> None:
    sign_in(client, "alice", PASSWORD)
    session = client.session
    session["last_seen"] = time.time() - 31 * 60
    session.save()
    assert client.get("/api/auth/me").status_code == 401

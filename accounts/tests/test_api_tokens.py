"""API clients authenticate with bearer tokens; the same lockout applies."""

from accounts.models import ApiToken, AuditEntry
from shequ.testing.world import PASSWORD, World


def test_it_exchanges_credentials_for_a_working_token(client, world: World) -> None:
    response = client.post("/api/auth/token", {"username": "carl", "password": PASSWORD, "name": "脚本"},
                           content_type="application/json")
    token = response.json()["token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "carl" and me["unit_code"] == "131102000000"
    assert token not in str(list(ApiToken.objects.values_list("key_hash", flat=True)))
    assert AuditEntry.objects.filter(action="token.issue", actor=world.carl).exists()


def test_it_refuses_bad_credentials_and_bad_tokens(client, world: World) -> None:
    response = client.post("/api/auth/token", {"username": "carl", "password": "nope"}, content_type="application/json")
    assert response.status_code == 401 and not ApiToken.objects.exists()
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer sq_forged"}).status_code == 401


def test_a_revoked_token_stops_working(client, world: World) -> None:
    from accounts import services

    token, raw = services.issue_token(actor=world.carl, name="x")
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    services.revoke_token(actor=world.carl, token=token)
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_the_openapi_schema_is_published(client, tree) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/units/{code}" in schema["paths"] and "/api/auth/token" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_it_ends_a_token_after_eight_idle_hours_and_thirty_days_whatever(client, world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from accounts import services

    idle, raw_idle = services.issue_token(actor=world.carl, name="idle")
    old, raw_old = services.issue_token(actor=world.carl, name="old")
    now = timezone.now()
    ApiToken.objects.filter(pk=idle.pk).update(last_used_at=now - timedelta(hours=8, seconds=1))
    # Used an hour ago, but issued more than 30 days ago.
    ApiToken.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=30, seconds=1), last_used_at=now - timedelta(hours=1))
    assert client.get("/api/auth/me", headers=bearer(raw_idle)).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(raw_old)).status_code == 401
    fresh_token, raw = services.issue_token(actor=world.carl, name="fresh")
    ApiToken.objects.filter(pk=fresh_token.pk).update(last_used_at=now - timedelta(hours=7))
    assert client.get("/api/auth/me", headers=bearer(raw)).status_code == 200


def test_it_tells_the_lifetime_when_it_issues_a_token(client, world: World) -> None:
    from datetime import datetime, timedelta

    from django.utils import timezone

    body = client.post("/api/auth/token", {"username": "carl", "password": PASSWORD}, content_type="application/json").json()
    left = datetime.fromisoformat(body["expires_at"]) - timezone.now()
    assert timedelta(hours=7, minutes=59) < left <= timedelta(hours=8)


def test_the_owner_lists_and_revokes_their_tokens_in_the_api_and_on_a_page(client, world: World, login) -> None:
    from accounts import services

    mine, raw = services.issue_token(actor=world.carl, name="脚本甲")
    other, raw_other = services.issue_token(actor=world.carl, name="脚本乙")
    theirs, raw_theirs = services.issue_token(actor=world.dave, name="别人的")
    listed = client.get("/api/auth/tokens", headers=bearer(raw)).json()
    assert {t["name"] for t in listed} == {"脚本甲", "脚本乙"}
    assert client.delete(f"/api/auth/tokens/{theirs.pk}", headers=bearer(raw)).status_code == 404
    assert client.delete(f"/api/auth/tokens/{other.pk}", headers=bearer(raw)).status_code == 204
    assert client.get("/api/auth/me", headers=bearer(raw_other)).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(raw_theirs)).status_code == 200
    page = login(world.carl)
    body = page.get("/accounts/tokens/").content.decode()
    assert "脚本甲" in body and "别人的" not in body
    assert page.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    page.post(f"/accounts/tokens/{mine.pk}/revoke/")
    page.logout()
    assert client.get("/api/auth/me", headers=bearer(raw)).status_code == 401


def test_the_security_admin_sees_and_revokes_anyones_token(client, world: World, login) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from accounts import services

    token, raw = services.issue_token(actor=world.dave, name="冀州脚本")
    stale, _ = services.issue_token(actor=world.dave, name="早已闲置")
    ApiToken.objects.filter(pk=stale.pk).update(last_used_at=timezone.now() - timedelta(hours=9))
    sue = login(world.sue)
    listing = sue.get("/accounts/tokens/").content.decode()
    assert "冀州脚本" in listing and "早已闲置" not in listing
    sue.post(f"/accounts/tokens/{token.pk}/revoke/")
    client.logout()
    assert client.get("/api/auth/me", headers=bearer(raw)).status_code == 401
    assert AuditEntry.objects.get(action="token.revoke").actor == world.sue


def test_tokens_die_with_a_password_change_or_deactivation(client, world: World) -> None:
    from accounts import services

    _, carl_raw = services.issue_token(actor=world.carl, name="x")
    _, dave_raw = services.issue_token(actor=world.dave, name="y")
    services.change_password(actor=world.carl, old_password=PASSWORD, new_password="New-pass-456")
    assert client.get("/api/auth/me", headers=bearer(carl_raw)).status_code == 401
    services.set_active(actor=world.sue, user=world.dave, active=False)
    services.set_active(actor=world.sue, user=world.dave, active=True)
    assert client.get("/api/auth/me", headers=bearer(dave_raw)).status_code == 401


def test_each_token_use_is_attributable_in_the_audit_log(client, world: World, settings) -> None:
    from datetime import timedelta

    from accounts import services

    settings.API_TOKEN_AUDIT_MINUTES = 15
    token, raw = services.issue_token(actor=world.carl, name="夜间同步")
    for _ in range(3):
        client.get("/api/auth/me", headers=bearer(raw))
    uses = AuditEntry.objects.filter(action="token.use")
    assert uses.count() == 1  # the first use; then one every 15 minutes
    use = uses.get()
    assert use.actor == world.carl and use.detail["token"] == token.pk and use.detail["path"] == "/api/auth/me"
    ApiToken.objects.filter(pk=token.pk).update(audited_at=use.at - timedelta(minutes=16))
    client.get("/api/auth/me", headers=bearer(raw))
    assert AuditEntry.objects.filter(action="token.use").count() == 2
    # A write through the token carries its id in its own audit row.
    client.delete(f"/api/auth/tokens/{token.pk}", headers=bearer(raw))
    assert AuditEntry.objects.get(action="token.revoke").detail["api_token"] == token.pk

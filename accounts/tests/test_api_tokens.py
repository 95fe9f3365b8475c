"""API clients authenticate with bearer tokens; the same lockout applies."""

from accounts.models import ApiToken, AuditEntry
from shequ.testing.world import PASSWORD, World


def test_it_exchanges_credentials_for_a_working_token(client, world: World) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/auth/token", {"username": "carl", "password": PASSWORD, "name": "脚本"},
                           content_type="application/json")
    token = response.json()["token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "carl" and me["unit_code"] == "131102000000"
    assert token not in str(list(ApiToken.objects.values_list("key_hash", flat=True)))
    assert AuditEntry.objects.filter(action="token.issue", actor=world.carl).exists()


def test_it_refuses_bad_credentials_and_bad_tokens(client, world: World) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/auth/token", {"username": "carl", "password": "nope"}, content_type="application/json")
    assert response.status_code == 401 and not ApiToken.objects.exists()
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer sq_forged"}).status_code == 401


def test_a_revoked_token_stops_working(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from accounts import services

    token, raw = services.issue_token(actor=world.carl, name="x")
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    services.revoke_token(actor=world.carl, token=token)
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_the_openapi_schema_is_published(client, tree) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/openapi.json").json()
    assert "/api/units/{code}" in schema["paths"] and "/api/auth/token" in schema["paths"]
    assert client.get("/api/docs").status_code == 200

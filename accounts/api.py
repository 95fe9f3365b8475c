"""API authentication: bearer tokens alongside the browser session; each user lists and revokes their tokens."""

from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from accounts import services
from accounts.context import api_token
from accounts.forms import invalid_login_message
from accounts.models import ApiToken
from shequ.apierrors import ErrorOut

router = Router(tags=["auth"])


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = services.user_for_token(token, path=request.path, method=request.method or "")
        if found is None:
            return None
        user, row = found
        request.user = user
        api_token.set(row.pk)
        return user


class TokenRequest(Schema):
    username: str
    password: str
    name: str = "api"


class TokenOut(Schema):
    token: str
    name: str
    expires_at: datetime


class TokenRow(Schema):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    unit_code: str | None
    department: str | None


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 403: ErrorOut},
             summary="Exchange username and password for an API token (idle and absolute lifetime: see expires_at)")
def create_token(request: HttpRequest, payload: TokenRequest) -> Any:
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, invalid_login_message())
    try:
        token, raw = services.issue_token(actor=user, name=payload.name)
    except PermissionError as exc:
        raise HttpError(403, str(exc)) from None
    return {"token": raw, "name": token.name, "expires_at": token.expires_at()}


@router.get("/me", response=MeOut, summary="The signed-in user and their scope")
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "username": user.username, "display_name": user.display_name, "role": user.role,
        "unit_code": user.unit_id, "department": user.department.name if user.department_id else None,
    }


def _row(token: ApiToken) -> dict[str, Any]:
    return {"id": token.pk, "name": token.name, "created_at": token.created_at, "last_used_at": token.last_used_at,
            "expires_at": token.expires_at()}


@router.get("/tokens", response=list[TokenRow], summary="The caller's live API tokens")
def my_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [_row(t) for t in services.live_tokens(request.user)]  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser


@router.delete("/tokens/{token_id}", response={204: None, 404: ErrorOut}, summary="Revoke one of the caller's tokens")
def revoke_my_token(request: HttpRequest, token_id: int) -> Any:
    token = ApiToken.objects.filter(pk=token_id, user=request.user, revoked_at__isnull=True).first()  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
    if token is None:
        raise HttpError(404, "未找到")
    services.revoke_token(actor=request.user, token=token)  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    return Status(204, None)

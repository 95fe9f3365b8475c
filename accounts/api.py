"""API authentication: bearer tokens alongside the browser session."""

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from accounts import services

router = Router(tags=["auth"])


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
        return user


class TokenRequest(Schema):
    username: str
    password: str
    name: str = "api"


class TokenOut(Schema):
    token: str
    name: str


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    unit_code: str | None
    department: str | None


@router.post("/token", auth=None, response=TokenOut, summary="Exchange username and password for an API token")
def create_token(request: HttpRequest, payload: TokenRequest) -> dict[str, str]:
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, "用户名或密码不正确，或账户已锁定")
    token, raw = services.issue_token(actor=user, name=payload.name)  # type: ignore[arg-type]
    return {"token": raw, "name": token.name}


@router.get("/me", response=MeOut, summary="The signed-in user and their scope")
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "username": user.username, "display_name": user.display_name, "role": user.role,
        "unit_code": user.unit_id, "department": user.department.name if user.department_id else None,
    }

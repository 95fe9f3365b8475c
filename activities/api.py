"""JSON API of the activities module (/api/activities/): scoped like the pages."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.scoping import get_visible_or_404
from activities import selectors, services
from shequ.apierrors import ErrorOut
from shequ.inputs import PageNumber

router = Router(tags=["activities"])
PAGE_SIZE = 100


class ActivityOut(Schema):
    id: int
    unit_code: str
    kind: str
    title: str
    audience: str
    organiser: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    taken: int


class ActivityPage(Schema):
    count: int
    page: int
    results: list[ActivityOut]


class ProjectOut(Schema):
    id: int
    unit_code: str
    kind: str
    name: str
    state: str
    planned_end: dt.date
    completed_on: dt.date | None


class ProjectPage(Schema):
    count: int
    page: int
    results: list[ProjectOut]


class CheckIn(Schema):
    code: str = Field(..., min_length=1, max_length=300, description="组织者二维码中的签到码")


class SignUpIn(Schema):
    username: str = Field("", max_length=150, description="工作人员代报名时：居民的账户名；居民本人报名留空")


class Joined(Schema):
    id: int
    activity_id: int
    status: str
    checked_in_at: dt.datetime | None


def _activity(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "unit_code": a.unit_id, "kind": a.kind, "title": a.title, "audience": a.audience,
            "organiser": a.organiser, "place": a.place, "starts_at": a.starts_at, "ends_at": a.ends_at,
            "capacity": a.capacity, "taken": getattr(a, "taken", 0)}


def _refused(exc: ValidationError) -> Any:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {}
    return Status(422, {"detail": "；".join(exc.messages), "errors": {k: "；".join(v) for k, v in errors.items()}})


@router.get("/activities", response=ActivityPage, summary="Activities the caller sees (staff: subtree; resident: own township)")
def activity_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = selectors.activities(request.user).order_by("-starts_at", "pk")
    chunk = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return {"count": rows.count(), "page": page, "results": [_activity(a) for a in chunk]}


@router.get("/activities/{activity_id}", response=ActivityOut, summary="One activity")
def activity_detail(request: HttpRequest, activity_id: int) -> dict[str, Any]:
    return _activity(get_visible_or_404(selectors.activities(request.user), pk=activity_id))


@router.post("/activities/{activity_id}/signup", response={200: Joined, 422: ErrorOut}, summary="A resident signs up")
def activity_signup(request: HttpRequest, activity_id: int, payload: SignUpIn) -> Any:
    from accounts.models import User

    activity = get_visible_or_404(selectors.activities(request.user), pk=activity_id)
    account = None
    if payload.username:
        account = User.objects.filter(username=payload.username, role="resident").first()
        if account is None:
            return Status(422, {"detail": "未找到该居民账户。", "errors": {"username": "未找到该居民账户。"}})
    try:
        joined = services.sign_up(actor=request.user, activity=activity, account=account)
    except ValidationError as exc:
        return _refused(exc)
    return {"id": joined.pk, "activity_id": joined.activity_id, "status": joined.status, "checked_in_at": joined.checked_in_at}


@router.post("/checkin", response={200: Joined, 422: ErrorOut}, summary="Check in with the organiser's code")
def checkin(request: HttpRequest, payload: CheckIn) -> Any:
    try:
        joined = services.check_in(actor=request.user, code=payload.code)
    except ValidationError as exc:
        return _refused(exc)
    return {"id": joined.pk, "activity_id": joined.activity_id, "status": joined.status, "checked_in_at": joined.checked_in_at}


@router.get("/projects", response=ProjectPage, summary="Facility construction projects in the caller's scope")
def project_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = selectors.projects(request.user)
    chunk = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return {"count": rows.count(), "page": page, "results": [
        {"id": p.pk, "unit_code": p.unit_id, "kind": p.kind, "name": p.name, "state": p.state,
         "planned_end": p.planned_end, "completed_on": p.completed_on} for p in chunk]}

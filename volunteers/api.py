"""JSON API of the volunteers module (/api/volunteers/): scoped like the pages; IDs and phones always masked."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.scoping import get_visible_or_404
from places.codes import within
from places.models import OrgUnit
from shequ.apierrors import ErrorOut
from shequ.inputs import PageNumber
from volunteers import hours, selectors, services
from volunteers.models import Volunteer

router = Router(tags=["volunteers"])
PAGE_SIZE = 100


class VolunteerOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    name: str
    id_number_masked: str
    phone_masked: str
    categories: list[str]
    political_status: str
    hours: float
    stars: str


class VolunteerPage(Schema):
    count: int
    page: int
    results: list[VolunteerOut]


class ActivityOut(Schema):
    id: int
    unit_code: str
    title: str
    category: str
    target_group: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    taken: int


class ActivityPage(Schema):
    count: int
    page: int
    results: list[ActivityOut]


class CheckIn(Schema):
    code: str = Field(..., min_length=1, max_length=300, description="组织者二维码中的签到码")
    kind: str = Field("in", pattern="^(in|out)$", description="in 签到 / out 签退")


class CheckInOut(Schema):
    activity_id: int
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None


def _out(v: Volunteer, total: float) -> dict[str, Any]:
    return {"id": v.pk, "unit_code": v.unit_id, "unit_name": v.unit.name, "name": v.name,
            "id_number_masked": v.id_number_masked, "phone_masked": v.phone_masked, "categories": list(v.categories),
            "political_status": v.political_status, "hours": round(total, 2), "stars": hours.star_label(total)}


@router.get("/volunteers", response=VolunteerPage, summary="Volunteers in the caller's scope (ID and phone masked)")
def volunteer_list(request: HttpRequest, unit: str = "", page: PageNumber = 1) -> dict[str, Any]:
    prefix = ""
    if unit:
        prefix = OrgUnit.objects.filter(code=unit).values_list("prefix", flat=True).first() or "-"
    rows = Volunteer.objects.visible_to(request.user).select_related("unit").order_by("unit_id", "pk")
    if prefix:
        rows = rows.filter(within("unit_id", prefix)) if prefix != "-" else rows.none()
    chunk = list(rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
    found = hours.hours_of([v.pk for v in chunk])
    return {"count": rows.count(), "page": page, "results": [_out(v, found.get(v.pk, 0.0)) for v in chunk]}


@router.get("/volunteers/{volunteer_id}", response=VolunteerOut, summary="One volunteer with confirmed hours")
def volunteer_detail(request: HttpRequest, volunteer_id: int) -> dict[str, Any]:
    v = get_visible_or_404(Volunteer.objects.visible_to(request.user).select_related("unit"), pk=volunteer_id)
    return _out(v, hours.volunteer_hours(v.pk))


@router.get("/activities", response=ActivityPage, summary="Activities the caller sees (staff: subtree; resident: own community)")
def activity_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = selectors.activities(request.user).order_by("-starts_at", "pk")
    chunk = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return {"count": rows.count(), "page": page, "results": [
        {"id": a.pk, "unit_code": a.unit_id, "title": a.title, "category": a.category, "target_group": a.target_group,
         "place": a.place, "starts_at": a.starts_at, "ends_at": a.ends_at, "capacity": a.capacity, "taken": getattr(a, "taken", 0)}
        for a in chunk]}


@router.post("/checkin", response={200: CheckInOut, 422: ErrorOut}, summary="Check in or out with the organiser's code")
def checkin(request: HttpRequest, payload: CheckIn) -> Any:
    try:
        if payload.kind == "out":
            record = services.check_out(actor=request.user, code=payload.code)
            signup = record.activity.signups.get(volunteer=record.volunteer) if record.activity else None
        else:
            signup = services.check_in(actor=request.user, code=payload.code)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        return Status(422, {"detail": "；".join(exc.messages), "errors": {k: "；".join(v) for k, v in errors.items()}})
    assert signup is not None
    return {"activity_id": signup.activity_id, "checked_in_at": signup.checked_in_at,
            "checked_out_at": signup.checked_out_at}

"""Facilities API (/api/facilities/): facilities, service points, a unit's shares, spaces and bookings.

Same scoping as the pages (404 outside the caller's subtree). Writes go through
facilities.services; validation errors answer 422 with {"detail": "...", "errors": {field: message}}.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from accounts.roles import Role
from accounts.scoping import scope_prefix
from facilities import selectors, services
from facilities.models import WEEKDAYS, Booking, Facility, FacilityStatus, ServicePoint, Space
from places.codes import within
from places.models import OrgUnit
from shequ.apierrors import ErrorOut
from shequ.inputs import Count, Offset

router = Router(tags=["facilities"])
MAX_LIMIT = 500


def _staff(request: HttpRequest) -> Any:
    user: Any = request.user
    if scope_prefix(user) is None or user.role == Role.RESIDENT:
        raise Http404("未找到")
    return user


def _invalid(exc: ValidationError) -> Status[dict[str, Any]]:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {}
    return Status(422, {"detail": "；".join(exc.messages), "errors": {k: "；".join(v) for k, v in errors.items()}})


def _unit(user: Any, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not services.actor_may_write(user, code):
        raise Http404("未找到")
    return unit


class FacilityOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    name: str
    kind: str = Field(description="facilities.models.FacilityKind，如 comprehensive 综合服务设施")
    kind_label: str
    status: str = Field(description="planned 规划 / building 在建 / in_use 在用 / closed 停用")
    built_on: dt.date | None
    opened_on: dt.date | None
    closed_on: dt.date | None
    building_area: float
    activity_area: float
    office_area: float
    opening_hours: list[str] = Field(description="周一至周日，每项 HH:MM-HH:MM（多个时段逗号分隔）或空（不开放）")
    services: list[str]
    has_ramp: bool
    has_accessible_toilet: bool
    has_lift: bool
    has_tactile_paving: bool
    address: str
    lat: float | None
    lng: float | None


class FacilityIn(Schema):
    unit_code: str
    name: str
    kind: str
    status: str = FacilityStatus.IN_USE
    built_on: dt.date | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    building_area: Decimal = Decimal(0)
    activity_area: Decimal = Decimal(0)
    office_area: Decimal = Decimal(0)
    opening_hours: list[str] = Field(default_factory=lambda: [""] * 7, description="7 项，周一在前")
    services: list[str] = Field(default_factory=list, description="facilities.models.HousedService 的代码")
    has_ramp: bool = False
    has_accessible_toilet: bool = False
    has_lift: bool = False
    has_tactile_paving: bool = False
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    note: str = ""


class FacilityPage(Schema):
    count: int
    items: list[FacilityOut]


def _facility_out(f: Facility) -> dict[str, Any]:
    return {
        "id": f.pk, "unit_code": f.unit_id, "unit_name": f.unit.name, "name": f.name, "kind": f.kind,
        "kind_label": f.get_kind_display(), "status": f.status, "built_on": f.built_on, "opened_on": f.opened_on,
        "closed_on": f.closed_on, "building_area": float(f.building_area), "activity_area": float(f.activity_area),
        "office_area": float(f.office_area), "opening_hours": (list(f.opening_hours or []) + [""] * 7)[:7],
        "services": [s.service for s in f.services.all()], "has_ramp": f.has_ramp,
        "has_accessible_toilet": f.has_accessible_toilet, "has_lift": f.has_lift, "has_tactile_paving": f.has_tactile_paving,
        "address": f.address, "lat": f.lat, "lng": f.lng,
    }


def _facility_input(user: Any, payload: FacilityIn) -> services.FacilityInput:
    values = payload.dict()
    unit = _unit(user, values.pop("unit_code"))
    if len(values["opening_hours"]) not in (0, 7):
        raise ValidationError({"opening_hours": f"开放时间应有7项（周一至周日），收到{len(values['opening_hours'])}项。"})
    return services.FacilityInput(unit=unit, **values)


class FacilityFilters(Schema):
    unit: str = Field("", description="区划代码：只看该单位及其下级")
    kind: str = ""
    status: str = ""
    q: str = ""
    limit: Count = Field(100, description=f"每页条数，最多 {MAX_LIMIT}")
    offset: Offset = 0


@router.get("/facilities", response=FacilityPage, summary="Facilities in the caller's scope")
def facility_list(request: HttpRequest, filters: Query[FacilityFilters]) -> dict[str, Any]:
    user = _staff(request)
    queryset = selectors.facilities_for(user).prefetch_related("services").order_by("unit_id", "kind", "name")
    if filters.unit:
        queryset = queryset.filter(within("unit_id", filters.unit))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = queryset.filter(name__icontains=filters.q)
    limit, offset = max(1, min(filters.limit, MAX_LIMIT)), max(0, filters.offset)
    return {"count": queryset.count(), "items": [_facility_out(f) for f in queryset[offset:offset + limit]]}


@router.get("/facilities/{facility_id}", response=FacilityOut, summary="One facility")
def facility_detail(request: HttpRequest, facility_id: int) -> dict[str, Any]:
    return _facility_out(selectors.facility_for_user(_staff(request), facility_id))


@router.post("/facilities", response={201: FacilityOut, 422: ErrorOut}, summary="Register a facility")
def facility_create(request: HttpRequest, payload: FacilityIn) -> Any:
    user = _staff(request)
    try:
        facility = services.create_facility(actor=user, data=_facility_input(user, payload))
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _facility_out(selectors.facility_for_user(user, facility.pk)))


@router.put("/facilities/{facility_id}", response={200: FacilityOut, 422: ErrorOut}, summary="Replace a facility's data")
def facility_update(request: HttpRequest, facility_id: int, payload: FacilityIn) -> Any:
    user = _staff(request)
    facility = selectors.facility_for_user(user, facility_id)
    try:
        services.update_facility(actor=user, facility=facility, data=_facility_input(user, payload))
    except ValidationError as exc:
        return _invalid(exc)
    return _facility_out(selectors.facility_for_user(user, facility_id))


class PointOut(Schema):
    id: int
    unit_code: str
    name: str
    kind: str
    kind_label: str
    operator: str
    status: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    opening_hours: str
    address: str
    lat: float | None
    lng: float | None


class PointIn(Schema):
    unit_code: str
    name: str
    kind: str
    operator: str = ""
    status: str = FacilityStatus.IN_USE
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    opening_hours: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None


def _point_out(p: ServicePoint) -> dict[str, Any]:
    return {"id": p.pk, "unit_code": p.unit_id, "name": p.name, "kind": p.kind, "kind_label": p.get_kind_display(),
            "operator": p.operator, "status": p.status, "opened_on": p.opened_on, "closed_on": p.closed_on,
            "opening_hours": p.opening_hours, "address": p.address, "lat": p.lat, "lng": p.lng}


def _point_input(user: Any, payload: PointIn) -> services.PointInput:
    values = payload.dict()
    return services.PointInput(unit=_unit(user, values.pop("unit_code")), **values)


class PointPage(Schema):
    count: int
    items: list[PointOut]


@router.get("/points", response=PointPage, summary="Service points (便民生活圈) in the caller's scope")
def point_list(request: HttpRequest, unit: str = "", kind: str = "", limit: Count = 100, offset: Offset = 0) -> dict[str, Any]:
    queryset = selectors.points_for(_staff(request)).order_by("unit_id", "kind", "name")
    if unit:
        queryset = queryset.filter(within("unit_id", unit))
    if kind:
        queryset = queryset.filter(kind=kind)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return {"count": queryset.count(), "items": [_point_out(p) for p in queryset[offset:offset + limit]]}


@router.get("/points/{point_id}", response=PointOut, summary="One service point")
def point_detail(request: HttpRequest, point_id: int) -> dict[str, Any]:
    return _point_out(selectors.point_for_user(_staff(request), point_id))


@router.post("/points", response={201: PointOut, 422: ErrorOut}, summary="Register a service point")
def point_create(request: HttpRequest, payload: PointIn) -> Any:
    user = _staff(request)
    try:
        point = services.create_point(actor=user, data=_point_input(user, payload))
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _point_out(point))


@router.put("/points/{point_id}", response={200: PointOut, 422: ErrorOut}, summary="Replace a service point's data")
def point_update(request: HttpRequest, point_id: int, payload: PointIn) -> Any:
    user = _staff(request)
    point = selectors.point_for_user(user, point_id)
    try:
        point = services.update_point(actor=user, point=point, data=_point_input(user, payload))
    except ValidationError as exc:
        return _invalid(exc)
    return _point_out(point)


class ShareOut(Schema):
    code: str = Field(description="指标代码（planning/data/indicators.json）")
    label: str
    numerator: float
    denominator: float
    value: float | None


@router.get("/units/{code}/indicators", response=list[ShareOut], summary="A unit's computed shares as of a date")
def unit_indicators(request: HttpRequest, code: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    unit = selectors.unit_for_user(_staff(request), code)
    return selectors.summary(unit.prefix, as_of or timezone.localdate())


class SpaceOut(Schema):
    id: int
    unit_code: str
    name: str
    kind: str
    host: str
    facility_id: int | None
    capacity: int
    rule: str
    opens_at: str = Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$", description="开放开始时间 HH:MM（北京时间）")
    closes_at: str = Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$", description="开放结束时间 HH:MM（北京时间）")
    slot_minutes: int
    weekdays: list[str]


def _space_out(s: Space) -> dict[str, Any]:
    return {"id": s.pk, "unit_code": s.unit_id, "name": s.name, "kind": s.kind, "host": s.host,
            "facility_id": s.facility_id, "capacity": s.capacity, "rule": s.rule, "opens_at": f"{s.opens_at:%H:%M}",
            "closes_at": f"{s.closes_at:%H:%M}", "slot_minutes": s.slot_minutes, "weekdays": [WEEKDAYS[int(d)] for d in s.weekdays]}


@router.get("/spaces", response=list[SpaceOut], summary="Spaces the caller can see (residents: their own community's)")
def space_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_space_out(s) for s in selectors.spaces_for(request.user).order_by("unit_id", "name")[:MAX_LIMIT]]


@router.get("/spaces/{space_id}", response=SpaceOut, summary="One space")
def space_detail(request: HttpRequest, space_id: int) -> dict[str, Any]:
    return _space_out(selectors.space_for_user(request.user, space_id))


class BookingIn(Schema):
    starts_at: dt.datetime
    slots: int = 1
    purpose: str
    attendees: int = 1
    organisation: str = ""


class BookingOut(Schema):
    id: int
    space_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str = Field(description="pending 待审核 / confirmed 已确认 / rejected 未通过 / cancelled 已取消")
    purpose: str
    attendees: int


def _booking_out(b: Booking) -> dict[str, Any]:
    return {"id": b.pk, "space_id": b.space_id, "starts_at": b.starts_at, "ends_at": b.ends_at, "status": b.status,
            "purpose": b.purpose, "attendees": b.attendees}


@router.post("/spaces/{space_id}/bookings", response={201: BookingOut, 422: ErrorOut, 409: ErrorOut}, summary="Book slots of a space")
def booking_create(request: HttpRequest, space_id: int, payload: BookingIn) -> Any:
    user: Any = request.user
    space = selectors.space_for_user(user, space_id)
    try:
        booking = services.book_space(actor=user, space=space, **payload.dict())
    except PermissionError as exc:
        raise Http404("未找到") from exc
    except ValidationError as exc:
        if "已被预约" in "".join(exc.messages):
            return Status(409, {"detail": "；".join(exc.messages)})
        return _invalid(exc)
    return Status(201, _booking_out(booking))


@router.get("/bookings", response=list[BookingOut], summary="The caller's bookings, and (staff) those of their scope")
def booking_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_booking_out(b) for b in selectors.bookings_for(request.user).order_by("-starts_at")[:MAX_LIMIT]]


@router.get("/bookings/{booking_id}", response=BookingOut, summary="One booking")
def booking_detail(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    return _booking_out(selectors.booking_for_user(request.user, booking_id))


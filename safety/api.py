"""JSON API of the safety module (/api/safety/): scoped like the pages; names and phones masked."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from accounts.scoping import get_visible_or_404, scope_prefix
from people.permissions import can_see_restricted_tags
from places.selectors import unit_for_user
from safety import selectors, services
from shequ.apierrors import ErrorOut
from shequ.inputs import PageNumber

router = Router(tags=["safety"])
PAGE_SIZE = 100


class ReadinessRow(Schema):
    code: str
    name: str
    villages: int
    plans: int
    current: int
    roles_filled: int
    drills: int
    needs: int
    helped: int


class GapOut(Schema):
    code: str
    unit: str
    kind: str
    text: str


class ReadinessOut(Schema):
    code: str
    children: list[ReadinessRow]
    gaps: list[GapOut]


class WarningIn(Schema):
    kind: str = Field(..., max_length=12, description="heat/flood/gas/epidemic/earthquake/fire/cold/other")
    level: str = Field(..., max_length=8, description="blue/yellow/orange/red")
    title: str = Field(..., max_length=100)
    body: str = Field(..., max_length=2000)
    issuer: str = Field(..., max_length=60, description="发布单位，如 市应急管理局、市气象台")
    area: list[str] = Field(..., max_length=200, description="区划代码（12位）")
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None


class WarningUnit(Schema):
    code: str
    name: str
    total: int
    acked: int
    pending: int
    calls: int
    calls_done: int


class WarningOut(Schema):
    id: int
    kind: str
    level: str
    title: str
    issuer: str
    source: str
    area: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    entered_at: dt.datetime
    delivered_at: dt.datetime | None
    recipients: int
    acknowledged: int
    units: list[WarningUnit]


class PlaceOut(Schema):
    id: int
    unit_code: str
    name: str
    kind: str
    capacity: int
    responsible: str
    phone_masked: str
    overdue: bool


class PoliceOut(Schema):
    id: int
    unit_code: str
    role: str
    name: str
    phone_masked: str
    office: str
    co_located: bool
    hours: str


class PoliceCoverage(Schema):
    served: int
    villages: int
    results: list[PoliceOut]


class FigureOut(Schema):
    county: str
    county_name: str
    group: str
    open: int
    on_schedule: int
    overdue: int


@router.get("/readiness/{code}", response=ReadinessOut, summary="Emergency readiness of a unit's children, and its gaps")
def readiness(request: HttpRequest, code: str) -> dict[str, Any]:
    unit = unit_for_user(request.user, code)
    on = timezone.localdate()
    children = [] if unit.is_village_level else [
        {"code": c["unit"].code, "name": c["unit"].name, **{k: c[k] for k in ReadinessRow.model_fields if k not in ("code", "name")}}
        for c in selectors.readiness(unit, on)["children"]]
    gaps = selectors.gaps(unit.prefix, on) if len(unit.prefix) >= 9 else []
    return {"code": unit.code, "children": children, "gaps": gaps}


def _warning_out(warning: Any, user: Any) -> dict[str, Any]:
    progress = selectors.warning_progress(warning, user)
    return {"id": warning.pk, "kind": warning.kind, "level": warning.level, "title": warning.title, "issuer": warning.issuer,
            "source": warning.source, "area": [a.unit_id for a in warning.areas.all()], "valid_from": warning.valid_from,
            "valid_until": warning.valid_until, "entered_at": warning.entered_at, "delivered_at": warning.delivered_at,
            "recipients": progress["total"], "acknowledged": progress["acked"],
            "units": [{k: u[k] for k in WarningUnit.model_fields} for u in progress["units"]]}


@router.get("/warnings", response=list[WarningOut], summary="Warnings whose area touches the caller's scope")
def warning_list(request: HttpRequest, page: PageNumber = 1) -> list[dict[str, Any]]:
    rows = selectors.warnings(request.user)[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return [_warning_out(w, request.user) for w in rows]


@router.get("/warnings/{warning_id}", response=WarningOut, summary="One warning with delivery and acknowledgement per unit")
def warning_detail(request: HttpRequest, warning_id: int) -> dict[str, Any]:
    return _warning_out(get_visible_or_404(selectors.warnings(request.user), pk=warning_id), request.user)


@router.post("/warnings", response={201: WarningOut, 422: ErrorOut},
             summary="Enter a warning (the data-exchange feed or a department's client) and fan it out")
def warning_create(request: HttpRequest, payload: WarningIn) -> Any:
    try:
        warning = services.issue_warning(actor=request.user, source="feed", **payload.dict())  # type: ignore[arg-type]  # request.user is a User behind the API's auth
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        return Status(422, {"detail": "；".join(exc.messages), "errors": {k: "；".join(v) for k, v in errors.items()}})
    return Status(201, _warning_out(warning, request.user))


@router.get("/places", response=list[PlaceOut], summary="Crowded places and micro fire stations in the caller's scope")
def place_list(request: HttpRequest, overdue: bool = False, page: PageNumber = 1) -> list[dict[str, Any]]:
    on = timezone.localdate()
    late = set(selectors.overdue_inspections(on).values_list("place_id", flat=True))
    rows = selectors.places(request.user, overdue=overdue, on=on)[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return [{"id": p.pk, "unit_code": p.unit_id, "name": p.name, "kind": p.kind, "capacity": p.capacity,
             "responsible": p.responsible, "phone_masked": p.phone_masked, "overdue": p.pk in late} for p in rows]


@router.get("/police", response=PoliceCoverage, summary="Community police and auxiliaries, and the coverage of the caller's subtree")
def police_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    served, villages = selectors.police_coverage(scope_prefix(request.user) or "-", timezone.localdate())
    rows = selectors.police(request.user)[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return {"served": served, "villages": villages, "results": [
        {"id": p.pk, "unit_code": p.unit_id, "role": p.role, "name": p.name, "phone_masked": p.phone_masked,
         "office": p.office.name if p.office else "", "co_located": p.co_located, "hours": p.hours} for p in rows]}


@router.get("/help-figures", response={200: list[FigureOut], 404: ErrorOut},
            summary="Help plans by county and group: counts only, and only for holders of the restricted-tag right")
def help_figures(request: HttpRequest) -> Any:
    prefix = scope_prefix(request.user)
    if prefix is None or not can_see_restricted_tags(request.user):
        return Status(404, {"detail": "未找到", "errors": {}})
    return selectors.help_figures(prefix, timezone.localdate())

"""JSON API of the care module (/api/care/): the same scoping as the pages; notes never in lists."""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from accounts.scoping import get_visible_or_404
from care import selectors, services
from care.models import DueVisit, EmergencyShelter, Visit
from care.periods import today
from people.models import Resident
from places.selectors import unit_for_user
from shequ.inputs import date_in_range

router = Router(tags=["care"])


class DueOut(Schema):
    id: int
    resident_id: int
    resident_name: str
    unit_code: str
    tag: str
    period_start: date
    period_end: date
    assignee_id: int | None
    volunteer_name: str
    visited_on: date | None


class VisitOut(Schema):
    id: int
    resident_id: int
    visited_at: datetime
    visitor: str
    method: str
    health: str
    home_safety: str
    living: str
    mood: str
    needs_action: bool
    has_notes: bool


class VisitIn(Schema):
    visited_at: Annotated[datetime, date_in_range(label="探访时间", latest=date.max)]
    method: str
    health: str
    home_safety: str
    living: str
    mood: str
    needs: str = ""
    needs_action: bool = False
    notes: str = ""
    visitor_name: str = ""
    lat: float | None = None
    lng: float | None = None
    submission_key: str = Field("", max_length=40, description="one key per submission: sent again, it stores no second visit")


class RateOut(Schema):
    code: str
    name: str
    due: int
    visited: int
    rate: float | None


class ComplianceOut(Schema):
    code: str
    as_of: date
    due: int
    visited: int
    rate: float | None
    children: list[RateOut]


def _visit_out(v: Visit) -> dict[str, object]:
    return {"id": v.pk, "resident_id": v.resident_id, "visited_at": v.visited_at, "visitor": v.visitor_label, "method": v.method,
            "health": v.health, "home_safety": v.home_safety, "living": v.living, "mood": v.mood,
            "needs_action": v.needs_action, "has_notes": bool(v.notes)}


@router.get("/due", response=list[DueOut], summary="Due visits in the current period (scoped; ?unit= narrows)")
def due_list(request: HttpRequest, unit: str = "", mine: bool = False) -> list[dict[str, object]]:
    on = today()
    qs = DueVisit.objects.visible_to(request.user).filter(period_start__lte=on, period_end__gte=on).filter(selectors.due_q(on))
    if unit:
        qs = qs.filter(unit_id__startswith=unit_for_user(request.user, unit).prefix)
    if mine:
        qs = qs.filter(assignee=request.user)  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
    return [
        {"id": d.pk, "resident_id": d.resident_id, "resident_name": d.resident.name, "unit_code": d.unit_id, "tag": d.tag,
         "period_start": d.period_start, "period_end": d.period_end, "assignee_id": d.assignee_id,
         "volunteer_name": d.volunteer_name, "visited_on": d.visited_on}
        for d in qs.select_related("resident").order_by("unit_id", "id")[:2000]
    ]


@router.get("/residents/{resident_id}/visits", response=list[VisitOut], summary="A resident's visits (notes omitted)")
def resident_visits(request: HttpRequest, resident_id: int) -> list[dict[str, object]]:
    resident = get_visible_or_404(Resident.objects.visible_to(request.user), pk=resident_id)
    return [_visit_out(v) for v in selectors.visits_of(request.user, resident)]


@router.post("/residents/{resident_id}/visits", response={201: VisitOut}, summary="Record a visit")
def record_visit(request: HttpRequest, resident_id: int, payload: VisitIn) -> Status:
    resident = get_visible_or_404(Resident.objects.visible_to(request.user), pk=resident_id)
    try:
        visit = services.record_visit(actor=request.user, resident=resident, **payload.dict())  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    except ValidationError as exc:
        raise HttpError(400, "；".join(exc.messages)) from exc
    return Status(201, _visit_out(visit))


@router.get("/compliance/{code}", response=ComplianceOut, summary="Monthly visit rate of a unit and its children")
def compliance(request: HttpRequest, code: str, as_of: date | None = None) -> dict[str, object]:
    unit = unit_for_user(request.user, code)
    on = min(as_of or today(), today())
    data = selectors.compliance(unit, on)
    return {"code": unit.code, "as_of": on, "due": data["due"], "visited": data["visited"], "rate": data["rate"],
            "children": [{"code": c["unit"].code, "name": c["unit"].name, "due": c["due"], "visited": c["visited"], "rate": c["rate"]}
                         for c in data["children"]]}


class ShelterOut(Schema):
    id: int
    unit_code: str
    name: str
    kind: str
    capacity: int
    address: str
    lat: float | None
    lng: float | None
    facilities: list[str]


class ReadinessRow(Schema):
    code: str
    name: str
    villages: int
    covered: int
    shelters: int
    drills: int


class ReadinessOut(Schema):
    code: str
    year: int
    villages: int
    covered: int
    shelters: int
    drills: int
    children: list[ReadinessRow]


@router.get("/shelters", response=list[ShelterOut], summary="Emergency shelters in the user's scope (?unit= narrows)")
def shelters(request: HttpRequest, unit: str = "") -> list[dict[str, object]]:
    qs = EmergencyShelter.objects.visible_to(request.user)
    if unit:
        qs = qs.filter(unit_id__startswith=unit_for_user(request.user, unit).prefix)
    return [{"id": s.pk, "unit_code": s.unit_id, "name": s.name, "kind": s.kind, "capacity": s.capacity, "address": s.address,
             "lat": s.lat, "lng": s.lng, "facilities": s.facilities} for s in qs.order_by("unit_id", "id")[:2000]]


@router.get("/readiness/{code}", response=ReadinessOut, summary="Officer coverage, shelters and drills of a unit and its children")
def readiness(request: HttpRequest, code: str) -> dict[str, object]:
    unit = unit_for_user(request.user, code)
    on = today()
    data = selectors.readiness(unit, on)
    return {"code": unit.code, "year": on.year, "villages": data["villages"], "covered": data["covered"],
            "shelters": data["shelters"], "drills": data["drills"],
            "children": [{"code": c["unit"].code, "name": c["unit"].name, "villages": c["villages"], "covered": c["covered"],
                          "shelters": c["shelters"], "drills": c["drills"]} for c in data["children"]]}


@router.get("/notices/{notice_id}/rates", summary="Acknowledgement rate of an emergency notice per unit")
def notice_rates(request: HttpRequest, notice_id: int) -> dict[str, object]:
    notice = get_visible_or_404(selectors.notices_for(request.user), pk=notice_id)
    rates = selectors.ack_rates(notice)
    return {"total": rates["total"], "acked": rates["acked"], "rate": rates["rate"],
            "units": [{k: u[k] for k in ("code", "name", "total", "acked", "rate")} for u in rates["units"]]}

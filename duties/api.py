"""JSON API of the duties module (/api/duties/): scoped like the pages. POST tasks is the admission gate for
other systems' department assignments to communities."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from duties import selectors, services
from duties.models import AdmissionRequest
from shequ.apierrors import ErrorOut
from shequ.inputs import PageNumber

router = Router(tags=["duties"])
PAGE_SIZE = 100


class TaskOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    department: str
    title: str
    kind: str
    item_code: str
    admission_id: int | None
    deadline: dt.date
    hours: float
    funding: str
    objection: str


class TaskPage(Schema):
    count: int
    page: int
    results: list[TaskOut]


class TaskIn(Schema):
    unit_codes: list[str] = Field(..., min_length=1, max_length=200)
    title: str = Field(..., max_length=100)
    kind: str = Field(..., max_length=20)
    item_code: str = Field("", max_length=20)
    admission_id: int | None = Field(None, ge=1, le=2**31 - 1)
    deadline: dt.date
    hours: Decimal = Field(..., ge=0, le=1000)
    funding: str = Field("", max_length=200)


class ProxyOut(Schema):
    id: int
    unit_code: str
    item: str
    department: str
    status: str
    due_at: dt.datetime | None
    escalated: bool


class ServiceOut(Schema):
    id: int
    name: str
    department: str
    mode: str
    time_limit_days: int
    province_code: str


def _task(t: object) -> TaskOut:
    return TaskOut(id=t.pk, unit_code=t.unit_id, unit_name=t.unit.name, department=t.department.name,  # type: ignore[attr-defined]  # a DutyTask
                   title=t.title, kind=t.kind, item_code=t.item.code if t.item else "",  # type: ignore[attr-defined]  # a DutyTask
                   admission_id=t.admission_id, deadline=t.deadline, hours=float(t.hours), funding=t.funding,  # type: ignore[attr-defined]  # a DutyTask
                   objection=t.objection)  # type: ignore[attr-defined]  # a DutyTask


@router.get("/tasks", response=TaskPage)
def tasks(request: HttpRequest, page: PageNumber = 1) -> TaskPage:
    rows = selectors.tasks(request.user)
    count = rows.count()
    chunk = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return TaskPage(count=count, page=page, results=[_task(t) for t in chunk])


@router.post("/tasks", response={201: list[TaskOut], 422: ErrorOut})
def send_task(request: HttpRequest, body: TaskIn) -> Any:
    """A department sends a task to communities; refused (422, the reason in Chinese) unless the list admits it."""
    try:
        admission = None
        if body.admission_id:
            admission = AdmissionRequest.objects.visible_to(request.user).filter(pk=body.admission_id).first()
            if admission is None:
                raise ValidationError({"admission": "没有该编号的本部门准入申请。"})
        made = services.send_task(actor=request.user, data={**body.dict(), "admission": admission})
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        return Status(422, {"detail": "；".join(exc.messages), "errors": {k: "；".join(v) for k, v in errors.items()}})
    return Status(201, [_task(t) for t in selectors.tasks(request.user).filter(pk__in=[t.pk for t in made])])


@router.get("/proxy", response=list[ProxyOut])
def proxy_cases(request: HttpRequest, page: PageNumber = 1) -> list[ProxyOut]:
    rows = selectors.proxy_cases(request.user)[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return [ProxyOut(id=c.pk, unit_code=c.unit_id, item=c.item.name, department=c.department.name, status=c.status,
                     due_at=c.due_at, escalated=c.escalated_at is not None) for c in rows]


@router.get("/catalogue", response=list[ServiceOut], auth=None)
def catalogue(request: HttpRequest, q: str = "", page: PageNumber = 1) -> list[ServiceOut]:
    """The public service catalogue (search by Chinese text, the first 50 characters)."""
    rows = selectors.catalogue(q[:50])[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return [ServiceOut(id=i.pk, name=i.name, department=i.department.name, mode=i.mode,
                       time_limit_days=i.time_limit_days, province_code=i.province_code) for i in rows]

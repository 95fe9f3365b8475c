"""JSON API of the workforce module (/api/workforce/): scoped like the pages; phones always masked."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from accounts.scoping import get_visible_or_404
from places.codes import within
from places.models import OrgUnit
from shequ.inputs import PageNumber
from workforce.models import CommunityWorker, in_post_on

router = Router(tags=["workforce"])


class WorkerOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    name: str
    gender: str
    position: str
    position_label: str
    counts_as_worker: bool
    phone_masked: str
    started_on: date
    ended_on: date | None


class WorkerPage(Schema):
    count: int
    page: int
    results: list[WorkerOut]


def _out(w: CommunityWorker) -> dict[str, Any]:
    return {"id": w.pk, "unit_code": w.unit_id, "unit_name": w.unit.name, "name": w.name, "gender": w.gender,
            "position": w.position, "position_label": w.get_position_display(), "counts_as_worker": w.counts_as_worker,
            "phone_masked": w.phone_masked, "started_on": w.started_on, "ended_on": w.ended_on}


@router.get("/workers", response=WorkerPage, summary="Community workers in the caller's scope (phone masked)")
def worker_list(request: HttpRequest, unit: str = "", position: str = "", in_post: bool | None = None,
                page: PageNumber = 1) -> dict[str, Any]:
    rows = CommunityWorker.objects.visible_to(request.user).select_related("unit").order_by("unit_id", "pk")
    if unit:
        prefix = OrgUnit.objects.filter(code=unit).values_list("prefix", flat=True).first()
        rows = rows.filter(within("unit_id", prefix)) if prefix else rows.none()
    if position:
        rows = rows.filter(position=position)
    if in_post is not None:
        today = timezone.localdate()
        rows = rows.filter(in_post_on(today)) if in_post else rows.exclude(in_post_on(today))
    page = max(page, 1)
    size = 100
    return {"count": rows.count(), "page": page, "results": [_out(w) for w in rows[(page - 1) * size: page * size]]}


@router.get("/workers/{worker_id}", response=WorkerOut, summary="One community worker (phone masked)")
def worker_detail(request: HttpRequest, worker_id: int) -> dict[str, Any]:
    return _out(get_visible_or_404(CommunityWorker.objects.visible_to(request.user).select_related("unit"), pk=worker_id))

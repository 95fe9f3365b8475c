"""JSON API of the social-forces module (/api/socialorgs/): scoped like the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from accounts.scoping import get_visible_or_404
from shequ.inputs import PageNumber
from socialorgs import selectors
from socialorgs.models import Organisation

router = Router(tags=["socialorgs"])
PAGE_SIZE = 100


class OrganisationOut(Schema):
    id: int
    unit_code: str
    name: str
    kind: str
    community_category: str
    status: str
    credit_code: str
    registered_on: dt.date
    dissolved_on: dt.date | None
    full_time_staff: int
    part_time_staff: int


class OrganisationPage(Schema):
    count: int
    page: int
    results: list[OrganisationOut]


class PurchaseOut(Schema):
    id: int
    unit_code: str
    title: str
    stage: str
    budget_amount: Decimal
    contract_amount: Decimal | None
    awarded_to: str
    evaluation_result: str


class PurchasePage(Schema):
    count: int
    page: int
    results: list[PurchaseOut]


def _org(o: Organisation) -> dict[str, Any]:
    return {"id": o.pk, "unit_code": o.unit_id, "name": o.name, "kind": o.kind,
            "community_category": o.community_category, "status": o.status, "credit_code": o.credit_code,
            "registered_on": o.registered_on, "dissolved_on": o.dissolved_on, "full_time_staff": o.full_time_staff,
            "part_time_staff": o.part_time_staff}


@router.get("/organisations", response=OrganisationPage, summary="Social organisations in the caller's scope")
def organisation_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = selectors.organisations(request.user).order_by("unit_id", "pk")
    chunk = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return {"count": rows.count(), "page": page, "results": [_org(o) for o in chunk]}


@router.get("/organisations/{organisation_id}", response=OrganisationOut, summary="One social organisation")
def organisation_detail(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    return _org(get_visible_or_404(selectors.organisations(request.user), pk=organisation_id))


@router.get("/purchases", response=PurchasePage, summary="Government purchases of services the caller sees")
def purchase_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = selectors.purchases(request.user).order_by("-proposed_on", "pk")
    chunk = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return {"count": rows.count(), "page": page, "results": [
        {"id": p.pk, "unit_code": p.unit_id, "title": p.title, "stage": p.stage, "budget_amount": p.budget_amount,
         "contract_amount": p.contract_amount, "awarded_to": p.awarded_to.name if p.awarded_to else "",
         "evaluation_result": p.evaluation_result} for p in chunk]}

"""JSON API of the exchange (/api/exchange/): a department pushes a batch of its dataset with its own token.

A department sees only its own datasets and batches; another department's dataset is 404. A pushed batch is
checked whole like a file: it lands (201) or is refused whole (422, every row's error in ``errors``).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from accounts.scoping import get_visible_or_404
from exchange import importers, selectors, services, sharing
from exchange.datasets import TYPE_LABELS
from exchange.models import Batch, Dataset, SharingAgreement
from shequ import inputs
from shequ.apierrors import ErrorOut
from shequ.inputs import PageNumber

router = Router(tags=["exchange"])
PAGE_SIZE = 50


class FieldOut(Schema):
    header: str
    key: str
    type: str
    type_label: str
    standard: str


class DatasetOut(Schema):
    code: str
    name: str
    department: str
    frequency: str
    remit_code: str | None
    fields: list[FieldOut]


class BatchOut(Schema):
    id: int
    dataset: str
    sender: str
    sent_at: dt.datetime
    channel: str
    source_name: str
    row_count: int
    status: str
    added: int
    changed: int
    removed: int
    unchanged: int
    diff: dict[str, list[str]]
    errors: list[dict[str, Any]]


class BatchPage(Schema):
    count: int
    page: int
    results: list[BatchOut]


class CheckedOut(Schema):
    """A dry run: what the batch would do; nothing written."""

    row_count: int
    added: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: int


class BatchIn(Schema):
    rows: list[dict[str, str | int | None]] = Field(max_length=importers.MAX_ROWS,
                                                    description="每行一个对象，键为文件的列名（如「行政村代码」）")
    source_name: str = Field("", max_length=200, description="来源（系统或文件名）")
    dry_run: bool = False


def _dataset(dataset: Dataset) -> dict[str, Any]:
    return {"code": dataset.code, "name": dataset.name, "department": dataset.department.name,
            "frequency": dataset.frequency, "remit_code": dataset.remit_id,
            "fields": [{"header": f.header, "key": f.key, "type": f.type, "type_label": TYPE_LABELS[f.type],
                        "standard": f.standard} for f in dataset.spec.fields]}


def _batch(b: Batch) -> dict[str, Any]:
    return {"id": b.pk, "dataset": b.dataset.code, "sender": b.sender.username if b.sender else "", "sent_at": b.sent_at,
            "channel": b.channel, "source_name": b.source_name, "row_count": b.row_count, "status": b.status,
            "added": b.added, "changed": b.changed, "removed": b.removed, "unchanged": b.unchanged,
            "diff": b.diff, "errors": b.errors}


@router.get("/datasets", response=list[DatasetOut], summary="The caller's department's datasets")
def dataset_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_dataset(d) for d in selectors.datasets_for(request.user)]


@router.get("/datasets/{code}/batches", response=BatchPage, summary="Batches of one of the caller's datasets")
def batch_list(request: HttpRequest, code: str, page: PageNumber = 1) -> dict[str, Any]:
    dataset = get_visible_or_404(selectors.datasets_for(request.user), code=code)
    rows = selectors.batches_for(request.user, dataset)
    start = (page - 1) * PAGE_SIZE
    return {"count": rows.count(), "page": page, "results": [_batch(b) for b in rows[start:start + PAGE_SIZE]]}


@router.post("/datasets/{code}/batches", response={201: BatchOut, 200: CheckedOut, 422: ErrorOut},
             summary="Push a batch (JSON rows) of one of the caller's datasets: lands whole or not at all")
def batch_push(request: HttpRequest, code: str, payload: BatchIn) -> Any:
    dataset = get_visible_or_404(selectors.datasets_for(request.user), code=code)
    try:
        done = services.deliver(dataset=dataset, rows=importers.json_rows(payload.rows), actor=request.user,
                                channel=Batch.Channel.API, source_name=payload.source_name, dry_run=payload.dry_run)
    except ValidationError as exc:
        return Status(422, {"detail": "；".join(exc.messages), "errors": {}})
    if not done.ok:
        where = f"（批次 {done.batch.pk}）" if done.batch is not None else ""
        errors = {f"第{e.line}行" + (f"「{e.column}」" if e.column else ""): e.reason for e in done.errors[:500]}
        return Status(422, {"detail": f"整批未入库{where}：{len(done.errors)} 处错误。" + str(done.errors[0]), "errors": errors})
    if done.batch is None:
        return Status(200, {"row_count": done.row_count, "added": done.added, "changed": done.changed,
                            "removed": done.removed, "unchanged": done.unchanged})
    return Status(201, _batch(done.batch))


# ---------------------------------------------------------------- sharing agreements


class AgreementIn(Schema):
    dataset: str = Field(max_length=40, description="共享数据集代码，如 residents_80_plus")
    unit_code: str = Field(max_length=12, description="范围：12位区划代码（县、乡镇或村）")
    purpose: str = Field(max_length=200)
    legal_basis: str = Field(max_length=200)
    unmasked: dict[str, str] = Field(default_factory=dict, description="非脱敏字段 → 理由（逐项说明）")
    starts_on: dt.date
    ends_on: dt.date


class AgreementOut(Schema):
    id: int
    department: str
    dataset: str
    unit_code: str
    purpose: str
    legal_basis: str
    unmasked: dict[str, str]
    starts_on: dt.date
    ends_on: dt.date
    status: str
    active: bool


class AccessOut(Schema):
    user: str
    at: dt.datetime
    as_of: dt.date
    page: int
    rows: int


class SharedPage(Schema):
    agreement: int
    as_of: dt.date
    page: int
    page_size: int
    results: list[dict[str, Any]]


def _agreement(a: SharingAgreement) -> dict[str, Any]:
    return {"id": a.pk, "department": a.department.name, "dataset": a.dataset, "unit_code": a.unit_id, "purpose": a.purpose,
            "legal_basis": a.legal_basis, "unmasked": a.unmasked, "starts_on": a.starts_on, "ends_on": a.ends_on,
            "status": a.status, "active": services.agreement_active(a)}


def _visible_agreement(request: HttpRequest, agreement_id: int) -> SharingAgreement:
    return get_visible_or_404(SharingAgreement.objects.visible_to(request.user).select_related("department", "unit"),
                              pk=agreement_id)


def _refused(exc: ValidationError) -> Status[dict[str, Any]]:
    return Status(422, {"detail": "；".join(exc.messages), "errors": {}})


@router.get("/agreements", response=list[AgreementOut], summary="Sharing agreements of the caller's department (all, for 市民政局)")
def agreement_list(request: HttpRequest) -> list[dict[str, Any]]:
    rows = SharingAgreement.objects.visible_to(request.user).select_related("department")[:500]
    return [_agreement(a) for a in rows]


@router.post("/agreements", response={201: AgreementOut, 422: ErrorOut}, summary="Ask for a sharing agreement (申请)")
def agreement_request(request: HttpRequest, payload: AgreementIn) -> Any:
    try:
        agreement = services.request_agreement(actor=request.user, **payload.dict())
    except ValidationError as exc:
        return _refused(exc)
    return Status(201, _agreement(agreement))


@router.post("/agreements/{agreement_id}/approve", response={200: AgreementOut, 422: ErrorOut},
             summary="Approve a sharing agreement (市民政局)")
def agreement_approve(request: HttpRequest, agreement_id: int) -> Any:
    try:
        return Status(200, _agreement(services.decide_agreement(agreement=_visible_agreement(request, agreement_id),
                                                                actor=request.user, approve=True)))
    except ValidationError as exc:
        return _refused(exc)


@router.post("/agreements/{agreement_id}/revoke", response={200: AgreementOut, 422: ErrorOut},
             summary="Revoke a sharing agreement: access stops at once")
def agreement_revoke(request: HttpRequest, agreement_id: int) -> Any:
    try:
        return Status(200, _agreement(services.revoke_agreement(agreement=_visible_agreement(request, agreement_id),
                                                                actor=request.user)))
    except ValidationError as exc:
        return _refused(exc)


@router.get("/agreements/{agreement_id}/rows", response={200: SharedPage, 403: ErrorOut, 422: ErrorOut},
            summary="The agreement's data, paged (500 rows), as of a date; every read is logged")
def agreement_rows(request: HttpRequest, agreement_id: int, page: PageNumber = 1, as_of: dt.date | None = None) -> Any:
    agreement = get_visible_or_404(SharingAgreement.objects.usable_by(request.user).select_related("unit"), pk=agreement_id)
    day = as_of or timezone.localdate()
    message = inputs.date_error(day, label="数据日期", past=True)
    if message:
        return Status(422, {"detail": message, "errors": {"as_of": message}})
    try:
        data = services.read_shared(agreement=agreement, actor=request.user, page=page, as_of=day)
    except ValidationError as exc:
        return Status(403, {"detail": "；".join(exc.messages), "errors": {}})
    return Status(200, {"agreement": agreement.pk, "as_of": day, "page": page, "page_size": sharing.PAGE_SIZE, "results": data})


@router.get("/agreements/{agreement_id}/accesses", response=list[AccessOut], summary="The agreement's own access log")
def agreement_accesses(request: HttpRequest, agreement_id: int) -> list[dict[str, Any]]:
    agreement = _visible_agreement(request, agreement_id)
    return [{"user": a.user.username, "at": a.at, "as_of": a.as_of, "page": a.page, "rows": a.rows}
            for a in agreement.accesses.select_related("user")[:1000]]

"""JSON API of the exchange (/api/exchange/): a department pushes a batch of its dataset with its own token.

A department sees only its own datasets and batches; another department's dataset is 404. A pushed batch is
checked whole like a file: it lands (201) or is refused whole (422, every row's error in ``errors``).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.scoping import get_visible_or_404
from exchange import importers, selectors, services
from exchange.datasets import TYPE_LABELS
from exchange.models import Batch, Dataset
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

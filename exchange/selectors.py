"""Scoped reads of the exchange, and the one rule for a dataset's value on a day."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from exchange.models import Batch, Dataset, Fact
from places.codes import within


def datasets_for(user: Any) -> Any:
    return Dataset.objects.visible_to(user).select_related("department", "remit")


def batches_for(user: Any, dataset: Dataset | None = None) -> Any:
    rows = Batch.objects.visible_to(user).select_related("dataset", "dataset__department", "sender")
    return rows.filter(dataset=dataset) if dataset is not None else rows


def values_on(code: str, day: dt.date, prefix: str = "") -> dict[str, dict[str, Any]]:
    """Each unit's value of dataset `code` on `day`: its latest fact dated on or before the day.

    A value holds from its date until a later batch changes or removes it; a unit removed by then has none.
    """
    rows = (Fact.objects.filter(dataset__code=code, as_of__lte=day)
            .filter(within("unit_id", prefix) if prefix else Q())
            .order_by("unit_id", "as_of", "batch_id").values_list("unit_id", "values", "removed"))
    out: dict[str, dict[str, Any]] = {}
    for unit, values, removed in rows.iterator(chunk_size=5000):
        if removed:
            out.pop(str(unit), None)
        else:
            out[str(unit)] = values
    return out


def latest_batch(dataset: Dataset) -> Batch | None:
    return dataset.batches.filter(status=Batch.Status.LANDED).order_by("-sent_at", "-id").first()


FREQUENCY_DAYS = {"month": 31, "quarter": 92, "year": 366}


@dataclass
class Feed:
    dataset: Dataset
    latest_batch: Batch | None
    latest_data: dt.date | None  # the latest date a landed value is true from
    stale: bool                  # no batch, or the last one is older than the expected frequency


def feeds(datasets: Any, today: dt.date) -> list[Feed]:
    """Each dataset's freshness: its latest landed batch and data date, and whether the feed is overdue."""
    out = []
    for dataset in datasets:
        batch = latest_batch(dataset)
        data = Fact.objects.filter(dataset=dataset, removed=False).aggregate(latest=Max("as_of"))["latest"]
        overdue = batch is None or (today - timezone.localtime(batch.sent_at).date()).days > FREQUENCY_DAYS[dataset.frequency]
        out.append(Feed(dataset, batch, data, overdue))
    return out

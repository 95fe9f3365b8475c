"""Every write of the exchange: the datasets' rows, and a delivery (批次) landed whole or rejected whole."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts import audit
from accounts.roles import Role
from exchange import importers
from exchange.datasets import SPECS
from exchange.models import Batch, Dataset, Fact
from places.models import Department
from shequ.bulk import BulkInserter
from shequ.importing import RowError

CITY = "131100000000"
MAX_STORED_ERRORS = 1000


@transaction.atomic
def sync_datasets(*, actor: Any = None) -> int:
    """Create the datasets the code defines (exchange/datasets.py); an existing row keeps its configured owner."""
    created = 0
    for code, spec in SPECS.items():
        if Dataset.objects.filter(code=code).exists():
            Dataset.objects.filter(code=code).update(name=spec.name)
            continue
        department = Department.objects.filter(code=spec.department).first()
        if department is None:
            raise ValidationError(f"部门「{spec.department}」不存在，请先导入部门名录。")
        Dataset.objects.create(code=code, name=spec.name, department=department, frequency=spec.frequency)
        created += 1
    if created:
        audit.record(actor=actor, action="exchange.sync_datasets", username="system", detail={"created": created})
    return created


@dataclass
class Delivery:
    """What a delivery did (or, in a dry run, would do)."""

    row_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    batch: Batch | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def current_state(dataset: Dataset) -> dict[str, tuple[dt.date, dict[str, Any]]]:
    """Each unit's value after the latest landed batch: {unit: (as_of, values)} (removed units left out)."""
    state: dict[str, tuple[dt.date, dict[str, Any]]] = {}
    rows = Fact.objects.filter(dataset=dataset).order_by("unit_id", "batch_id").values_list("unit_id", "as_of", "values", "removed")
    for unit, as_of, values, removed in rows:
        if removed:
            state.pop(str(unit), None)
        else:
            state[str(unit)] = (as_of, values)
    return state


def _reject(result: Delivery, *, dataset: Dataset, actor: Any, channel: str, source_name: str) -> Delivery:
    """A rejected batch is recorded (who sent what, and why it was refused); it lands no fact."""
    if result.dry_run:
        return result
    result.batch = Batch.objects.create(
        dataset=dataset, sender=actor, channel=channel, source_name=source_name[:200], row_count=result.row_count,
        status=Batch.Status.REJECTED,
        errors=[{"line": e.line, "column": e.column, "value": e.value, "reason": e.reason}
                for e in result.errors[:MAX_STORED_ERRORS]])
    audit.record(actor=actor, action="exchange.batch_reject", obj=result.batch, username="import",
                 detail={"dataset": dataset.code, "errors": len(result.errors)})
    return result


def _may_deliver(actor: Any, dataset: Dataset) -> bool:
    if actor is None:  # an operator's command
        return True
    return bool(actor.is_active and actor.role == Role.DEPARTMENT_STAFF and actor.department_id == dataset.department_id)


@transaction.atomic
def deliver(*, dataset: Dataset, rows: list[tuple[int, dict[str, Any]]], actor: Any, channel: str,
            source_name: str = "", dry_run: bool = False) -> Delivery:
    """Check a whole delivery; land it (only the changes) or reject it whole. A dry run writes nothing."""
    if not _may_deliver(actor, dataset):
        raise ValidationError(f"「{dataset.name}」由{dataset.department.name}报送，您所在部门不能报送该数据集。")
    if channel not in Batch.Channel.values:
        raise ValidationError("报送方式无效。")
    Dataset.objects.select_for_update().filter(pk=dataset.pk).first()  # one delivery of a dataset at a time
    remit = dataset.remit.prefix if dataset.remit is not None else ""
    checked = importers.check(dataset.spec, rows, remit=remit)
    result = Delivery(row_count=len(rows), errors=checked.errors, dry_run=dry_run)
    if checked.errors:
        return _reject(result, dataset=dataset, actor=actor, channel=channel, source_name=source_name)
    before = current_state(dataset)
    new = {row.unit: row for row in checked.rows}
    errors = [RowError(row.line, f"统计日期早于已入库的值（{before[row.unit][0].isoformat()}），不能用较早的数据覆盖",
                       dataset.spec.fields[-1].header if dataset.spec.as_of == "as_of" else "", row.as_of.isoformat())
              for row in checked.rows if row.unit in before and row.as_of < before[row.unit][0]
              and row.values != before[row.unit][1]]
    if errors:
        result.errors = errors
        return _reject(result, dataset=dataset, actor=actor, channel=channel, source_name=source_name)
    result.added = sorted(u for u in new if u not in before)
    result.changed = sorted(u for u in new if u in before and new[u].values != before[u][1])
    result.removed = sorted(u for u in before if u not in new)
    result.unchanged = len(new) - len(result.added) - len(result.changed)
    if dry_run:
        return result
    batch_day = max(row.as_of for row in checked.rows)
    batch = Batch.objects.create(
        dataset=dataset, sender=actor, channel=channel, source_name=source_name[:200], row_count=len(rows),
        status=Batch.Status.LANDED, added=len(result.added), changed=len(result.changed),
        removed=len(result.removed), unchanged=result.unchanged,
        diff={"added": result.added, "changed": result.changed, "removed": result.removed})
    json_field = Fact._meta.get_field("values")
    facts = [(dataset.pk, batch.pk, u, new[u].as_of, json_field.get_db_prep_save(new[u].values, connection), False)
             for u in [*result.added, *result.changed]]
    facts += [(dataset.pk, batch.pk, u, max(batch_day, before[u][0]), json_field.get_db_prep_save({}, connection), True)
              for u in result.removed]
    BulkInserter(Fact, ["dataset_id", "batch_id", "unit_id", "as_of", "values", "removed"]).write(facts)
    result.batch = batch
    audit.record(actor=actor, action="exchange.batch_land", obj=batch, username="import",
                 unit_code=dataset.remit_id or CITY,
                 detail={"dataset": dataset.code, "rows": len(rows), "added": len(result.added),
                         "changed": len(result.changed), "removed": len(result.removed)})
    return result

"""Every write of the exchange: the datasets' rows, and a delivery (批次) landed whole or rejected whole."""

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.roles import Role
from exchange import importers, sharing
from exchange.datasets import SPECS
from exchange.models import APPROVER_DEPARTMENT, AgreementAccess, Batch, Dataset, Fact, SharingAgreement
from places.models import Department, OrgUnit
from shequ import inputs
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
    # JSON text as JSONField.get_db_prep_save writes it (json.dumps), without its per-row overhead.
    facts = [(dataset.pk, batch.pk, u, new[u].as_of, json.dumps(new[u].values), False) for u in [*result.added, *result.changed]]
    facts += [(dataset.pk, batch.pk, u, max(batch_day, before[u][0]), "{}", True) for u in result.removed]
    BulkInserter(Fact, ["dataset_id", "batch_id", "unit_id", "as_of", "values", "removed"]).write(facts)
    result.batch = batch
    audit.record(actor=actor, action="exchange.batch_land", obj=batch, username="import",
                 unit_code=dataset.remit_id or CITY,
                 detail={"dataset": dataset.code, "rows": len(rows), "added": len(result.added),
                         "changed": len(result.changed), "removed": len(result.removed)})
    return result


# ---------------------------------------------------------------- sharing agreements (数据共享协议)

MAX_AGREEMENT_DAYS = 3 * 366


def _department_staff(actor: Any) -> bool:
    return bool(actor is not None and actor.is_active and actor.role == Role.DEPARTMENT_STAFF and actor.department_id)


@transaction.atomic
def request_agreement(*, actor: Any, dataset: str, unit_code: str, purpose: str, legal_basis: str,
                      unmasked: dict[str, str], starts_on: dt.date, ends_on: dt.date) -> SharingAgreement:
    """申请: a department asks for a shared dataset of a unit's subtree, for a purpose, on a legal basis, for a period."""
    if not _department_staff(actor):
        raise ValidationError("只有部门工作人员可以申请数据共享。")
    if dataset not in sharing.SHARED_DATASETS:
        raise ValidationError(f"没有这个共享数据集：{dataset}")
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise ValidationError(f"单位不存在：{unit_code}")
    if not purpose.strip() or not legal_basis.strip():
        raise ValidationError("请写明用途和法律依据。")
    unknown = sorted(set(unmasked) - set(sharing.MASKABLE))
    if unknown:
        raise ValidationError(f"这些字段不需要或不能申请非脱敏：{'、'.join(unknown)}")
    if ends_on < starts_on or (ends_on - starts_on).days > MAX_AGREEMENT_DAYS:
        raise ValidationError("期限应从起始日期起，最长三年。")
    message = inputs.date_error(starts_on, label="起始日期")
    if message:
        raise ValidationError(message)
    agreement = SharingAgreement.objects.create(
        department_id=actor.department_id, dataset=dataset, unit=unit, purpose=purpose.strip()[:200],
        legal_basis=legal_basis.strip()[:200], unmasked={k: str(v).strip()[:200] for k, v in unmasked.items()},
        starts_on=starts_on, ends_on=ends_on, requested_by=actor)
    audit.record(actor=actor, action="exchange.agreement_request", obj=agreement,
                 detail={"dataset": dataset, "unmasked": sorted(unmasked)})
    return agreement


def _approver(actor: Any) -> bool:
    return _department_staff(actor) and actor.department.code == APPROVER_DEPARTMENT


@transaction.atomic
def decide_agreement(*, agreement: SharingAgreement, actor: Any, approve: bool) -> SharingAgreement:
    """审批 by 市民政局 (not the requester): an unmasked field without its justification cannot be approved."""
    if not _approver(actor):
        raise ValidationError("数据共享协议由市民政局审批。")
    if actor.pk == agreement.requested_by_id:
        raise ValidationError("申请人不能审批自己的申请。")
    locked = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status != SharingAgreement.Status.REQUESTED:
        raise ValidationError("该协议已审批过。")
    if approve:
        missing = sorted(k for k, why in locked.unmasked.items() if not str(why).strip())
        if missing:
            raise ValidationError(f"非脱敏字段未逐项说明理由，不能批准：{'、'.join(missing)}")
    locked.status = SharingAgreement.Status.APPROVED if approve else SharingAgreement.Status.REJECTED
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(actor=actor, action="exchange.agreement_approve" if approve else "exchange.agreement_reject", obj=locked)
    return locked


@transaction.atomic
def revoke_agreement(*, agreement: SharingAgreement, actor: Any) -> SharingAgreement:
    """撤销: the approver or the requesting department; access stops at once (nothing is cached)."""
    if not (_approver(actor) or (_department_staff(actor) and actor.department_id == agreement.department_id)):
        raise ValidationError("只有市民政局或申请部门可以撤销协议。")
    locked = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status != SharingAgreement.Status.APPROVED:
        raise ValidationError("只有已批准的协议可以撤销。")
    locked.status, locked.revoked_at = SharingAgreement.Status.REVOKED, timezone.now()
    locked.save(update_fields=["status", "revoked_at"])
    audit.record(actor=actor, action="exchange.agreement_revoke", obj=locked)
    return locked


def agreement_active(agreement: SharingAgreement, on: dt.date | None = None) -> bool:
    day = on or timezone.localdate()
    return agreement.status == SharingAgreement.Status.APPROVED and agreement.starts_on <= day <= agreement.ends_on


@transaction.atomic
def read_shared(*, agreement: SharingAgreement, actor: Any, page: int, as_of: dt.date) -> list[dict[str, Any]]:
    """One page of an agreement's data for the requesting department, logged; refused unless approved and unexpired.

    Checked on every read against the agreement's row (no cache): revoking or expiring stops the next read.
    """
    if not (_department_staff(actor) and actor.department_id == agreement.department_id):
        raise ValidationError("只有申请部门可以使用该协议的数据。")
    current = SharingAgreement.objects.get(pk=agreement.pk)
    if not agreement_active(current):
        raise ValidationError("协议未批准、已撤销或已过期，不能访问数据。")
    message = inputs.date_error(as_of, label="数据日期", past=True)
    if message:
        raise ValidationError(message)
    data = sharing.rows(current.unit.prefix, as_of, set(current.unmasked), page)
    AgreementAccess.objects.create(agreement=current, user=actor, as_of=as_of, page=page, rows=len(data))
    audit.record(actor=actor, action="exchange.agreement_read", obj=current,
                 detail={"page": page, "rows": len(data), "as_of": as_of.isoformat()})
    return data

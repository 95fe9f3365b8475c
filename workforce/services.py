"""Every write of the workforce module: one function each, atomic, scoped and audited.

Bad input raises ValidationError with a Chinese message and writes nothing.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.scoping import can_see_unit
from people import crypto
from people.masking import mask_phone
from places.models import OrgUnit
from shequ import inputs, phones
from workforce.models import (
    DIRECTOR_POSITIONS,
    SECRETARY_POSITIONS,
    CommunityWorker,
    Gender,
    Position,
    Training,
    TrainingAttendance,
    TrainingKind,
    TrainingLevel,
    in_post_during,
    in_post_on,
)

EDITABLE = ("name", "gender", "position", "phone", "started_on")


def _check_scope(actor: Any, unit_code: str) -> None:
    if not can_see_unit(actor, unit_code):
        raise ValidationError("无权操作该村（社区）的数据。")


def _phone(raw: str) -> str:
    try:
        return phones.clean(raw)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def _set_phone(worker: CommunityWorker, phone: str) -> None:
    """Store a canonical phone (shequ.phones.clean): ciphertext, keyed hash of the digits, masked copy."""
    worker.phone_enc = crypto.encrypt(phone)
    worker.phone_hash = crypto.search_hash(phone)
    worker.phone_masked = mask_phone(phone)


def _clean_worker(*, unit: OrgUnit, name: str, gender: str, position: str, started_on: dt.date | None,
                  exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写姓名。")
    if len(name) > 50:
        raise ValidationError("姓名不能超过50个字。")
    if gender not in Gender.values:
        raise ValidationError("请选择性别。")
    if position not in Position.values:
        raise ValidationError("请选择岗位。")
    if started_on is None:
        raise ValidationError("请填写任职日期。")
    inputs.check_date(started_on, label="任职日期", earliest=inputs.EARLIEST_SERVICE, past=True)
    if unit.level != OrgUnit.Level.VILLAGE:
        raise ValidationError("社区工作者只能登记在村（社区）。")
    _check_single_leader(unit=unit, position=position, exclude_pk=exclude_pk)
    return name


def _check_single_leader(*, unit: OrgUnit, position: str, exclude_pk: int | None) -> None:
    """A unit has at most one serving party secretary and one serving director (一人兼 counts as both)."""
    today = timezone.localdate()
    serving = CommunityWorker.objects.filter(in_post_on(today), unit=unit)
    if exclude_pk is not None:
        serving = serving.exclude(pk=exclude_pk)
    if position in SECRETARY_POSITIONS and serving.filter(position__in=SECRETARY_POSITIONS).exists():
        raise ValidationError("该村（社区）已有在任党组织书记，请先办理其离任。")
    if position in DIRECTOR_POSITIONS and serving.filter(position__in=DIRECTOR_POSITIONS).exists():
        raise ValidationError("该村（社区）已有在任居（村）委会主任，请先办理其离任。")


@transaction.atomic
def add_worker(*, actor: Any, unit: OrgUnit, name: str, gender: str, position: str, started_on: dt.date | None,
               phone: str = "", account: Any = None) -> CommunityWorker:
    _check_scope(actor, unit.code)
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()  # one leader check at a time per unit
    name = _clean_worker(unit=unit, name=name, gender=gender, position=position, started_on=started_on)
    phone = _phone(phone)
    assert started_on is not None  # checked by _clean_worker
    if account is not None and account.unit_id != unit.code:
        raise ValidationError("关联的系统账户不属于该村（社区）。")
    worker = CommunityWorker(unit=unit, name=name, gender=gender, position=position, started_on=started_on,
                             account=account)
    _set_phone(worker, phone)
    worker.save()
    audit.record(actor=actor, action="workforce.add_worker", obj=worker, detail={"position": position})
    return worker


@transaction.atomic
def update_worker(*, actor: Any, worker: CommunityWorker, changes: dict[str, Any]) -> CommunityWorker:
    """Change name, gender, position, phone or start date; fields not given stay as they are."""
    _check_scope(actor, worker.unit_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    worker = CommunityWorker.objects.select_for_update().select_related("unit").get(pk=worker.pk)
    if worker.ended_on is not None:
        raise ValidationError("该人员已离任，不能再修改。")
    merged: dict[str, Any] = {field: changes.get(field, getattr(worker, field, None)) for field in EDITABLE if field != "phone"}
    name = _clean_worker(unit=worker.unit, exclude_pk=worker.pk, **merged)
    fields = []
    for field, value in (("name", name), ("gender", merged["gender"]), ("position", merged["position"]),
                         ("started_on", merged["started_on"])):
        if getattr(worker, field) != value:
            setattr(worker, field, value)
            fields.append(field)
    if "phone" in changes:
        phone = _phone(changes["phone"])
        if crypto.search_hash(phone) != worker.phone_hash:
            _set_phone(worker, phone)
            fields += ["phone_enc", "phone_hash", "phone_masked"]
    if not fields:
        return worker
    worker.save(update_fields=[*fields, "updated_at"])
    audit.record(actor=actor, action="workforce.update_worker", obj=worker,
                 detail={"fields": [f for f in fields if not f.startswith("phone_")] + (["phone"] if "phone_enc" in fields else [])})
    return worker


@transaction.atomic
def end_worker(*, actor: Any, worker: CommunityWorker, ended_on: dt.date | None) -> CommunityWorker:
    """离任: the worker leaves the post on ended_on (from that day no longer counted)."""
    _check_scope(actor, worker.unit_id)
    worker = CommunityWorker.objects.select_for_update().get(pk=worker.pk)
    if worker.ended_on is not None:
        raise ValidationError("该人员已离任。")
    if ended_on is None:
        raise ValidationError("请填写离任日期。")
    if ended_on < worker.started_on:
        raise ValidationError("离任日期不能早于任职日期。")
    if ended_on > timezone.localdate() + dt.timedelta(days=31):
        raise ValidationError("离任日期不能晚于一个月以后。")
    worker.ended_on = ended_on
    worker.save(update_fields=["ended_on", "updated_at"])
    audit.record(actor=actor, action="workforce.end_worker", obj=worker, detail={"ended_on": ended_on.isoformat()})
    return worker


MAX_HOURS = Decimal(500)


def _hours(raw: Any, *, default: Decimal | None) -> Decimal | None:
    """Training hours: 0.5–500, in half hours; empty gives the default."""
    if raw in (None, ""):
        return default
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        raise ValidationError("学时应为数字。") from None
    if not value.is_finite() or value <= 0 or value > MAX_HOURS or (value * 2) % 1:
        raise ValidationError("学时应在0.5至500之间，以0.5为单位。")
    return value


@transaction.atomic
def record_training(*, actor: Any, unit: OrgUnit, title: str, level: str, kind: str, starts_on: dt.date | None,
                    ends_on: dt.date | None, organiser: str = "", hours: Any = None) -> Training:
    _check_scope(actor, unit.code)
    title = (title or "").strip()
    if not title:
        raise ValidationError("请填写培训名称。")
    if level not in TrainingLevel.values:
        raise ValidationError("请选择培训层级（省级示范/市级重点/区级兜底）。")
    if kind not in TrainingKind.values:
        raise ValidationError("请选择培训类别。")
    if starts_on is None or ends_on is None:
        raise ValidationError("请填写培训开始和结束日期。")
    inputs.check_date(starts_on, label="培训开始日期")
    inputs.check_date(ends_on, label="培训结束日期")
    if ends_on < starts_on:
        raise ValidationError("结束日期不能早于开始日期。")
    if (ends_on - starts_on).days > 366:
        raise ValidationError("一次培训不能超过一年。")
    hours = _hours(hours, default=Decimal(8))
    training = Training.objects.create(unit=unit, title=title[:200], level=level, kind=kind, starts_on=starts_on,
                                       ends_on=ends_on, organiser=(organiser or "").strip()[:100], hours=hours,
                                       created_by=actor)
    audit.record(actor=actor, action="workforce.record_training", obj=training, detail={"kind": kind, "level": level})
    return training


@transaction.atomic
def record_attendance(*, actor: Any, training: Training, worker: CommunityWorker, completed: bool,
                      hours: Any = None) -> TrainingAttendance:
    """Record (or correct) one worker's attendance on a training; completed = 结业; hours = actual hours (online)."""
    hours = _hours(hours, default=None)
    _check_scope(actor, worker.unit_id)
    if not Training.objects.visible_to(actor).filter(pk=training.pk).exists():
        raise ValidationError("无权为该培训登记参训。")
    if not CommunityWorker.objects.filter(in_post_during(training.starts_on, training.ends_on), pk=worker.pk).exists():
        raise ValidationError(f"{worker.name}在培训期间不在岗，不能登记参训。")
    if completed and training.starts_on > timezone.localdate():
        raise ValidationError("培训尚未开始，不能登记为已结业。")
    attendance, created = TrainingAttendance.objects.select_for_update().get_or_create(
        worker=worker, training=training, defaults={"completed": completed, "recorded_by": actor, "hours": hours})
    if not created:
        if attendance.completed == completed and attendance.hours == hours:
            return attendance
        attendance.completed, attendance.recorded_by, attendance.hours = completed, actor, hours
        attendance.save(update_fields=["completed", "recorded_by", "recorded_at", "hours"])
    audit.record(actor=actor, action="workforce.record_attendance", obj=attendance, unit_code=worker.unit_id,
                 detail={"training": training.pk, "worker": worker.pk, "completed": completed})
    return attendance

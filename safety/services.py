"""Every write of the safety module: one function each, in a transaction, with actor=, audited.

Warnings reuse care's emergency notices (care.services.send_notice / resend_notice): one notice per area unit, so
workers, disaster officers and opted-in residents are reached, tracked and acknowledged exactly as care does it.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import audit
from accounts.models import User
from accounts.roles import Role
from accounts.scoping import can_see_unit, scope_prefix
from care import services as care_services
from care.models import DisasterOfficer, EmergencyShelter, NoticeKind
from people.models import Resident
from people.permissions import can_see_restricted_tags
from places.codes import within
from places.models import OrgUnit
from safety.models import (
    NEEDS,
    BroadcastPoint,
    CallTask,
    CrowdedPlace,
    EmergencyPlan,
    EvacuationNeed,
    Hazard,
    HelpContact,
    HelpGroup,
    HelpPlan,
    Inspection,
    Level,
    NeedReason,
    PlaceKind,
    PlanAsset,
    PlanRole,
    PlanRoleKind,
    PlanVersion,
    PolicePost,
    PoliceRole,
    Warning,
    WarningArea,
)
from shequ import phones
from shequ.inputs import check_date

WARNING_SENDER_ROLES = {Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.CITY_STAFF}
STAFF_ROLES = {Role.COMMUNITY_WORKER, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.CITY_STAFF}


def today() -> dt.date:
    return timezone.localdate()


def require_scope(actor: Any, unit_code: str, field: str = "unit_code") -> None:
    if getattr(actor, "role", None) not in STAFF_ROLES or not can_see_unit(actor, unit_code):
        raise ValidationError({field: ["该单位不在您的管辖范围内。"]})


def _village(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or unit.level != OrgUnit.Level.VILLAGE:
        raise ValidationError({"unit_code": ["请选择村（社区）。"]})
    return unit


def _phone(raw: str, field: str = "phone") -> tuple[str, str]:
    from people.crypto import encrypt
    from people.masking import mask_phone

    try:
        number = phones.clean(raw)
    except ValueError as exc:
        raise ValidationError({field: [str(exc)]}) from exc
    return (encrypt(number) if number else ""), mask_phone(number) if number else ""


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _worker_of(user: Any, unit_code: str, field: str) -> None:
    if user is not None and (not user.is_active or user.unit_id != unit_code or user.role != Role.COMMUNITY_WORKER):
        raise ValidationError({field: ["所选人员不是该村（社区）的在岗工作人员。"]})


# ---- Emergency plans ---------------------------------------------------------------------

def _snapshot(plan: EmergencyPlan) -> dict[str, Any]:
    return {
        "hazards": list(plan.hazards), "routes": plan.routes, "reviewed_on": plan.reviewed_on.isoformat(),
        "shelters": sorted(plan.shelters.values_list("name", flat=True)),
        "roles": {r.role: r.person() for r in plan.roles.select_related("user", "officer")},
        "assets": [[a.name, a.quantity, a.checked_on.isoformat() if a.checked_on else ""] for a in plan.assets.all()],
        "needs": EvacuationNeed.objects.filter(unit_id=plan.unit_id).count(),  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
    }


def _new_version(plan: EmergencyPlan, actor: User, *, bump: bool = True) -> None:
    if bump:
        plan.version = F("version") + 1
        plan.save(update_fields=["version", "updated_at"])
        plan.refresh_from_db(fields=["version"])
    PlanVersion.objects.create(plan=plan, version=plan.version, snapshot=_snapshot(plan), saved_by=actor)


@transaction.atomic
def save_plan(*, actor: User, unit_code: str, hazards: list[str], routes: str = "", reviewed_on: dt.date | None = None,
              shelter_ids: list[int] | None = None) -> EmergencyPlan:
    """Create or revise a village's plan; every save is a new version (PlanVersion)."""
    require_scope(actor, unit_code)
    unit = _village(unit_code)
    errors: dict[str, list[str]] = {}
    bad = [h for h in hazards if h not in Hazard.values]
    if not hazards or bad:
        errors["hazards"] = ["请至少选择一种灾害风险。"]
    try:
        check_date(reviewed_on, label="修订日期", past=True)
    except ValidationError as exc:
        errors["reviewed_on"] = exc.messages
    shelters = list(EmergencyShelter.objects.filter(pk__in=shelter_ids or [], unit_id=unit.code))  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
    if len(shelters) != len(set(shelter_ids or [])):
        errors["shelter_ids"] = ["避难场所须属于本村（社区）。"]
    _raise(errors)
    plan = EmergencyPlan.objects.select_for_update().filter(unit=unit).first()
    created = plan is None
    if plan is None:
        plan = EmergencyPlan.objects.create(unit=unit, hazards=hazards, routes=routes.strip(), reviewed_on=reviewed_on or today())
        PlanRole.objects.bulk_create([PlanRole(plan=plan, role=r) for r in PlanRoleKind.values])
    else:
        plan.hazards, plan.routes, plan.reviewed_on = hazards, routes.strip(), reviewed_on or today()
        plan.save(update_fields=["hazards", "routes", "reviewed_on", "updated_at"])
    plan.shelters.set(shelters)
    _new_version(plan, actor, bump=not created)
    audit.record(actor=actor, action="safety.plan_saved", obj=plan, detail={"version": plan.version})
    return plan


@transaction.atomic
def set_plan_role(*, actor: User, plan: EmergencyPlan, role: str, user: User | None = None,
                  officer: DisasterOfficer | None = None) -> PlanRole:
    require_scope(actor, plan.unit_id)
    if role not in PlanRoleKind.values:
        raise ValidationError({"role": ["请选择职责。"]})
    if officer is not None and (officer.unit_id != plan.unit_id or officer.ended_on is not None):
        raise ValidationError({"officer": ["所选灾害信息员不在本村（社区）任职。"]})
    _worker_of(user, plan.unit_id, "user")
    row, _ = PlanRole.objects.update_or_create(plan=plan, role=role, defaults={"user": user, "officer": officer})
    _new_version(plan, actor)
    audit.record(actor=actor, action="safety.plan_role_set", obj=plan, detail={"role": role, "filled": row.filled})
    return row


@transaction.atomic
def set_evacuation_need(*, actor: User, resident: Resident, reason: str, helper: User | None = None) -> EvacuationNeed:
    """A resident who needs help to evacuate, with the worker responsible (may be left empty: shown as a gap)."""
    require_scope(actor, resident.unit_id, "resident")
    if reason not in NeedReason.values:
        raise ValidationError({"reason": ["请选择需协助转移的原因。"]})
    if resident.status != Resident.Status.PRESENT:
        raise ValidationError({"resident": ["该居民已不在本村（社区）。"]})
    _worker_of(helper, resident.unit_id, "helper")
    need, _ = EvacuationNeed.objects.update_or_create(resident=resident, defaults={
        "unit_id": resident.unit_id, "reason": reason, "helper": helper})
    audit.record(actor=actor, action="safety.evacuation_need_set", obj=need, detail={"helper": helper.pk if helper else None})
    return need


@transaction.atomic
def add_asset(*, actor: User, plan: EmergencyPlan, name: str, quantity: int = 1, checked_on: dt.date | None = None) -> PlanAsset:
    require_scope(actor, plan.unit_id)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["请填写装备物资名称。"]
    if not 1 <= quantity <= 100000:
        errors["quantity"] = ["数量须在 1 至 100000 之间。"]
    try:
        check_date(checked_on, label="检查日期", past=True)
    except ValidationError as exc:
        errors["checked_on"] = exc.messages
    _raise(errors)
    asset = PlanAsset.objects.create(plan=plan, name=name.strip()[:60], quantity=quantity, checked_on=checked_on)
    _new_version(plan, actor)
    audit.record(actor=actor, action="safety.asset_added", obj=plan, detail={"asset": asset.pk})
    return asset


# ---- Warnings ------------------------------------------------------------------------------

def _area_units(actor: User, codes: list[str]) -> list[OrgUnit]:
    codes = [c.strip() for c in codes if c and c.strip()]
    if not codes:
        raise ValidationError({"area": ["请填写预警范围（区划代码）。"]})
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in units]
    if unknown:
        raise ValidationError({"area": [f"区划代码不存在：{'、'.join(unknown[:5])}"]})
    outside = [c for c in codes if not can_see_unit(actor, c)]
    if outside:
        raise ValidationError({"area": [f"预警范围超出您的管辖范围：{'、'.join(outside[:5])}"]})
    # A unit inside another area unit is already reached: keep the outermost ones, once each.
    chosen = sorted(units.values(), key=lambda u: len(u.prefix))
    kept: list[OrgUnit] = []
    for unit in chosen:
        if not any(unit.code.startswith(k.prefix) for k in kept):
            kept.append(unit)
    return kept


@transaction.atomic
def issue_warning(*, actor: User, kind: str, level: str, title: str, body: str, issuer: str, area: list[str],
                  valid_from: dt.datetime | None = None, valid_until: dt.datetime | None = None,
                  source: str = "form") -> Warning:
    """预警发布: the vulnerable first (personal-call tasks to their responsible workers), then one care notice per area
    unit to every worker, disaster officer and opted-in resident there."""
    errors: dict[str, list[str]] = {}
    if actor.role not in WARNING_SENDER_ROLES or scope_prefix(actor) is None:
        raise ValidationError({"area": ["只有市、县、乡镇（街道）工作人员可以发布预警。"]})
    if kind not in NoticeKind.values:
        errors["kind"] = ["请选择预警类别。"]
    if level not in Level.values:
        errors["level"] = ["请选择预警等级（蓝/黄/橙/红）。"]
    if not title.strip():
        errors["title"] = ["请填写标题。"]
    if not body.strip():
        errors["body"] = ["请填写预警内容。"]
    if not issuer.strip():
        errors["issuer"] = ["请填写发布单位（如 市应急管理局、市气象台）。"]
    now = timezone.now()
    valid_from = valid_from or now
    valid_until = valid_until or valid_from + dt.timedelta(hours=24)
    if valid_until <= valid_from:
        errors["valid_until"] = ["截止时间须晚于生效时间。"]
    elif valid_until <= now:
        errors["valid_until"] = ["该预警已过期。"]
    try:
        units = _area_units(actor, area)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        units = []
    _raise(errors)
    warning = Warning.objects.create(kind=kind, level=level, title=title.strip()[:100], body=body.strip(),
                                     issuer=issuer.strip()[:60], source=source, valid_from=valid_from,
                                     valid_until=valid_until, sender=actor, entered_at=now)
    # The vulnerable first: their call tasks are written and their workers told before the broadcast is queued.
    calls = _call_tasks(warning, units)
    level_label = Level(level).label
    notice_title = f"【{level_label}预警】{warning.title}"[:100]
    total = 0
    for unit in units:
        notice = care_services.send_notice(actor=actor, unit_code=unit.code, kind=kind, title=notice_title, body=warning.body)
        WarningArea.objects.create(warning=warning, unit=unit, notice=notice)
        total += notice.recipient_count
    warning.recipient_count = total
    warning.save(update_fields=["recipient_count"])
    transaction.on_commit(lambda: _stamp_later(warning.pk))
    audit.record(actor=actor, action="safety.warning_issued", obj=warning, unit_code=units[0].code if len(units) == 1 else "",
                 detail={"area": [u.code for u in units], "recipients": total, "calls": calls})
    return warning


def _call_tasks(warning: Warning, units: list[OrgUnit]) -> int:
    from django.db.models import Q

    from web.notify import notify_users

    area = Q()
    for unit in units:
        area |= within("unit_id", unit.prefix)
    needs = EvacuationNeed.objects.filter(area, resident__status=Resident.Status.PRESENT)
    rows = [CallTask(warning=warning, unit_id=code, resident_id=rid, worker_id=helper)
            for rid, code, helper in needs.values_list("resident_id", "unit_id", "helper_id")]
    CallTask.objects.bulk_create(rows, batch_size=5000)
    workers = {r.worker_id for r in rows if r.worker_id}
    if workers:
        transaction.on_commit(lambda: notify_users(
            User.objects.filter(pk__in=workers), f"【{Level(warning.level).label}预警】请逐一电话或上门通知需协助转移的居民",
            warning.title, url=f"/safety/calls/?warning={warning.pk}", kind="safety.calls"))
    return len(rows)


def _stamp_later(warning_id: int) -> None:
    from safety.tasks import stamp_delivered

    stamp_delivered.enqueue(warning_id)


def stamp_delivered(warning_id: int) -> None:
    """Queued after the notices' deliveries: the time the last message went out."""
    Warning.objects.filter(pk=warning_id).update(delivered_at=timezone.now())


@transaction.atomic
def escalate_warning(*, actor: User, warning: Warning) -> int:
    """Resend to everyone who has not acknowledged, and tell each affected township's staff who is still missing."""
    if actor.role not in WARNING_SENDER_ROLES:
        raise ValidationError("只有市、县、乡镇（街道）工作人员可以催办预警。")
    areas = list(warning.areas.select_related("notice", "unit"))
    if not areas or not all(can_see_unit(actor, a.unit_id) for a in areas):
        raise ValidationError("该预警不在您的管辖范围内。")
    from care.models import NoticeRecipient
    from web.notify import notify_users

    count = 0
    for area in areas:
        count += care_services.resend_notice(actor=actor, notice=area.notice)
    townships = set(NoticeRecipient.objects.filter(notice__safety_area__warning=warning, acknowledged_at__isnull=True)
                    .values_list("unit_code", flat=True))
    township_codes = {code[:9] + "000" for code in townships}
    staff = User.objects.filter(role=Role.TOWNSHIP_STAFF, is_active=True, unit_id__in=township_codes)
    if count:
        transaction.on_commit(lambda: notify_users(staff, f"预警未确认催办：{warning.title}"[:200],
                                                   f"仍有 {count} 人未确认收到，已再次发送。",
                                                   url=f"/safety/warnings/{warning.pk}/", kind="safety.escalation"))
    Warning.objects.filter(pk=warning.pk).update(escalations=F("escalations") + 1)
    audit.record(actor=actor, action="safety.warning_escalated", obj=warning, detail={"resent": count})
    return count


@transaction.atomic
def complete_call(*, actor: User, task: CallTask, outcome: str) -> CallTask:
    require_scope(actor, task.unit_id)
    if not outcome.strip():
        raise ValidationError({"outcome": ["请填写通知结果（如 已电话告知、已协助转移）。"]})
    task.done_at, task.outcome = timezone.now(), outcome.strip()[:100]
    task.save(update_fields=["done_at", "outcome"])
    audit.record(actor=actor, action="safety.call_done", obj=task)
    return task


@transaction.atomic
def add_broadcast_point(*, actor: User, unit_code: str, name: str, operator: str = "") -> BroadcastPoint:
    require_scope(actor, unit_code)
    unit = _village(unit_code)
    if not name.strip():
        raise ValidationError({"name": ["请填写广播点名称。"]})
    point = BroadcastPoint.objects.create(unit=unit, name=name.strip()[:60], operator=operator.strip()[:50])
    audit.record(actor=actor, action="safety.broadcast_added", obj=point)
    return point


# ---- Crowded places ---------------------------------------------------------------------------

@transaction.atomic
def add_place(*, actor: User, unit_code: str, name: str, kind: str, capacity: int = 0, responsible: str = "",
              phone: str = "", grid_member: User | None = None) -> CrowdedPlace:
    require_scope(actor, unit_code)
    unit = _village(unit_code)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["请填写场所名称。"]
    elif CrowdedPlace.objects.filter(unit=unit, name=name.strip()).exists():
        errors["name"] = ["本村（社区）已有同名场所。"]
    if kind not in PlaceKind.values:
        errors["kind"] = ["请选择场所类型。"]
    if not responsible.strip():
        errors["responsible"] = ["请填写责任人。"]
    if not 0 <= capacity <= 1_000_000:
        errors["capacity"] = ["容纳人数不正确。"]
    try:
        enc, masked = _phone(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        enc = masked = ""
    try:
        _worker_of(grid_member, unit.code, "grid_member")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _raise(errors)
    place = CrowdedPlace.objects.create(unit=unit, name=name.strip()[:100], kind=kind, capacity=capacity,
                                        responsible=responsible.strip()[:50], phone_enc=enc, phone_masked=masked,
                                        grid_member=grid_member)
    audit.record(actor=actor, action="safety.place_added", obj=place)
    return place


@transaction.atomic
def record_inspection(*, actor: User, place: CrowdedPlace, inspected_on: dt.date | None, findings: str = "",
                      correct_by: dt.date | None = None) -> Inspection:
    """A fire-safety inspection; a finding needs a deadline to correct it."""
    require_scope(actor, place.unit_id)
    errors: dict[str, list[str]] = {}
    if inspected_on is None:
        errors["inspected_on"] = ["请填写检查日期。"]
    else:
        try:
            check_date(inspected_on, label="检查日期", past=True)
        except ValidationError as exc:
            errors["inspected_on"] = exc.messages
    findings = findings.strip()
    if findings and correct_by is None:
        errors["correct_by"] = ["发现问题须填写整改期限。"]
    elif correct_by is not None and inspected_on is not None and correct_by < inspected_on:
        errors["correct_by"] = ["整改期限不能早于检查日期。"]
    elif correct_by is not None and not findings:
        errors["findings"] = ["填写了整改期限，请写明发现的问题。"]
    _raise(errors)
    assert inspected_on is not None
    row = Inspection.objects.create(place=place, inspected_on=inspected_on, inspector=actor, findings=findings,
                                    correct_by=correct_by)
    audit.record(actor=actor, action="safety.inspection_recorded", obj=row, unit_code=place.unit_id)
    return row


@transaction.atomic
def record_correction(*, actor: User, inspection: Inspection, on: dt.date | None = None) -> Inspection:
    """复查合格: the re-inspection found the problem corrected."""
    require_scope(actor, inspection.place.unit_id)
    if not inspection.findings:
        raise ValidationError("该次检查没有需要整改的问题。")
    if inspection.corrected_on is not None:
        raise ValidationError("该问题已复查合格。")
    on = on or today()
    check_date(on, label="复查日期", past=True)
    if on < inspection.inspected_on:
        raise ValidationError("复查日期不能早于检查日期。")
    inspection.corrected_on = on
    inspection.save(update_fields=["corrected_on"])
    audit.record(actor=actor, action="safety.inspection_corrected", obj=inspection, unit_code=inspection.place.unit_id)
    return inspection


@transaction.atomic
def escalate_overdue(*, on: dt.date | None = None, actor: User | None = None) -> int:
    """Daily: corrections past their deadline go to the township's staff (once each)."""
    from web.notify import notify_users

    on = on or today()
    overdue = list(Inspection.objects.filter(corrected_on__isnull=True, correct_by__lt=on, escalated_at__isnull=True)
                   .select_related("place"))
    by_township: dict[str, list[Inspection]] = {}
    for row in overdue:
        by_township.setdefault(row.place.unit_id[:9] + "000", []).append(row)
    for code, rows in by_township.items():
        names = "、".join(r.place.name for r in rows[:10])
        notify_users(User.objects.filter(role=Role.TOWNSHIP_STAFF, unit_id=code, is_active=True),  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
                     f"消防隐患整改逾期 {len(rows)} 处", names, url="/safety/places/?overdue=1", kind="safety.overdue")
    Inspection.objects.filter(pk__in=[r.pk for r in overdue]).update(escalated_at=timezone.now())
    if overdue:
        audit.record(actor=actor, action="safety.overdue_escalated", unit_code=_changed_unit([r.place.unit_id for r in overdue]),
                     detail={"inspections": len(overdue)}, username="safety_daily")
    return len(overdue)


def _changed_unit(codes: list[str]) -> str:
    """The one unit changed, or the city when several were (how planning knows what to refresh)."""
    return codes[0] if len(set(codes)) == 1 else "131100000000"


# ---- Community police ------------------------------------------------------------------------------

@transaction.atomic
def add_police_post(*, actor: User, unit_code: str, role: str, name: str, phone: str = "", office_id: int | None = None,
                    co_located: bool = False, hours: str = "", started_on: dt.date | None = None) -> PolicePost:
    from facilities.models import Facility

    require_scope(actor, unit_code)
    unit = _village(unit_code)
    errors: dict[str, list[str]] = {}
    if role not in PoliceRole.values:
        errors["role"] = ["请选择社区民警或辅警。"]
    if not name.strip():
        errors["name"] = ["请填写姓名。"]
    try:
        enc, masked = _phone(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        enc = masked = ""
    office = None
    if office_id:
        office = Facility.objects.filter(pk=office_id, unit__code__startswith=unit.code[:9]).first()
        if office is None:
            errors["office_id"] = ["警务室须是本乡镇（街道）的设施。"]
    try:
        check_date(started_on, label="到岗日期", past=True)
    except ValidationError as exc:
        errors["started_on"] = exc.messages
    _raise(errors)
    post = PolicePost.objects.create(unit=unit, role=role, name=name.strip()[:50], phone_enc=enc, phone_masked=masked,
                                     office=office, co_located=co_located, hours=hours.strip()[:60],
                                     started_on=started_on or today())
    audit.record(actor=actor, action="safety.police_added", obj=post)
    return post


# ---- Help plans (restricted) --------------------------------------------------------------------------

def require_help_right(actor: Any, unit_code: str) -> None:
    if not can_see_restricted_tags(actor) or not can_see_unit(actor, unit_code):
        raise ValidationError("您没有查看或编辑帮扶记录的权限。")


@transaction.atomic
def create_help_plan(*, actor: User, resident: Resident, group: str, worker: User | None = None,
                     justice_officer: str = "", family: str = "", volunteers: str = "", guardian: str = "",
                     doctor: str = "", police: str = "", needs: list[str] | None = None,
                     started_on: dt.date | None = None) -> HelpPlan:
    """帮扶/帮教 plan for a resident carrying the group's restricted tag; someone must be responsible."""
    require_help_right(actor, resident.unit_id)
    errors: dict[str, list[str]] = {}
    if group not in HelpGroup.values:
        errors["group"] = ["请选择帮扶类别。"]
    elif not resident.tags.filter(tag=group).exists():
        errors["group"] = ["该居民未登记为此类人员。"]
    elif HelpPlan.objects.filter(resident=resident, group=group, closed_on__isnull=True).exists():
        errors["group"] = ["该居民已有进行中的帮扶计划。"]
    try:
        _worker_of(worker, resident.unit_id, "worker")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    responsible = [worker, justice_officer.strip(), doctor.strip(), guardian.strip()]
    if not any(responsible):
        errors["worker"] = ["请至少指定一名责任人（社区工作人员、司法所工作人员、社区医生或监护人）。"]
    if group in (HelpGroup.CORRECTIONS, HelpGroup.RELEASED) and not justice_officer.strip():
        errors["justice_officer"] = ["社区矫正、刑满释放人员的帮教须有司法所工作人员。"]
    if group == HelpGroup.MENTAL and not (guardian.strip() and doctor.strip()):
        errors["guardian"] = ["严重精神障碍患者须有监护人和社区医生。"]
    bad = [n for n in needs or [] if n not in dict(NEEDS)]
    if bad:
        errors["needs"] = ["需求选项不正确。"]
    try:
        check_date(started_on, label="开始日期", past=True)
    except ValidationError as exc:
        errors["started_on"] = exc.messages
    _raise(errors)
    plan = HelpPlan.objects.create(unit_id=resident.unit_id, resident=resident, group=group, worker=worker,
                                   justice_officer=justice_officer.strip()[:50], family=family.strip()[:50],
                                   volunteers=volunteers.strip()[:100], guardian=guardian.strip()[:50],
                                   doctor=doctor.strip()[:50], police=police.strip()[:50], needs=list(needs or []),
                                   started_on=started_on or today())
    audit.record(actor=actor, action="safety.help_plan_created", obj=plan)
    return plan


@transaction.atomic
def record_help_contact(*, actor: User, plan: HelpPlan, contacted_on: dt.date | None, method: str = "home",
                        note: str = "") -> HelpContact:
    require_help_right(actor, plan.unit_id)
    if contacted_on is None:
        raise ValidationError({"contacted_on": ["请填写联系日期。"]})
    check_date(contacted_on, label="联系日期", past=True)
    if contacted_on < plan.started_on:
        raise ValidationError({"contacted_on": ["联系日期不能早于帮扶开始日期。"]})
    if method not in ("home", "phone", "office"):
        raise ValidationError({"method": ["请选择联系方式。"]})
    row = HelpContact.objects.create(plan=plan, contacted_on=contacted_on, by=actor, method=method, note=note.strip())
    audit.record(actor=actor, action="safety.help_contact", obj=plan)
    return row


def open_help_plan(*, actor: User, plan: HelpPlan, reason: str) -> None:
    """Every opening of a help plan is audit-logged with the reason the user gave."""
    require_help_right(actor, plan.unit_id)
    if len(reason.strip()) < 2:
        raise ValidationError({"reason": ["请说明查看理由。"]})
    audit.record(actor=actor, action="safety.help_plan_opened", obj=plan, detail={"reason": reason.strip()[:200]})

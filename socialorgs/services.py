"""Every write of the social-forces module: validated, all-or-nothing, audit-logged (accounts.audit.record).

A refused write raises ValidationError with a Chinese message (per field where there is one) and changes nothing.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.roles import Role
from accounts.scoping import can_see_unit, scope_prefix
from places.models import OrgUnit
from shequ import inputs
from socialorgs import creditcode
from socialorgs.models import (
    MIN_MEMBERS,
    AnnualReport,
    Application,
    Case,
    CommunityCategory,
    Deliverable,
    Disbursement,
    Donation,
    FilingApplication,
    Incubation,
    IncubationBase,
    Milestone,
    Organisation,
    OrgKind,
    OrgStatus,
    Payment,
    Purchase,
    ServiceRecord,
    Session,
    SocialWorker,
    Staff,
)


def _today() -> dt.date:
    return timezone.localdate()


def _require(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _unit(actor: Any, code: str, *, levels: tuple[str, ...], field: str = "unit_code") -> OrgUnit:
    unit = OrgUnit.objects.filter(code=str(code or "").strip()).first()
    if unit is None:
        raise ValidationError({field: ["区划代码不存在（应为12位统计用区划代码）"]})
    if actor is not None and not can_see_unit(actor, unit.code):
        raise ValidationError({field: ["不在您的管辖范围内"]})
    if unit.level not in levels:
        names = {"village": "村（社区）", "township": "乡镇（街道）", "county": "县（市、区）", "city": "市"}
        raise ValidationError({field: ["请填写" + "或".join(names[x] for x in levels) + "一级的单位"]})
    return unit


def _staff_actor(actor: Any) -> None:
    if scope_prefix(actor) is None:
        raise ValidationError("只有属地工作人员可以办理此事项。")


def _date(errors: dict[str, list[str]], field: str, value: Any, label: str, **limits: Any) -> None:
    message = inputs.date_error(value, label=label, **limits)
    if message:
        errors.setdefault(field, []).append(message)


def _money(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{label}不是有效的金额。") from exc
    if amount <= 0 or amount >= Decimal("1e10"):
        raise ValidationError(f"{label}应大于 0 且小于 100 亿元。")
    return amount


# ---------------------------------------------------------------- organisations


def check_organisation(data: dict[str, Any], *, exclude_pk: int | None = None) -> dict[str, list[str]]:
    """Every problem of an organisation's fields (the form and the importer share it)."""
    errors: dict[str, list[str]] = {}
    name = str(data.get("name", "")).strip()
    if not name:
        errors["name"] = ["请填写名称。"]
    if data.get("kind") not in OrgKind.values:
        errors["kind"] = ["类型应为社会团体、社会服务机构（民办非企业单位）或基金会。"]
    if data.get("community_category", "") not in ["", *CommunityCategory.values]:
        errors["community_category"] = ["社区社会组织类别不在四类之中。"]
    status = data.get("status")
    code = str(data.get("credit_code", "") or "").strip().upper()
    if status not in OrgStatus.values:
        errors["status"] = ["请选择登记或备案。"]
    elif status == OrgStatus.REGISTERED and not code:
        errors["credit_code"] = ["登记的社会组织必须填写统一社会信用代码。"]
    if code:
        problem = creditcode.problem(code)
        if problem:
            errors["credit_code"] = [problem]
        elif Organisation.objects.filter(credit_code=code).exclude(pk=exclude_pk or 0).exists():
            errors["credit_code"] = ["该统一社会信用代码已被其他组织使用。"]
    if not data.get("registered_on"):
        errors["registered_on"] = ["请填写登记备案日期。"]
    _date(errors, "registered_on", data.get("registered_on"), "登记备案日期", past=True)
    dissolved = data.get("dissolved_on")
    if dissolved:
        _date(errors, "dissolved_on", dissolved, "注销日期", past=True)
        if data.get("registered_on") and dissolved < data["registered_on"]:
            errors.setdefault("dissolved_on", []).append("注销日期不能早于登记备案日期。")
    for field, label in (("full_time_staff", "专职人员数"), ("part_time_staff", "兼职人员数")):
        value = data.get(field, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > inputs.MAX_PEOPLE:
            errors[field] = [f"{label}应为 0 到 {inputs.MAX_PEOPLE} 之间的整数。"]
    unit_code = str(data.get("unit_code", ""))
    if name and len(unit_code) == 12:
        township = unit_code[:9] + "000"
        if Organisation.objects.filter(township_code=township, name=name).exclude(pk=exclude_pk or 0).exists():
            errors.setdefault("name", []).append("本乡镇（街道）已有同名社会组织。")
    return errors


ORG_FIELDS = ("name", "kind", "community_category", "status", "credit_code", "registered_on", "dissolved_on",
              "contact_name", "contact_phone", "services", "full_time_staff", "part_time_staff")


@transaction.atomic
def register_organisation(*, actor: Any, data: dict[str, Any]) -> Organisation:
    """登记 or 备案 an organisation at a township or community (county and city for registered ones too)."""
    _staff_actor(actor)
    unit = _unit(actor, data.get("unit_code", ""), levels=("village", "township", "county", "city"))
    errors = check_organisation({**data, "unit_code": unit.code})
    _require(errors)
    values = {f: data.get(f) for f in ORG_FIELDS if f in data}
    values["credit_code"] = str(values.get("credit_code") or "").strip().upper()
    values["name"] = str(values["name"]).strip()
    org = Organisation.objects.create(unit=unit, **{k: v if v is not None or k == "dissolved_on" else ""
                                                    for k, v in values.items()})
    audit.record(actor=actor, action="socialorgs.register", obj=org,
                 detail={"name": org.name, "status": org.status, "credit_code": org.credit_code})
    return org


@transaction.atomic
def update_organisation(*, actor: Any, org: Organisation, data: dict[str, Any]) -> Organisation:
    _staff_actor(actor)
    if not can_see_unit(actor, org.unit_id):
        raise ValidationError("您无权修改该组织。")
    merged = {f: getattr(org, f) for f in ORG_FIELDS} | data
    _require(check_organisation({**merged, "unit_code": org.unit_id}, exclude_pk=org.pk))
    for field in ORG_FIELDS:
        if field in data:
            value = data[field]
            setattr(org, field, "" if value is None and field != "dissolved_on" else value)
    org.credit_code = org.credit_code.strip().upper()
    org.save()
    audit.record(actor=actor, action="socialorgs.update", obj=org, detail={"fields": sorted(data)})
    return org


@transaction.atomic
def dissolve(*, actor: Any, org: Organisation, on: dt.date) -> Organisation:
    _staff_actor(actor)
    if not can_see_unit(actor, org.unit_id):
        raise ValidationError("您无权注销该组织。")
    if org.dissolved_on:
        raise ValidationError(f"该组织已于 {org.dissolved_on} 注销。")
    errors: dict[str, list[str]] = {}
    _date(errors, "dissolved_on", on, "注销日期", past=True)
    if not errors and on < org.registered_on:
        errors["dissolved_on"] = ["注销日期不能早于登记备案日期。"]
    _require(errors)
    org.dissolved_on = on
    org.save(update_fields=["dissolved_on"])
    audit.record(actor=actor, action="socialorgs.dissolve", obj=org, detail={"on": on.isoformat()})
    return org


@transaction.atomic
def add_staff(*, actor: Any, org: Organisation, name: str, full_time: bool, qualification: str,
              joined_on: dt.date) -> Staff:
    _staff_actor(actor)
    if not can_see_unit(actor, org.unit_id):
        raise ValidationError("您无权修改该组织。")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["请填写姓名。"]
    if qualification not in ["", "assistant", "social_worker", "senior"]:
        errors["qualification"] = ["职业资格不在可选范围内。"]
    _date(errors, "joined_on", joined_on, "入职日期", past=True)
    _require(errors)
    row = Staff.objects.create(organisation=org, name=name.strip(), full_time=full_time, qualification=qualification,
                               joined_on=joined_on)
    audit.record(actor=actor, action="socialorgs.add_staff", obj=row, unit_code=org.unit_id,
                 detail={"organisation": org.pk, "full_time": full_time})
    return row


@transaction.atomic
def record_annual_report(*, actor: Any, org: Organisation, year: int, result: str,
                         submitted_on: dt.date) -> AnnualReport:
    _staff_actor(actor)
    if not can_see_unit(actor, org.unit_id):
        raise ValidationError("您无权修改该组织。")
    errors: dict[str, list[str]] = {}
    if result not in AnnualReport.Result.values:
        errors["result"] = ["结论应为合格、基本合格或不合格。"]
    if not 2000 <= year <= _today().year:
        errors["year"] = ["年度不在有效范围内。"]
    _date(errors, "submitted_on", submitted_on, "报送日期", past=True)
    if AnnualReport.objects.filter(organisation=org, year=year).exists():
        errors.setdefault("year", []).append(f"{year} 年度的报告已登记。")
    _require(errors)
    row = AnnualReport.objects.create(organisation=org, year=year, result=result, submitted_on=submitted_on)
    audit.record(actor=actor, action="socialorgs.annual_report", obj=row, unit_code=org.unit_id,
                 detail={"year": year, "result": result})
    return row


# ---------------------------------------------------------------- 备案 workflow


@transaction.atomic
def apply_for_filing(*, actor: Any, data: dict[str, Any]) -> FilingApplication:
    """A community organisation applies at its supervising community (entered by the community's worker)."""
    _staff_actor(actor)
    unit = _unit(actor, data.get("unit_code", ""), levels=("village",))
    errors: dict[str, list[str]] = {}
    for field, label in (("name", "组织名称"), ("founders", "发起人"), ("charter", "章程"),
                         ("responsible_name", "负责人")):
        if not str(data.get(field, "")).strip():
            errors[field] = [f"请填写{label}。"]
    if data.get("category") not in CommunityCategory.values:
        errors["category"] = ["请选择社区社会组织类别。"]
    members = data.get("members")
    if not isinstance(members, int) or members < MIN_MEMBERS or members > inputs.MAX_PEOPLE:
        errors["members"] = [f"成员数不少于 {MIN_MEMBERS} 人（本市最低要求）。"]
    name = str(data.get("name", "")).strip()
    if name and Organisation.objects.filter(township_code=unit.code[:9] + "000", name=name).exists():
        errors.setdefault("name", []).append("本乡镇（街道）已有同名社会组织。")
    _require(errors)
    row = FilingApplication.objects.create(
        unit=unit, name=name, category=data["category"], founders=data["founders"].strip(), members=int(members or 0),
        charter=data["charter"].strip(), responsible_name=data["responsible_name"].strip(),
        contact_phone=str(data.get("contact_phone", "")).strip(), services=str(data.get("services", "")).strip())
    audit.record(actor=actor, action="socialorgs.filing_apply", obj=row, detail={"name": row.name})
    return row


def _township_reviewer(actor: Any, unit_code: str) -> None:
    if getattr(actor, "role", "") not in (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.CITY_STAFF) or not can_see_unit(
            actor, unit_code):
        raise ValidationError("备案由乡镇（街道）审核。")


@transaction.atomic
def file_application(*, actor: Any, application: FilingApplication) -> Organisation:
    _township_reviewer(actor, application.unit_id)
    if application.state != FilingApplication.State.SUBMITTED:
        raise ValidationError(f"该申请{application.get_state_display()}，不能再审核。")
    org = register_organisation(actor=actor, data={
        "unit_code": application.unit_id, "name": application.name, "kind": OrgKind.SOCIAL_GROUP,
        "community_category": application.category, "status": OrgStatus.FILED, "registered_on": _today(),
        "contact_name": application.responsible_name, "contact_phone": application.contact_phone,
        "services": application.services})
    application.state, application.organisation = FilingApplication.State.FILED, org
    application.reviewed_by, application.reviewed_on = actor, _today()
    application.save()
    audit.record(actor=actor, action="socialorgs.filing_file", obj=application, detail={"organisation": org.pk})
    return org


@transaction.atomic
def return_application(*, actor: Any, application: FilingApplication, reason: str) -> FilingApplication:
    _township_reviewer(actor, application.unit_id)
    if application.state != FilingApplication.State.SUBMITTED:
        raise ValidationError(f"该申请{application.get_state_display()}，不能再审核。")
    if not reason.strip():
        raise ValidationError({"reason": ["请填写退回理由。"]})
    application.state, application.reason = FilingApplication.State.RETURNED, reason.strip()[:300]
    application.reviewed_by, application.reviewed_on = actor, _today()
    application.save()
    audit.record(actor=actor, action="socialorgs.filing_return", obj=application, detail={"reason": reason})
    return application


# ---------------------------------------------------------------- incubation


@transaction.atomic
def open_base(*, actor: Any, data: dict[str, Any]) -> IncubationBase:
    _staff_actor(actor)
    unit = _unit(actor, data.get("unit_code", ""), levels=("county", "city"))
    errors: dict[str, list[str]] = {}
    if not str(data.get("name", "")).strip():
        errors["name"] = ["请填写基地名称。"]
    _date(errors, "opened_on", data.get("opened_on"), "投入运营日期", past=True)
    capacity = data.get("capacity", 0)
    if not isinstance(capacity, int) or not 0 <= capacity <= 10_000:
        errors["capacity"] = ["可入驻组织数应为 0 到 10000 之间的整数。"]
    _require(errors)
    base = IncubationBase.objects.create(unit=unit, name=data["name"].strip(), capacity=capacity,
                                         services=str(data.get("services", "")).strip(),
                                         operator=data.get("operator"), facility=data.get("facility"),
                                         opened_on=data["opened_on"])
    audit.record(actor=actor, action="socialorgs.base_open", obj=base, detail={"name": base.name})
    return base


@transaction.atomic
def close_base(*, actor: Any, base: IncubationBase, on: dt.date) -> IncubationBase:
    _staff_actor(actor)
    if not can_see_unit(actor, base.unit_id):
        raise ValidationError("您无权修改该基地。")
    if base.closed_on:
        raise ValidationError("该基地已停止运营。")
    errors: dict[str, list[str]] = {}
    _date(errors, "closed_on", on, "停止运营日期", past=True)
    if not errors and on <= base.opened_on:
        errors["closed_on"] = ["停止运营日期应晚于投入运营日期。"]
    _require(errors)
    base.closed_on = on
    base.save(update_fields=["closed_on"])
    audit.record(actor=actor, action="socialorgs.base_close", obj=base, detail={"on": on.isoformat()})
    return base


@transaction.atomic
def enter_incubation(*, actor: Any, base: IncubationBase, org: Organisation, on: dt.date) -> Incubation:
    _staff_actor(actor)
    if not can_see_unit(actor, base.unit_id):
        raise ValidationError("您无权修改该基地。")
    errors: dict[str, list[str]] = {}
    _date(errors, "entered_on", on, "入驻日期", past=True)
    if base.incubations.filter(organisation=org, left_on__isnull=True).exists():
        errors["organisation"] = ["该组织已在本基地孵化中。"]
    if base.capacity and base.incubations.filter(left_on__isnull=True).count() >= base.capacity:
        errors.setdefault("organisation", []).append(f"基地已满（可入驻 {base.capacity} 家）。")
    _require(errors)
    row = Incubation.objects.create(base=base, organisation=org, entered_on=on)
    audit.record(actor=actor, action="socialorgs.incubation_enter", obj=row, unit_code=base.unit_id,
                 detail={"organisation": org.pk})
    return row


@transaction.atomic
def leave_incubation(*, actor: Any, incubation: Incubation, on: dt.date, outcome: str) -> Incubation:
    _staff_actor(actor)
    if not can_see_unit(actor, incubation.base.unit_id):
        raise ValidationError("您无权修改该基地。")
    if incubation.left_on:
        raise ValidationError("该组织已出壳。")
    errors: dict[str, list[str]] = {}
    if outcome not in Incubation.Outcome.values:
        errors["outcome"] = ["请选择出壳结果。"]
    _date(errors, "left_on", on, "出壳日期", past=True)
    if not errors and on < incubation.entered_on:
        errors["left_on"] = ["出壳日期不能早于入驻日期。"]
    _require(errors)
    incubation.left_on, incubation.outcome = on, outcome
    incubation.save()
    audit.record(actor=actor, action="socialorgs.incubation_leave", obj=incubation, unit_code=incubation.base.unit_id,
                 detail={"outcome": outcome})
    return incubation


# ---------------------------------------------------------------- social work


@transaction.atomic
def add_social_worker(*, actor: Any, station: Any, name: str, level: str, certificate_no: str,
                      joined_on: dt.date, organisation: Organisation | None = None) -> SocialWorker:
    _staff_actor(actor)
    if not can_see_unit(actor, station.unit_id):
        raise ValidationError("您无权修改该站点。")
    errors: dict[str, list[str]] = {}
    if station.kind != "social_work" and not station.services.filter(service="social_work_room").exists():
        errors["station"] = ["请选择社会工作服务站，或设有社会工作室的设施。"]
    if not name.strip():
        errors["name"] = ["请填写姓名。"]
    if level not in SocialWorker.Level.values:
        errors["level"] = ["职业资格应为助理社会工作师、社会工作师或高级社会工作师。"]
    if not certificate_no.strip():
        errors["certificate_no"] = ["请填写证书编号。"]
    elif SocialWorker.objects.filter(certificate_no=certificate_no.strip()).exists():
        errors["certificate_no"] = ["该证书编号已登记。"]
    _date(errors, "joined_on", joined_on, "到岗日期", past=True)
    _require(errors)
    worker = SocialWorker.objects.create(unit_id=station.unit_id, station=station, name=name.strip(), level=level,
                                         certificate_no=certificate_no.strip(), joined_on=joined_on,
                                         organisation=organisation)
    audit.record(actor=actor, action="socialorgs.worker_add", obj=worker, detail={"station": station.pk})
    return worker


@transaction.atomic
def open_case(*, actor: Any, worker: SocialWorker, kind: str, title: str, opened_on: dt.date,
              client: Any = None, notes: str = "") -> Case:
    _staff_actor(actor)
    if not can_see_unit(actor, worker.unit_id):
        raise ValidationError("您无权为该社会工作者建档。")
    errors: dict[str, list[str]] = {}
    if kind not in Case.Kind.values:
        errors["kind"] = ["请选择个案工作、小组工作或社区工作。"]
    if client is not None and not can_see_unit(actor, client.unit_id):
        errors["client"] = ["案主不在您的管辖范围内。"]
    if client is None and not title.strip():
        errors["title"] = ["请填写案主或小组名称。"]
    _date(errors, "opened_on", opened_on, "接案日期", past=True)
    _require(errors)
    from people.masking import mask_name

    unit_id = client.unit_id if client is not None else worker.unit_id
    case = Case.objects.create(unit_id=unit_id, worker=worker, organisation=worker.organisation, kind=kind,
                               title=mask_name(client.name) if client is not None else title.strip(),
                               client=client, opened_on=opened_on, notes=notes)
    audit.record(actor=actor, action="socialorgs.case_open", obj=case, detail={"kind": kind})
    return case


NEXT_STAGE = {Case.Stage.OPEN: Case.Stage.ASSESSED, Case.Stage.ASSESSED: Case.Stage.PLANNED,
              Case.Stage.PLANNED: Case.Stage.CLOSED}


@transaction.atomic
def advance_case(*, actor: Any, case: Case, text: str, on: dt.date | None = None) -> Case:
    """Record the next step: the assessment, then the plan, then the outcome (closing the case)."""
    if not can_see_unit(actor, case.unit_id):
        raise ValidationError("您无权办理该个案。")
    if case.stage == Case.Stage.CLOSED:
        raise ValidationError("该个案已结案。")
    if not text.strip():
        raise ValidationError({"text": ["请填写内容。"]})
    if case.stage == Case.Stage.PLANNED and not case.sessions.exists():
        raise ValidationError("尚无服务记录，不能结案。")
    target = NEXT_STAGE[Case.Stage(case.stage)]
    field = {Case.Stage.ASSESSED: "assessment", Case.Stage.PLANNED: "plan", Case.Stage.CLOSED: "outcome"}[target]
    setattr(case, field, text.strip()[:300] if field == "outcome" else text.strip())
    if target == Case.Stage.CLOSED:
        closed = on or _today()
        inputs.check_date(closed, label="结案日期", past=True)
        case.closed_on = closed
    case.stage = target
    case.save()
    audit.record(actor=actor, action="socialorgs.case_advance", obj=case, detail={"stage": target})
    return case


@transaction.atomic
def add_session(*, actor: Any, case: Case, held_on: dt.date, minutes: int, summary: str) -> Session:
    if not can_see_unit(actor, case.unit_id):
        raise ValidationError("您无权办理该个案。")
    errors: dict[str, list[str]] = {}
    if case.stage != Case.Stage.PLANNED:
        raise ValidationError("制定服务计划后才能记录服务；已结案的个案不能再记录。")
    _date(errors, "held_on", held_on, "服务日期", past=True)
    if not errors and held_on < case.opened_on:
        errors["held_on"] = ["服务日期不能早于接案日期。"]
    if not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        errors["minutes"] = ["时长应为 1 到 1440 分钟。"]
    if not summary.strip():
        errors["summary"] = ["请填写服务摘要。"]
    _require(errors)
    row = Session.objects.create(case=case, held_on=held_on, minutes=minutes, summary=summary.strip())
    audit.record(actor=actor, action="socialorgs.case_session", obj=row, unit_code=case.unit_id)
    return row


def read_case_notes(*, actor: Any, case: Case) -> str:
    """The sensitive case notes, shown in the clear only here: the opening is audit-logged."""
    if not can_see_unit(actor, case.unit_id):
        raise ValidationError("您无权查看该个案记录。")
    audit.record(actor=actor, action="socialorgs.case_notes_view", obj=case, detail={"case": case.pk})
    return case.notes


# ---------------------------------------------------------------- government purchase of services


def _purchase_staff(actor: Any, purchase: Purchase) -> None:
    if can_see_unit(actor, purchase.unit_id):
        return
    if getattr(actor, "department_id", None) and purchase.department_id == actor.department_id:
        return
    raise ValidationError("您无权办理该购买服务项目。")


def _step(purchase: Purchase, expected: str, step: str) -> None:
    if purchase.stage != expected:
        wanted = Purchase.Stage(expected).label
        raise ValidationError(f"不能{step}：项目当前为“{purchase.get_stage_display()}”，应先到“{wanted}”。")


@transaction.atomic
def propose_purchase(*, actor: Any, data: dict[str, Any]) -> Purchase:
    """立项: a need, the target group, the budget line and amount; waits for approval."""
    department = getattr(actor, "department", None) if getattr(actor, "role", "") == Role.DEPARTMENT_STAFF else None
    if department is None:
        _staff_actor(actor)
        unit = _unit(actor, data.get("unit_code", ""), levels=("township", "county", "city"))
    else:
        unit = OrgUnit.objects.get(level=OrgUnit.Level.CITY) if not data.get("unit_code") else _unit(
            None, data["unit_code"], levels=("township", "county", "city"))
    errors: dict[str, list[str]] = {}
    for field, label in (("title", "项目名称"), ("need", "服务需求"), ("target_group", "服务对象"),
                         ("budget_line", "预算科目")):
        if not str(data.get(field, "")).strip():
            errors[field] = [f"请填写{label}。"]
    try:
        amount = _money(data.get("budget_amount"), "预算金额")
    except ValidationError as exc:
        errors["budget_amount"] = exc.messages
    _require(errors)
    purchase = Purchase.objects.create(
        unit=unit, department=department, title=data["title"].strip(), need=data["need"].strip(),
        target_group=data["target_group"].strip(), budget_line=data["budget_line"].strip(), budget_amount=amount,
        proposed_by=actor, proposed_on=_today())
    audit.record(actor=actor, action="socialorgs.purchase_propose", obj=purchase, detail={"amount": str(amount)})
    return purchase


@transaction.atomic
def approve_purchase(*, actor: Any, purchase: Purchase) -> Purchase:
    _purchase_staff(actor, purchase)
    _step(purchase, Purchase.Stage.PROPOSED, "批准立项")
    if purchase.proposed_by_id == actor.pk and getattr(actor, "role", "") == Role.COMMUNITY_WORKER:
        raise ValidationError("立项须由购买部门或乡镇（街道）批准。")
    purchase.stage, purchase.approved_by, purchase.approved_on = Purchase.Stage.APPROVED, actor, _today()
    purchase.save()
    audit.record(actor=actor, action="socialorgs.purchase_approve", obj=purchase)
    return purchase


@transaction.atomic
def publish_purchase(*, actor: Any, purchase: Purchase, notice: str, requirements: str,
                     deadline: dt.date) -> Purchase:
    """信息发布: a public notice with requirements and a deadline."""
    _purchase_staff(actor, purchase)
    _step(purchase, Purchase.Stage.APPROVED, "发布公告")
    errors: dict[str, list[str]] = {}
    if not notice.strip():
        errors["notice"] = ["请填写公告内容。"]
    if not requirements.strip():
        errors["requirements"] = ["请填写承接要求。"]
    if deadline is None or deadline <= _today():
        errors["deadline"] = ["报名截止日期应晚于今天。"]
    else:
        _date(errors, "deadline", deadline, "报名截止日期", latest=inputs.latest_planned())
    _require(errors)
    purchase.notice, purchase.requirements, purchase.deadline = notice.strip(), requirements.strip(), deadline
    purchase.stage, purchase.published_on = Purchase.Stage.PUBLISHED, _today()
    purchase.save()
    audit.record(actor=actor, action="socialorgs.purchase_publish", obj=purchase,
                 detail={"deadline": deadline.isoformat()})
    return purchase


@transaction.atomic
def apply_to_purchase(*, actor: Any, purchase: Purchase, organisation: Organisation, proposal: str) -> Application:
    """承接申请 by an organisation (its own account, or staff entering it)."""
    own = organisation.accounts.filter(pk=getattr(actor, "pk", 0) or 0).exists()
    if not own:
        _purchase_staff(actor, purchase)
    _step(purchase, Purchase.Stage.PUBLISHED, "申请承接")
    if purchase.deadline and _today() > purchase.deadline:
        raise ValidationError(f"报名已于 {purchase.deadline} 截止。")
    if organisation.dissolved_on:
        raise ValidationError("已注销的组织不能申请。")
    if purchase.applications.filter(organisation=organisation).exists():
        raise ValidationError("该组织已申请本项目。")
    if not proposal.strip():
        raise ValidationError({"proposal": ["请填写服务方案摘要。"]})
    row = Application.objects.create(purchase=purchase, organisation=organisation, proposal=proposal.strip()[:300],
                                     submitted_on=_today())
    audit.record(actor=actor, action="socialorgs.purchase_apply", obj=row, unit_code=purchase.unit_id,
                 detail={"organisation": organisation.pk})
    return row


@transaction.atomic
def score_application(*, actor: Any, application: Application, score: Any) -> Application:
    _purchase_staff(actor, application.purchase)
    _step(application.purchase, Purchase.Stage.PUBLISHED, "评审打分")
    try:
        value = Decimal(str(score)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"score": ["评审得分应为 0 到 100 之间的数。"]}) from exc
    if not 0 <= value <= 100:
        raise ValidationError({"score": ["评审得分应为 0 到 100 之间的数。"]})
    application.score = value
    application.save(update_fields=["score"])
    audit.record(actor=actor, action="socialorgs.purchase_score", obj=application,
                 unit_code=application.purchase.unit_id, detail={"score": str(value)})
    return application


@transaction.atomic
def award_purchase(*, actor: Any, purchase: Purchase, application: Application) -> Purchase:
    _purchase_staff(actor, purchase)
    _step(purchase, Purchase.Stage.PUBLISHED, "确定承接方")
    if application.purchase_id != purchase.pk:
        raise ValidationError("该申请不属于本项目。")
    if application.score is None:
        raise ValidationError("请先完成评审打分。")
    purchase.stage, purchase.awarded_to, purchase.awarded_on = Purchase.Stage.AWARDED, application.organisation, _today()
    purchase.save()
    audit.record(actor=actor, action="socialorgs.purchase_award", obj=purchase,
                 detail={"organisation": application.organisation_id, "score": str(application.score)})
    return purchase


@transaction.atomic
def sign_contract(*, actor: Any, purchase: Purchase, amount: Any, start: dt.date, end: dt.date,
                  deliverables: list[tuple[str, int, str]], milestones: list[tuple[str, dt.date, Any]]) -> Purchase:
    """合同: amount, period, deliverables (name, target, measure) and milestones (name, due, amount)."""
    _purchase_staff(actor, purchase)
    _step(purchase, Purchase.Stage.AWARDED, "签订合同")
    errors: dict[str, list[str]] = {}
    try:
        money = _money(amount, "合同金额")
        if money > purchase.budget_amount:
            errors["amount"] = [f"合同金额不能超过预算 {purchase.budget_amount} 元。"]
    except ValidationError as exc:
        errors["amount"] = exc.messages
        money = Decimal(0)
    if not start or not end or end <= start:
        errors["end"] = ["合同结束日期应晚于开始日期。"]
    if not deliverables:
        errors["deliverables"] = ["请至少填写一项可计量的服务产出。"]
    for name, target, measure in deliverables:
        if not name.strip() or not measure.strip() or not isinstance(target, int) or target <= 0:
            errors.setdefault("deliverables", []).append("每项服务产出须有名称、正整数目标数量和计量单位。")
    total = Decimal(0)
    for _name, _due, part in milestones:
        try:
            total += _money(part, "节点拨付金额")
        except ValidationError as exc:
            errors.setdefault("milestones", []).extend(exc.messages)
    if not milestones:
        errors["milestones"] = ["请至少填写一个拨付节点。"]
    elif money and total != money:
        errors.setdefault("milestones", []).append(f"各节点拨付金额合计 {total} 元，应等于合同金额 {money} 元。")
    _require(errors)
    purchase.contract_amount, purchase.contract_start, purchase.contract_end = money, start, end
    purchase.stage, purchase.contracted_on = Purchase.Stage.CONTRACTED, _today()
    purchase.save()
    Deliverable.objects.bulk_create([Deliverable(purchase=purchase, name=n.strip(), target=t, measure=m.strip())
                                     for n, t, m in deliverables])
    Milestone.objects.bulk_create([Milestone(purchase=purchase, name=n, due_on=d, amount=_money(a, "节点拨付金额"))
                                   for n, d, a in milestones])
    audit.record(actor=actor, action="socialorgs.purchase_contract", obj=purchase, detail={"amount": str(money)})
    return purchase


@transaction.atomic
def record_delivery(*, actor: Any, deliverable: Deliverable, quantity: int, done_on: dt.date,
                    note: str = "") -> ServiceRecord:
    purchase = deliverable.purchase
    own = purchase.awarded_to is not None and purchase.awarded_to.accounts.filter(pk=getattr(actor, "pk", 0) or 0).exists()
    if not own:
        _purchase_staff(actor, purchase)
    _step(purchase, Purchase.Stage.CONTRACTED, "记录服务")
    errors: dict[str, list[str]] = {}
    if not isinstance(quantity, int) or not 1 <= quantity <= 1_000_000:
        errors["quantity"] = ["数量应为正整数。"]
    _date(errors, "done_on", done_on, "服务日期", past=True)
    if not errors and purchase.contract_start and done_on < purchase.contract_start:
        errors["done_on"] = ["服务日期早于合同开始日期。"]
    _require(errors)
    row = ServiceRecord.objects.create(deliverable=deliverable, quantity=quantity, done_on=done_on, note=note[:200])
    audit.record(actor=actor, action="socialorgs.purchase_delivery", obj=row, unit_code=purchase.unit_id,
                 detail={"deliverable": deliverable.pk, "quantity": quantity})
    return row


@transaction.atomic
def reach_milestone(*, actor: Any, milestone: Milestone, on: dt.date) -> Milestone:
    _purchase_staff(actor, milestone.purchase)
    _step(milestone.purchase, Purchase.Stage.CONTRACTED, "确认节点")
    if milestone.reached_on:
        raise ValidationError("该节点已确认完成。")
    inputs.check_date(on, label="完成日期", past=True)
    milestone.reached_on = on
    milestone.save(update_fields=["reached_on"])
    audit.record(actor=actor, action="socialorgs.purchase_milestone", obj=milestone,
                 unit_code=milestone.purchase.unit_id)
    return milestone


@transaction.atomic
def release_payment(*, actor: Any, milestone: Milestone, amount: Any, paid_on: dt.date) -> Payment:
    """A payment against a reached milestone; never beyond the milestone's amount or the contract's."""
    purchase = Purchase.objects.select_for_update().get(pk=milestone.purchase_id)
    _purchase_staff(actor, purchase)
    if purchase.stage not in (Purchase.Stage.CONTRACTED, Purchase.Stage.EVALUATED):
        raise ValidationError(f"不能拨付：项目当前为“{purchase.get_stage_display()}”，签订合同后才能拨付。")
    if not milestone.reached_on:
        raise ValidationError(f"节点“{milestone.name}”尚未完成，不能拨付。")
    money = _money(amount, "拨付金额")
    inputs.check_date(paid_on, label="拨付日期", past=True)
    paid_here = sum((p.amount for p in milestone.payments.all()), start=Decimal(0))
    if paid_here + money > milestone.amount:
        raise ValidationError({"amount": [f"超出节点“{milestone.name}”的拨付额度：还可拨付 {milestone.amount - paid_here} 元。"]})
    paid = sum((p.amount for p in purchase.payments.all()), start=Decimal(0))
    if purchase.contract_amount is not None and paid + money > purchase.contract_amount:
        raise ValidationError({"amount": [f"超出合同金额：已拨付 {paid} 元，合同金额 {purchase.contract_amount} 元。"]})
    row = Payment.objects.create(purchase=purchase, milestone=milestone, amount=money, paid_on=paid_on, paid_by=actor)
    audit.record(actor=actor, action="socialorgs.purchase_pay", obj=row, unit_code=purchase.unit_id,
                 detail={"amount": str(money)})
    return row


RESULTS = {"优秀": 90, "良好": 80, "合格": 60}


@transaction.atomic
def evaluate_purchase(*, actor: Any, purchase: Purchase, score: Any, satisfaction: float | None,
                      note: str = "") -> Purchase:
    """绩效评估 against the deliverables; the result (优秀/良好/合格/不合格) is visible to future awards."""
    _purchase_staff(actor, purchase)
    _step(purchase, Purchase.Stage.CONTRACTED, "绩效评估")
    try:
        value = Decimal(str(score)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"score": ["绩效评分应为 0 到 100 之间的数。"]}) from exc
    if not 0 <= value <= 100:
        raise ValidationError({"score": ["绩效评分应为 0 到 100 之间的数。"]})
    if satisfaction is not None and not 0 <= satisfaction <= 1:
        raise ValidationError({"satisfaction": ["满意度应在 0 到 100% 之间。"]})
    purchase.evaluation_score, purchase.satisfaction = value, satisfaction
    purchase.evaluation_result = next((name for name, floor in RESULTS.items() if value >= floor), "不合格")
    purchase.evaluation_note, purchase.evaluated_on = note.strip()[:300], _today()
    purchase.stage = Purchase.Stage.EVALUATED
    purchase.save()
    audit.record(actor=actor, action="socialorgs.purchase_evaluate", obj=purchase,
                 detail={"score": str(value), "result": purchase.evaluation_result})
    return purchase


def track_record(org: Organisation) -> list[Purchase]:
    """An organisation's evaluated purchases: what an award panel sees of it."""
    return list(Purchase.objects.filter(awarded_to=org, stage=Purchase.Stage.EVALUATED).order_by("-evaluated_on"))


# ---------------------------------------------------------------- charity


@transaction.atomic
def receive_donation(*, actor: Any, data: dict[str, Any]) -> Donation:
    _staff_actor(actor)
    unit = _unit(actor, data.get("unit_code", ""), levels=("village",))
    errors: dict[str, list[str]] = {}
    if not str(data.get("donor", "")).strip():
        errors["donor"] = ["请填写捐赠方。"]
    if data.get("kind") not in Donation.Kind.values:
        errors["kind"] = ["请选择资金或物资。"]
    if data.get("group") not in ("hardship", "elderly", "orphans", "disabled"):
        errors["group"] = ["请选择定向：助困、扶老、恤孤或助残。"]
    try:
        amount = _money(data.get("amount"), "金额")
    except ValidationError as exc:
        errors["amount"] = exc.messages
    _date(errors, "received_on", data.get("received_on"), "接收日期", past=True)
    _require(errors)
    number = f"JZ{unit.code}{Donation.objects.filter(unit=unit).count() + 1:05d}"
    row = Donation.objects.create(unit=unit, donor=data["donor"].strip(), kind=data["kind"], amount=amount,
                                  goods=str(data.get("goods", "")).strip(), group=data["group"],
                                  received_on=data["received_on"], receipt_no=number)
    audit.record(actor=actor, action="socialorgs.donation_receive", obj=row, detail={"amount": str(amount)})
    return row


@transaction.atomic
def disburse(*, actor: Any, donation: Donation, resident: Any, amount: Any, given_on: dt.date) -> Disbursement:
    _staff_actor(actor)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if not can_see_unit(actor, donation.unit_id) or not can_see_unit(actor, resident.unit_id):
        raise ValidationError("您无权办理该捐赠或该居民。")
    money = _money(amount, "发放金额")
    inputs.check_date(given_on, label="发放日期", past=True)
    if given_on < donation.received_on:
        raise ValidationError({"given_on": ["发放日期不能早于接收日期。"]})
    if donation.disbursed + money > donation.amount:
        raise ValidationError({"amount": [f"超出捐赠余额：还可发放 {donation.amount - donation.disbursed} 元。"]})
    row = Disbursement.objects.create(donation=donation, resident=resident, amount=money, given_on=given_on)
    audit.record(actor=actor, action="socialorgs.donation_disburse", obj=row, unit_code=donation.unit_id,
                 detail={"amount": str(money)})
    return row

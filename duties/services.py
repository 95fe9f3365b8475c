"""Every write of the duties module: one function each, scoped and audited.

Bad input raises ValidationError with a Chinese message and writes nothing. The admission gate (admit) is the one
code path every department assignment to communities takes: send_task here, and any other module's assignment to
communities calls send_task (or admit) with source=<its app>.
"""

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import audit
from accounts.roles import Role
from accounts.scoping import can_see_unit, scope_prefix
from duties.models import (
    AdmissionRequest,
    Assessment,
    AssessmentObjection,
    CertificateItem,
    CertificateRequest,
    DutyTask,
    ItemKind,
    ListVersion,
    Mode,
    ProxyCase,
    ProxyMaterial,
    ProxyStep,
    Score,
    ServiceItem,
    TaskKind,
    WorkItem,
    is_reviewer,
)
from places.codes import within
from places.models import Department, OrgUnit
from shequ import inputs, phones


def _text(value: Any, field: str, label: str, limit: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: f"请填写{label}。"})
    if len(text) > limit:
        raise ValidationError({field: f"{label}不能超过{limit}个字。"})
    return text


def _hours(value: Any, field: str = "hours") -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "工时应为数字，如 2 或 1.5。"}) from None
    if not number.is_finite() or not Decimal("0") <= number <= Decimal("1000"):
        raise ValidationError({field: "工时应在0至1000小时之间。"})
    return number.quantize(Decimal("0.1"))


# ---------------------------------------------------------------- 社区工作事项清单

def current_version(on: dt.date | None = None) -> ListVersion | None:
    """The version in force on a day (today by default): the newest one effective by then."""
    day = on or timezone.localdate()
    return ListVersion.objects.filter(effective_on__lte=day).order_by("-effective_on", "-number").first()


@transaction.atomic
def publish_version(*, actor: Any, effective_on: dt.date | None, reason: str,
                    items: Sequence[Mapping[str, Any]]) -> ListVersion:
    """A new version of the list (every item as of it); earlier versions stay as they were.

    items: code, name, kind (statutory/assist/negative or its Chinese name), department (code or name), funding,
    conditions, basis. An assistance item needs its department and its funding.
    """
    if not is_reviewer(actor):
        raise ValidationError("只有市民政局、市委组织部或市级工作人员可以发布社区工作事项清单。")
    reason = _text(reason, "reason", "调整原因", 300)
    if effective_on is None:
        raise ValidationError({"effective_on": "请填写生效日期。"})
    inputs.check_date(effective_on, label="生效日期", latest=inputs.latest_planned())
    if not items:
        raise ValidationError({"items": "清单至少应有一个事项。"})
    kinds = {**{k: k for k in ItemKind.values}, **{str(label): value for value, label in ItemKind.choices}}
    departments = {d.code: d for d in Department.objects.all()} | {d.name: d for d in Department.objects.all()}
    rows: list[WorkItem] = []
    seen: set[str] = set()
    for n, raw in enumerate(items, start=1):
        where = f"第{n}项"
        code = str(raw.get("code") or "").strip()
        name = str(raw.get("name") or "").strip()
        if not code or len(code) > 20 or not name or len(name) > 100:
            raise ValidationError({"items": f"{where}：请填写事项编码（≤20字）和名称（≤100字）。"})
        if code in seen:
            raise ValidationError({"items": f"{where}：事项编码 {code} 重复。"})
        seen.add(code)
        kind = kinds.get(str(raw.get("kind") or "").strip())
        if kind is None:
            raise ValidationError({"items": f"{where}：类别应为 依法履职事项、协助政府事项 或 负面清单事项。"})
        dept_key = str(raw.get("department") or "").strip()
        department = departments.get(dept_key) if dept_key else None
        if dept_key and department is None:
            raise ValidationError({"items": f"{where}：没有名为「{dept_key}」的部门。"})
        funding = str(raw.get("funding") or "").strip()[:200]
        if kind == ItemKind.ASSIST and (department is None or not funding):
            raise ValidationError({"items": f"{where}「{name}」：协助政府事项须写明责任部门和部门提供的经费。"})
        rows.append(WorkItem(code=code, name=name, kind=kind, department=department, funding=funding,
                             conditions=str(raw.get("conditions") or "").strip()[:200],
                             basis=str(raw.get("basis") or "").strip()[:200]))
    number = (ListVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ListVersion.objects.create(number=number, effective_on=effective_on, reason=reason,
                                         published_by=actor if getattr(actor, "pk", None) else None)
    for row in rows:
        row.version = version
    WorkItem.objects.bulk_create(rows)
    audit.record(actor=actor, action="duties.publish_list", obj=version, detail={"items": len(rows)})
    return version


# ---------------------------------------------------------------- the admission gate

def admit(*, department: Department, item_code: str = "", admission: AdmissionRequest | None = None,
          funding: str = "", on: dt.date | None = None) -> tuple[WorkItem | None, AdmissionRequest | None]:
    """The admission rule: raise ValidationError (Chinese, naming why) unless the task may go to communities.

    A task cites an item of the list in force, or an admission request the city approved for this department.
    A negative-list item is refused; an assistance item needs its funding (the item's or the task's own).
    """
    if admission is not None:
        if admission.department_id != department.pk:
            raise ValidationError({"admission": "该准入申请不是本部门的申请。"})
        if admission.status != AdmissionRequest.Status.APPROVED:
            raise ValidationError({"admission": "该准入申请尚未获准，任务不能下派。"})
        return None, admission
    code = str(item_code or "").strip()
    if not code:
        raise ValidationError({"item_code": "任务必须引用社区工作事项清单中的事项；清单外的任务请先提交准入申请。"})
    day = on or timezone.localdate()
    in_force = ListVersion.objects.filter(effective_on__lte=day).order_by("-effective_on", "-number").values("pk")[:1]
    item = WorkItem.objects.select_related("department").filter(version=Subquery(in_force), code=code).first()
    if item is None:
        raise ValidationError({"item_code": f"现行社区工作事项清单中没有编码为 {code[:20]} 的事项；"
                                            "清单外的任务请先提交准入申请。"})
    if item.kind == ItemKind.NEGATIVE:
        raise ValidationError({"item_code": f"「{item.name}」属于负面清单事项，不得交由社区承担。"})
    if item.kind == ItemKind.ASSIST:
        if item.department is not None and item.department_id != department.pk:
            raise ValidationError({"item_code": f"「{item.name}」的责任部门是{item.department.name}，本部门不能引用。"})
        if not (item.funding or str(funding or "").strip()):
            raise ValidationError({"funding": f"「{item.name}」是协助政府事项，须写明部门提供的经费和工作条件。"})
    return item, None


def _communities(unit_codes: Sequence[str]) -> list[OrgUnit]:
    """Village-level units: each code names a community, or a township/county whose communities all get the task."""
    codes = [str(c).strip() for c in unit_codes if str(c).strip()]
    if not codes:
        raise ValidationError({"unit_codes": "请选择接收任务的村（社区）或乡镇（街道）。"})
    found: dict[str, OrgUnit] = {}
    for code in codes[:200]:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise ValidationError({"unit_codes": f"没有代码为 {code[:12]} 的单位。"})
        if unit.level == OrgUnit.Level.VILLAGE:
            found[unit.code] = unit
        else:
            for village in OrgUnit.objects.filter(within("code", unit.prefix), level=OrgUnit.Level.VILLAGE):
                found[village.code] = village
    return list(found.values())


def send_task(*, actor: Any, data: Mapping[str, Any], department: Department | None = None,
              source: str = "duties") -> list[DutyTask]:
    """A department sends a task to communities, through the admission gate.

    data: unit_codes (list), item_code or admission (AdmissionRequest), title, kind, deadline, hours, funding.
    The department is the actor's own (department staff), or one a calling module names for its assignment.
    A refusal is written to the audit log (the figures count it) and nothing else is written.
    """
    department = department or (actor.department if getattr(actor, "role", "") == Role.DEPARTMENT_STAFF else None)
    if department is None:
        raise ValidationError("只有部门可以向社区下派任务。")
    title = _text(data.get("title"), "title", "任务名称", 100)
    kind = data.get("kind")
    if kind not in TaskKind.values:
        raise ValidationError({"kind": "请选择任务类型。"})
    deadline = data.get("deadline")
    if not isinstance(deadline, dt.date):
        raise ValidationError({"deadline": "请填写完成期限。"})
    inputs.check_date(deadline, label="完成期限", earliest=timezone.localdate(), latest=inputs.latest_planned())
    hours = _hours(data.get("hours"))
    funding = _text(data.get("funding"), "funding", "经费保障", 200, required=False)
    units = _communities(data.get("unit_codes") or [])
    try:
        item, admission = admit(department=department, item_code=str(data.get("item_code") or ""),
                                admission=data.get("admission"), funding=funding)
    except ValidationError as exc:
        audit.record(actor=actor, action="duties.task_refused", detail={
            "department": department.code, "title": title, "item_code": str(data.get("item_code") or "")[:20],
            "communities": len(units), "reason": "；".join(exc.messages), "source": source})
        raise
    with transaction.atomic():
        tasks = DutyTask.objects.bulk_create([
            DutyTask(unit=u, department=department, item=item, admission=admission, title=title, kind=kind,
                     deadline=deadline, hours=hours, funding=funding or (item.funding if item else admission.funding
                                                                         if admission else ""),
                     source=source[:40], sent_by=actor if getattr(actor, "pk", None) else None) for u in units])
        audit.record(actor=actor, action="duties.send_task", detail={
            "department": department.code, "title": title, "communities": len(tasks),
            "item": item.code if item else "", "admission": admission.pk if admission else None, "source": source})
    return tasks


@transaction.atomic
def file_admission(*, actor: Any, data: Mapping[str, Any]) -> AdmissionRequest:
    """准入申请: a department asks to send a task the list does not cover. data: title, kind, reason, funding, hours."""
    if getattr(actor, "role", "") != Role.DEPARTMENT_STAFF or not actor.department_id:
        raise ValidationError("只有部门可以提交准入申请。")
    if data.get("kind") not in TaskKind.values:
        raise ValidationError({"kind": "请选择任务类型。"})
    request = AdmissionRequest.objects.create(
        department=actor.department, title=_text(data.get("title"), "title", "任务名称", 100), kind=data["kind"],
        reason=_text(data.get("reason"), "reason", "申请理由", 2000),
        funding=_text(data.get("funding"), "funding", "经费保障", 200),
        hours_per_community=_hours(data.get("hours"), "hours"), filed_by=actor)
    audit.record(actor=actor, action="duties.file_admission", obj=request)
    return request


@transaction.atomic
def review_admission(*, actor: Any, request: AdmissionRequest, approve: bool, conditions: str = "",
                     reason: str = "") -> AdmissionRequest:
    """The city approves with conditions, or rejects with reasons."""
    if not is_reviewer(actor):
        raise ValidationError("只有市民政局、市委组织部或市级工作人员可以审核准入申请。")
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != AdmissionRequest.Status.PENDING:
        raise ValidationError("该申请已审核。")
    if approve:
        request.conditions = _text(conditions, "conditions", "准入条件", 300)
        request.review_reason = _text(reason, "reason", "审核意见", 300, required=False)
        request.status = AdmissionRequest.Status.APPROVED
    else:
        request.review_reason = _text(reason, "reason", "不予准入的理由", 300)
        request.status = AdmissionRequest.Status.REJECTED
    request.reviewed_by, request.reviewed_at = actor, timezone.now()
    request.save()
    audit.record(actor=actor, action="duties.review_admission", obj=request, detail={"status": request.status})
    return request


@transaction.atomic
def object_to_task(*, actor: Any, task: DutyTask, text: str) -> DutyTask:
    """The community objects to a task (outside the list, no funding…); the city answers."""
    if getattr(actor, "role", "") != Role.COMMUNITY_WORKER or actor.unit_id != task.unit_id:
        raise ValidationError("只有接收任务的村（社区）可以提出异议。")
    if task.objection:
        raise ValidationError("该任务已提出过异议。")
    task.objection_text = _text(text, "text", "异议理由", 300)
    task.objection = DutyTask.Objection.RAISED
    task.save(update_fields=["objection", "objection_text"])
    audit.record(actor=actor, action="duties.object_task", obj=task)
    return task


@transaction.atomic
def answer_objection(*, actor: Any, task: DutyTask, upheld: bool, answer: str) -> DutyTask:
    if not is_reviewer(actor):
        raise ValidationError("只有市民政局、市委组织部或市级工作人员可以答复异议。")
    if task.objection != DutyTask.Objection.RAISED:
        raise ValidationError("该任务没有待答复的异议。")
    task.objection_answer = _text(answer, "answer", "答复", 300)
    task.objection = DutyTask.Objection.UPHELD if upheld else DutyTask.Objection.DISMISSED
    task.withdrawn = upheld
    task.save(update_fields=["objection", "objection_answer", "withdrawn"])
    audit.record(actor=actor, action="duties.answer_objection", obj=task, detail={"upheld": upheld})
    return task


# ---------------------------------------------------------------- certificates

def certificate_check(req: CertificateRequest) -> str:
    stated = f"{req.token}|{req.item_id}|{req.name}|{req.unit_id}|{req.content}"
    return salted_hmac("duties.certificate", stated).hexdigest()[:8].upper()


def certificate_code(req: CertificateRequest) -> str:
    return f"{req.token}-{certificate_check(req)}"


@transaction.atomic
def request_certificate(*, actor: Any, item: CertificateItem, purpose: str,
                        asking_department: str = "") -> CertificateRequest:
    """A resident asks their community for a certificate. An abolished item is answered at once (status abolished):
    the page shows the clean-up notice and its basis; nothing is issued."""
    if getattr(actor, "role", "") != Role.RESIDENT or not actor.unit_id:
        raise ValidationError("请以居民账户登录后申请证明。")
    if not item.active:
        raise ValidationError({"item": "请选择证明事项。"})
    purpose = _text(purpose, "purpose", "用途", 200)
    asking = _text(asking_department, "asking_department", "要求出具的部门", 100, required=False)
    if item.kind == CertificateItem.Kind.ABOLISHED and not asking:
        raise ValidationError({"asking_department": "请填写要求您开具该证明的部门，以便统计和督促清理。"})
    resident = getattr(actor, "resident_record", None)
    req = CertificateRequest.objects.create(
        unit_id=actor.unit_id, item=item, account=actor, resident=resident,
        name=resident.name if resident else (actor.display_name or actor.username)[:50], purpose=purpose,
        asking_department=asking, status=CertificateRequest.Status.ABOLISHED
        if item.kind == CertificateItem.Kind.ABOLISHED else CertificateRequest.Status.REQUESTED,
        handled_at=timezone.now() if item.kind == CertificateItem.Kind.ABOLISHED else None)
    audit.record(actor=actor, action="duties.request_certificate", obj=req, detail={"item": item.code})
    return req


def _handle(actor: Any, req: CertificateRequest) -> CertificateRequest:
    if scope_prefix(actor) is None or not can_see_unit(actor, req.unit_id):
        raise ValidationError("无权办理该单位的证明。")
    req = CertificateRequest.objects.select_for_update(of=("self",)).select_related("resident", "item").get(pk=req.pk)
    if req.status != CertificateRequest.Status.REQUESTED:
        raise ValidationError("该申请已办理。")
    return req


@transaction.atomic
def issue_certificate(*, actor: Any, req: CertificateRequest, content: str) -> CertificateRequest:
    """The community checks the register and issues: the resident must be on its register, present."""
    req = _handle(actor, req)
    resident = req.resident
    if resident is None or resident.unit_id != req.unit_id or resident.status != "present":
        raise ValidationError("居民档案中没有该居民在本村（社区）在住的记录，不能出具证明；请核实后选择不予出具并说明理由。")
    req.content = _text(content, "content", "证明内容", 300)
    req.token = secrets.token_hex(5).upper()
    req.status = CertificateRequest.Status.ISSUED
    req.handled_by, req.handled_at = actor, timezone.now()
    req.save()
    audit.record(actor=actor, action="duties.issue_certificate", obj=req, detail={"item": req.item.code})
    return req


@transaction.atomic
def refuse_certificate(*, actor: Any, req: CertificateRequest, reason: str) -> CertificateRequest:
    req = _handle(actor, req)
    req.refuse_reason = _text(reason, "reason", "不予出具的理由", 300)
    req.status = CertificateRequest.Status.REFUSED
    req.handled_by, req.handled_at = actor, timezone.now()
    req.save()
    audit.record(actor=actor, action="duties.refuse_certificate", obj=req)
    return req


def verify_certificate(code: str) -> tuple[CertificateRequest | None, str]:
    token, _, check = str(code or "").strip().upper().partition("-")
    req = CertificateRequest.objects.select_related("item", "unit").filter(
        token=token, status=CertificateRequest.Status.ISSUED).first() if token else None
    if req is None:
        return None, "没有该编号的证明。"
    if not constant_time_compare(check, certificate_check(req)):
        return None, "验证码不符，证明可能被篡改。"
    return req, ""


# ---------------------------------------------------------------- catalogue and proxy cases

PDF_LIMIT = 10 * 1024 * 1024


def clean_upload(upload: Any) -> tuple[bytes, str, str]:
    """(content, extension, content type): a PDF by its content, or a JPEG/PNG checked like the requests desk's photos."""
    from appeals.photos import clean_photo

    name = getattr(upload, "name", "材料")
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        raw = upload.read(PDF_LIMIT + 1)
        if len(raw) > PDF_LIMIT:
            raise ValidationError(f"「{name}」超过 10 MB，请压缩后再上传。")
        try:
            import io

            from pypdf import PdfReader

            if not PdfReader(io.BytesIO(raw)).pages:
                raise ValueError
        except Exception as exc:  # noqa: BLE001 - any parse failure means "not a PDF"
            raise ValidationError(f"「{name}」不是有效的 PDF 文件。") from exc
        return raw, "pdf", "application/pdf"
    try:
        photo = clean_photo(upload)
    except ValidationError:
        raise ValidationError(f"「{name}」不是 PDF、JPEG 或 PNG 文件，请上传材料的扫描件或照片。") from None
    return photo.content, photo.extension, "image/png" if photo.extension == "png" else "image/jpeg"


def _step(case: ProxyCase, action: str, actor: Any, note: str = "") -> None:
    ProxyStep.objects.create(case=case, action=action, note=note[:500], actor=actor if getattr(actor, "pk", None)
                             else None)


@transaction.atomic
def start_proxy(*, actor: Any, item: ServiceItem, data: Mapping[str, Any],
                files: Mapping[str, Any]) -> ProxyCase:
    """A resident (or a worker on their behalf) starts a proxy case; every required material must be uploaded.

    data: applicant, phone, unit_code (worker), note. files: material name -> upload.
    """
    if not item.active or item.mode != Mode.PROXY:
        raise ValidationError("该事项不提供社区代办。")
    role = getattr(actor, "role", "")
    if role == Role.RESIDENT:
        unit_code, on_behalf = actor.unit_id, False
        resident = getattr(actor, "resident_record", None)
        applicant = resident.name if resident else (actor.display_name or actor.username)
    elif role == Role.COMMUNITY_WORKER:
        unit_code, on_behalf = actor.unit_id, True
        applicant = _text(data.get("applicant"), "applicant", "申请人姓名", 50)
    else:
        raise ValidationError("代办由居民本人或所在村（社区）工作人员发起。")
    if not unit_code:
        raise ValidationError("您的账户没有所属村（社区）。")
    try:
        phone = phones.clean(str(data.get("phone") or ""))
    except ValueError as exc:
        raise ValidationError({"phone": str(exc)}) from None
    if not phone:
        raise ValidationError({"phone": "请填写联系电话，办理结果会电话告知。"})
    known = {str(m["name"]) for m in item.materials}
    uploads = {name: f for name, f in files.items() if name in known and f}
    missing = [name for name in item.required_materials() if name not in uploads]
    if missing:
        raise ValidationError({"materials": f"缺少必需材料：{'、'.join(missing)}。"})
    cleaned = [(name, *clean_upload(f)) for name, f in uploads.items()]
    from people import crypto
    from people.masking import mask_phone

    case = ProxyCase.objects.create(
        unit_id=unit_code, item=item, department=item.department, account=actor if role == Role.RESIDENT else None,
        applicant=applicant[:50], phone_enc=crypto.encrypt(phone), phone_masked=mask_phone(phone),
        on_behalf=on_behalf, note=_text(data.get("note"), "note", "说明", 300, required=False), created_by=actor)
    for name, content, ext, ctype in cleaned:
        material = ProxyMaterial(case=case, name=name, content_type=ctype)
        material.file.save(f"{secrets.token_hex(8)}.{ext}", ContentFile(content), save=True)
    _step(case, "提交申请" + ("（工作人员代为发起）" if on_behalf else ""), actor, f"材料 {len(cleaned)} 份")
    audit.record(actor=actor, action="duties.start_proxy", obj=case, detail={"item": item.pk})
    return case


def _worker(actor: Any, case: ProxyCase) -> ProxyCase:
    if scope_prefix(actor) is None or not can_see_unit(actor, case.unit_id):
        raise ValidationError("无权办理该代办件。")
    return ProxyCase.objects.select_for_update(of=("self",)).select_related("item", "department").get(pk=case.pk)


@transaction.atomic
def verify_materials(*, actor: Any, case: ProxyCase, ok: bool, note: str = "") -> ProxyCase:
    case = _worker(actor, case)
    if case.status not in (ProxyCase.Status.SUBMITTED, ProxyCase.Status.RETURNED):
        raise ValidationError("该代办件不在核验材料环节。")
    if not ok:
        note = _text(note, "note", "退回补正的说明", 300)
    case.status = ProxyCase.Status.VERIFIED if ok else ProxyCase.Status.RETURNED
    case.save(update_fields=["status"])
    _step(case, "材料核验通过" if ok else "材料退回补正", actor, note)
    audit.record(actor=actor, action="duties.verify_proxy", obj=case, detail={"ok": ok})
    return case


@transaction.atomic
def send_to_department(*, actor: Any, case: ProxyCase) -> ProxyCase:
    """The worker hands the case to the department; its time limit runs on the working calendar from now."""
    from appeals.workcal import add_working_days
    from duties import province

    case = _worker(actor, case)
    if case.status != ProxyCase.Status.VERIFIED:
        raise ValidationError("材料核验通过后才能转部门办理。")
    now = timezone.now()
    case.status, case.sent_at = ProxyCase.Status.SENT, now
    case.due_at = add_working_days(now, case.item.time_limit_days)
    gateway = province.gateway()
    if gateway.enabled and case.item.province_code:
        case.province_ref = gateway.submit(case)[:40]
    case.save(update_fields=["status", "sent_at", "due_at", "province_ref"])
    _step(case, f"转{case.department.name}办理", actor, f"办理期限 {timezone.localtime(case.due_at):%Y-%m-%d %H:%M}")
    from accounts.models import User
    from web import notify

    notify.notify_users(User.objects.filter(role=Role.DEPARTMENT_STAFF, department=case.department, is_active=True),
                        f"代办件待办理：{case.item.name}", f"{case.unit.name}转来", url=f"/duties/proxy/{case.pk}/")
    audit.record(actor=actor, action="duties.send_proxy", obj=case)
    return case


@transaction.atomic
def department_answer(*, actor: Any, case: ProxyCase, answer: str) -> ProxyCase:
    if getattr(actor, "role", "") != Role.DEPARTMENT_STAFF or actor.department_id != case.department_id:
        raise ValidationError("只有办理部门可以答复该代办件。")
    case = ProxyCase.objects.select_for_update().get(pk=case.pk)
    if case.status != ProxyCase.Status.SENT:
        raise ValidationError("该代办件不在部门办理环节。")
    case.answer = _text(answer, "answer", "办理结果", 500)
    case.status, case.answered_at = ProxyCase.Status.ANSWERED, timezone.now()
    case.save(update_fields=["answer", "status", "answered_at"])
    _step(case, "部门答复", actor, case.answer)
    audit.record(actor=actor, action="duties.answer_proxy", obj=case)
    return case


@transaction.atomic
def complete_proxy(*, actor: Any, case: ProxyCase, note: str = "") -> ProxyCase:
    """The worker tells the resident the department's answer; the case is closed."""
    case = _worker(actor, case)
    if case.status != ProxyCase.Status.ANSWERED:
        raise ValidationError("部门答复后才能办结。")
    case.status, case.completed_at = ProxyCase.Status.COMPLETED, timezone.now()
    case.save(update_fields=["status", "completed_at"])
    _step(case, "告知居民并办结", actor, _text(note, "note", "说明", 300, required=False))
    if case.account_id:
        from web import notify

        notify.notify_user(case.account, f"代办已办结：{case.item.name}", case.answer, url="/duties/mine/")
    audit.record(actor=actor, action="duties.complete_proxy", obj=case)
    return case


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Cases past the department's time limit without an answer: escalated once (a step, the township notified)."""
    from accounts.models import User
    from web import notify

    now = now or timezone.now()
    count = 0
    for case in ProxyCase.objects.filter(status=ProxyCase.Status.SENT, due_at__lt=now, escalated_at__isnull=True) \
            .select_related("unit", "department", "item"):
        with transaction.atomic():
            updated = ProxyCase.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=now)
            if not updated:
                continue
            _step(case, "超期督办", None, f"{case.department.name}超过办理期限未答复")
            township = case.unit.parent_id
            notify.notify_users(User.objects.filter(role=Role.TOWNSHIP_STAFF, unit_id=township, is_active=True),
                                f"代办件超期：{case.item.name}", f"{case.unit.name} · {case.department.name}",
                                url=f"/duties/proxy/{case.pk}/")
            audit.record(actor=None, action="duties.escalate_proxy", obj=case, username="system")
            count += 1
    return count


# ---------------------------------------------------------------- 统一综合考核评比

def computed_sources() -> dict[str, str]:
    """Indicators an assessment may compute from the system: every installed planning provider (code -> app)."""
    from planning.providers import discover

    return {code: app for code, (app, _fn) in discover().items()}


@transaction.atomic
def create_assessment(*, actor: Any, unit_code: str, year: int, indicators: Sequence[Mapping[str, Any]]) -> Assessment:
    """The township's one annual assessment of its communities, on the county's indicator system.

    indicators: name, weight (the weights add up to 100), source computed (code = a provider) or scored, veto.
    No item may veto the whole (取消一票否决); departments cannot assess communities.
    """
    if getattr(actor, "role", "") == Role.DEPARTMENT_STAFF:
        raise ValidationError("各职能部门不再单独组织对社区的考核评比，由乡镇（街道）统一综合考核。")
    unit = OrgUnit.objects.filter(code=str(unit_code or "").strip(), level=OrgUnit.Level.TOWNSHIP).first()
    if unit is None:
        raise ValidationError({"unit_code": "请选择乡镇（街道）。"})
    if getattr(actor, "role", "") not in (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF) or not can_see_unit(actor, unit.code):
        raise ValidationError("综合考核由乡镇（街道）或其所属县（市、区）组织。")
    if not isinstance(year, int) or not 2020 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": "年度不在范围内。"})
    if Assessment.objects.filter(unit=unit, year=year).exists():
        raise ValidationError({"year": "该乡镇（街道）本年度已有综合考核，每年只组织一次。"})
    sources = computed_sources()
    rows: list[dict[str, Any]] = []
    total = Decimal(0)
    for n, raw in enumerate(indicators, start=1):
        name = str(raw.get("name") or "").strip()[:100]
        if not name:
            raise ValidationError({"indicators": f"第{n}项指标没有名称。"})
        if raw.get("veto"):
            raise ValidationError({"indicators": f"「{name}」设置了一票否决：已取消对社区工作的一票否决事项，"
                                                 "请改为按权重计分。"})
        try:
            weight = Decimal(str(raw.get("weight")))
        except (InvalidOperation, ValueError):
            raise ValidationError({"indicators": f"「{name}」的权重应为数字。"}) from None
        if not weight.is_finite() or weight <= 0:
            raise ValidationError({"indicators": f"「{name}」的权重应大于0。"})
        source = raw.get("source")
        code = str(raw.get("code") or "")
        if source == "computed" and code not in sources:
            raise ValidationError({"indicators": f"「{name}」：系统中没有可计算的指标 {code[:40]}。"})
        if source not in ("computed", "scored"):
            raise ValidationError({"indicators": f"「{name}」的来源应为系统计算或评估打分。"})
        total += weight
        rows.append({"name": name, "weight": float(weight), "source": source, "code": code})
    if not rows:
        raise ValidationError({"indicators": "请设置考核指标。"})
    if total != 100:
        raise ValidationError({"indicators": f"各指标权重之和应为100，现为{total}。"})
    assessment = Assessment.objects.create(unit=unit, year=year, indicators=rows, created_by=actor)
    audit.record(actor=actor, action="duties.create_assessment", obj=assessment)
    return assessment


@transaction.atomic
def compute_assessment(*, actor: Any, assessment: Assessment) -> int:
    """Fill the computed indicators of every community of the township from the system's providers."""
    from planning.providers import discover

    if not can_see_unit(actor, assessment.unit_id):
        raise ValidationError("无权计算该考核。")
    providers = discover()
    start, end = dt.date(assessment.year, 1, 1), dt.date(assessment.year, 12, 31)
    villages = list(OrgUnit.objects.filter(within("code", assessment.unit.prefix), level=OrgUnit.Level.VILLAGE)
                    .values_list("code", flat=True))
    written = 0
    for ind in assessment.indicators:
        if ind["source"] != "computed":
            continue
        values = providers[ind["code"]][1](start, min(end, timezone.localdate()))
        for code in villages:
            num, den = values.get(code, (0.0, 0.0))
            value = Decimal(str(round(num / den, 4))) if den else Decimal(0)
            Score.objects.update_or_create(assessment=assessment, unit_id=code, indicator=ind["name"], defaults={
                "value": min(value, Decimal(1)), "evidence": f"系统计算：{num:g}/{den:g}"})
            written += 1
    audit.record(actor=actor, action="duties.compute_assessment", obj=assessment, detail={"scores": written})
    return written


@transaction.atomic
def score(*, actor: Any, assessment: Assessment, unit_code: str, indicator: str, value: Any,
          evidence: str) -> Score:
    """An assessor's score (0–1) on a scored indicator, with its evidence."""
    if getattr(actor, "role", "") not in (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF) \
            or not can_see_unit(actor, assessment.unit_id):
        raise ValidationError("评估打分由组织考核的乡镇（街道）或县（市、区）进行。")
    names = {i["name"]: i for i in assessment.indicators}
    if names.get(indicator, {}).get("source") != "scored":
        raise ValidationError({"indicator": "请选择评估打分类指标。"})
    if not OrgUnit.objects.filter(code=unit_code, level=OrgUnit.Level.VILLAGE).filter(
            within("code", assessment.unit.prefix)).exists():
        raise ValidationError({"unit_code": "请选择本乡镇（街道）的村（社区）。"})
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": "得分率应为0至1之间的数。"}) from None
    if not number.is_finite() or not 0 <= number <= 1:
        raise ValidationError({"value": "得分率应为0至1之间的数。"})
    row, _ = Score.objects.update_or_create(assessment=assessment, unit_id=unit_code, indicator=indicator, defaults={
        "value": number.quantize(Decimal("0.0001")), "evidence": _text(evidence, "evidence", "评分依据", 300)})
    audit.record(actor=actor, action="duties.score", obj=assessment, detail={"unit": unit_code, "indicator": indicator})
    return row


@transaction.atomic
def object_to_assessment(*, actor: Any, assessment: Assessment, text: str) -> AssessmentObjection:
    """A community worker objects in writing to their community's result (once per assessment)."""
    if getattr(actor, "role", "") != Role.COMMUNITY_WORKER or not actor.unit_id \
            or actor.unit.parent_id != assessment.unit_id:
        raise ValidationError("只有被考核的村（社区）可以对本社区的结果提出异议。")
    if AssessmentObjection.objects.filter(assessment=assessment, unit_id=actor.unit_id).exists():
        raise ValidationError("本社区已对该考核提出过异议。")
    row = AssessmentObjection.objects.create(assessment=assessment, unit_id=actor.unit_id,
                                             text=_text(text, "text", "异议", 500))
    audit.record(actor=actor, action="duties.object_assessment", obj=assessment, unit_code=actor.unit_id)
    return row


@transaction.atomic
def answer_assessment_objection(*, actor: Any, objection: AssessmentObjection, answer: str) -> AssessmentObjection:
    if getattr(actor, "role", "") not in (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF) \
            or not can_see_unit(actor, objection.assessment.unit_id):
        raise ValidationError("异议由组织考核的乡镇（街道）或县（市、区）答复。")
    if objection.answer:
        raise ValidationError("该异议已答复。")
    objection.answer = _text(answer, "answer", "答复", 500)
    objection.answered_by = actor
    objection.save(update_fields=["answer", "answered_by"])
    audit.record(actor=actor, action="duties.answer_assessment_objection", obj=objection.assessment)
    return objection

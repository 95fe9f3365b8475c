"""The state machine and every step of handling: accept, contact, start, reply, close; transfer, dispatch, return,
assist, merge; extensions of a deadline; photos attached to a step; revealing the phone to the handler."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import User
from accounts.roles import UNIT_ROLE_LEVEL, Role
from accounts.scoping import scope_prefix
from appeals import notifications, workcal
from appeals.models import (
    Appeal,
    AppealFollower,
    Assist,
    Deadline,
    Event,
    EventAction,
    Extension,
    Rectification,
    State,
)
from appeals.photos import CleanPhoto, clean_photos
from appeals.services import common
from appeals.services.common import (
    CITY_CODE,
    accept_due,
    add_deadline,
    add_event,
    cancel_open,
    clean_text,
    guarded_update,
    meet,
    parent_code,
    state_label,
    store_photos,
    unit_name,
)
from appeals.services.permissions import can_handle, handler_users, is_level_above, require_handler, unit_users
from people.crypto import decrypt
from places.models import Department, OrgUnit

# The state machine: which transitions each action may make.
TRANSITIONS: dict[str, dict[str, str]] = {
    EventAction.ACCEPT: {State.SUBMITTED: State.ACCEPTED},
    EventAction.START: {State.ACCEPTED: State.IN_PROGRESS, State.REOPENED: State.IN_PROGRESS},
    EventAction.REPLY: {State.ACCEPTED: State.REPLIED, State.IN_PROGRESS: State.REPLIED, State.REOPENED: State.REPLIED},
    EventAction.CLOSE: {State.REPLIED: State.CLOSED},
    EventAction.REOPEN: {State.REPLIED: State.REOPENED, State.CLOSED: State.REOPENED},
}
MOVABLE = [State.SUBMITTED, State.ACCEPTED, State.IN_PROGRESS, State.REOPENED]


def next_state(appeal: Appeal, action: str) -> str:
    """The state `action` leads to from the appeal's state; a clear refusal when it is not allowed."""
    allowed = TRANSITIONS[action]
    if appeal.state not in allowed:
        raise ValidationError(
            f"当前状态为「{state_label(appeal.state)}」，不能{EventAction(action).label}"
            f"（只有「{'、'.join(state_label(s) for s in allowed)}」状态可以）。"
        )
    return allowed[appeal.state]


@transaction.atomic
def attach_photos(*, appeal: Appeal, actor: Any, photos: list[CleanPhoto]) -> None:
    """Attach already checked photos to the actor's latest step on the request."""
    if not photos:
        return
    event = Event.objects.filter(appeal=appeal, actor=actor).order_by("-at", "-id").first()
    store_photos(appeal, event, photos)
    audit.record(actor=actor, action="appeals.attach", obj=appeal, detail={"photos": len(photos)})
# ---- the state machine --------------------------------------------------------------------------------


@transaction.atomic
def accept(*, appeal: Appeal, actor: Any, note: str = "") -> Appeal:
    """签收. A conditional UPDATE: of two staff accepting at once, exactly one succeeds."""
    require_handler(actor, appeal)
    target = next_state(appeal, EventAction.ACCEPT)
    now = common.now()
    changed = Appeal.objects.filter(pk=appeal.pk, state=State.SUBMITTED, unit_id=appeal.unit_id,  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
                                    department_id=appeal.department_id).update(
        state=target, accepted_by=actor, updated_at=now)
    if not changed:
        raise ValidationError("该诉求已被他人签收或已转办，请刷新后查看。")
    if appeal.first_accepted_at is None:
        Appeal.objects.filter(pk=appeal.pk).update(
            first_accepted_at=now, accept_seconds=int((now - appeal.created_at).total_seconds()))
    appeal.refresh_from_db()
    meet(appeal, [Deadline.Kind.ACCEPT], now)
    add_event(appeal, EventAction.ACCEPT, actor, note=clean_text(note, "说明", required=False), from_state=State.SUBMITTED, to_state=target)
    audit.record(actor=actor, action="appeals.accept", obj=appeal)
    notifications.to_resident(appeal, f"您的诉求 {appeal.tracking_no} 已由{unit_name(appeal)}签收办理。")
    return appeal


@transaction.atomic
def record_contact(*, appeal: Appeal, actor: Any, note: str) -> Appeal:
    """首次联系 (or a later one): the handler called or visited the resident."""
    require_handler(actor, appeal)
    note = clean_text(note, "联系情况")
    now = common.now()
    if appeal.first_contact_at is None:
        Appeal.objects.filter(pk=appeal.pk).update(first_contact_at=now)
        appeal.first_contact_at = now
    meet(appeal, [Deadline.Kind.CONTACT], now)
    add_event(appeal, EventAction.CONTACT, actor, note=note)
    audit.record(actor=actor, action="appeals.contact", obj=appeal)
    return appeal


@transaction.atomic
def start(*, appeal: Appeal, actor: Any, note: str = "") -> Appeal:
    require_handler(actor, appeal)
    before = appeal.state
    target = next_state(appeal, EventAction.START)
    guarded_update(appeal, before, state=target)
    add_event(appeal, EventAction.START, actor, note=clean_text(note, "说明", required=False), from_state=before, to_state=target)
    audit.record(actor=actor, action="appeals.start", obj=appeal)
    return appeal


@transaction.atomic
def reply(*, appeal: Appeal, actor: Any, text: str, photos: list[Any] | None = None) -> Appeal:
    """答复: tells the resident what was done; asks them to rate it."""
    require_handler(actor, appeal)
    before = appeal.state
    target = next_state(appeal, EventAction.REPLY)
    text = clean_text(text, "答复内容")
    cleaned = clean_photos(photos or [])
    now = common.now()
    fields: dict[str, Any] = {"state": target, "reply": text, "replied_at": now}
    if appeal.reply_seconds is None:
        fields["reply_seconds"] = int((now - appeal.created_at).total_seconds())
    if appeal.first_contact_at is None:
        fields["first_contact_at"] = now
    guarded_update(appeal, before, **fields)
    meet(appeal, [Deadline.Kind.REPLY, Deadline.Kind.CONTACT, Deadline.Kind.RECTIFY], now)
    Rectification.objects.filter(appeal=appeal, done_at__isnull=True).update(done_at=now)
    event = add_event(appeal, EventAction.REPLY, actor, note=text, from_state=before, to_state=target)
    store_photos(appeal, event, cleaned)
    audit.record(actor=actor, action="appeals.reply", obj=appeal)
    notifications.to_resident(appeal, f"您的诉求 {appeal.tracking_no} 已答复，请查看并评价。")
    return appeal


@transaction.atomic
def close(*, appeal: Appeal, actor: Any, resolved: bool, note: str = "") -> Appeal:
    """办结 by staff (e.g. the resident did not rate); resolved says whether the problem was solved."""
    require_handler(actor, appeal)
    target = next_state(appeal, EventAction.CLOSE)
    guarded_update(appeal, State.REPLIED, state=target, closed_at=common.now(), resolved=resolved)
    add_event(appeal, EventAction.CLOSE, actor, note=clean_text(note, "说明", required=False) or ("已解决" if resolved else "未解决"),
              from_state=State.REPLIED, to_state=target)
    audit.record(actor=actor, action="appeals.close", obj=appeal, detail={"resolved": resolved})
    notifications.to_resident(appeal, f"您的诉求 {appeal.tracking_no} 已办结。")
    return appeal


# ---- dispatch: transfer up, dispatch down, return, assist ---------------------------------------------------

def _move(appeal: Appeal, actor: Any, action: str, *, unit_code: str, department: Department | None, note: str) -> Appeal:
    now = common.now()
    from_unit = f"dept:{appeal.department.code}" if appeal.department_id else appeal.unit_id  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    to_unit = f"dept:{department.code}" if department else unit_code
    before = appeal.state
    if not Appeal.objects.filter(pk=appeal.pk, state=before, unit_id=appeal.unit_id, department_id=appeal.department_id).update(  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
            state=State.SUBMITTED, unit_id=unit_code, department=department, updated_at=now):
        raise ValidationError("诉求状态已变化，请刷新后重试。")
    appeal.refresh_from_db()
    cancel_open(appeal, [Deadline.Kind.ACCEPT], now)
    add_deadline(appeal, Deadline.Kind.ACCEPT, unit_code, accept_due(appeal.category, appeal.urgent, now))
    Deadline.objects.filter(appeal=appeal, met_at__isnull=True, cancelled_at__isnull=True).exclude(
        kind=Deadline.Kind.CALLBACK).update(unit_id=unit_code)
    add_event(appeal, action, actor, note=note, from_state=before, to_state=State.SUBMITTED, from_unit=from_unit, to_unit=to_unit)
    audit.record(actor=actor, action=f"appeals.{action}", obj=appeal, detail={"from": from_unit, "to": to_unit})
    notifications.new_for_handlers(appeal, handler_users(appeal))
    return appeal


@transaction.atomic
def transfer(*, appeal: Appeal, actor: Any, note: str) -> Appeal:
    """转办 one step up: community → township → county → the category's lead department."""
    require_handler(actor, appeal)
    if appeal.state not in MOVABLE:
        raise ValidationError(f"当前状态为「{state_label(appeal.state)}」，不能转办。")
    note = clean_text(note, "转办理由")
    if appeal.department_id:
        raise ValidationError("诉求已在牵头部门办理，不能再向上转办；如有误可退回。")
    unit = appeal.unit
    if unit.level == OrgUnit.Level.COUNTY or unit.level == OrgUnit.Level.CITY:
        from places.importers import department_by_name

        department = department_by_name(appeal.category.lead_department_name)
        if department is None:
            raise ValidationError(f"未找到牵头部门「{appeal.category.lead_department_name}」，请联系系统管理员。")
        return _move(appeal, actor, EventAction.TRANSFER, unit_code=unit.code, department=department, note=note)
    if not unit.parent_id:
        raise ValidationError("没有上级单位可转办。")
    return _move(appeal, actor, EventAction.TRANSFER, unit_code=unit.parent_id, department=None, note=note)


@transaction.atomic
def dispatch(*, appeal: Appeal, actor: Any, unit_code: str, note: str) -> Appeal:
    """派单 down: staff above the handling unit send it to a unit in their own subtree."""
    note = clean_text(note, "派单说明")
    prefix = scope_prefix(actor)
    target = OrgUnit.objects.filter(code=unit_code).first()
    if target is None:
        raise ValidationError("未知的单位。")
    if prefix is None or not target.code.startswith(prefix) or target.code == actor.unit_id:
        raise ValidationError("只能派发给本辖区内的下级单位。")
    if not (can_handle(actor, appeal) or is_level_above(actor, appeal.unit_id)):
        raise ValidationError("只有承办单位或其上级可以派单。")
    if appeal.state not in MOVABLE:
        raise ValidationError(f"当前状态为「{state_label(appeal.state)}」，不能派单。")
    return _move(appeal, actor, EventAction.DISPATCH, unit_code=target.code, department=None, note=note)


@transaction.atomic
def return_appeal(*, appeal: Appeal, actor: Any, reason: str) -> Appeal:
    """退回 to the unit that sent it, with a reason (the first receiving unit cannot return: 首接负责)."""
    require_handler(actor, appeal)
    reason = clean_text(reason, "退回理由")
    if appeal.state not in MOVABLE:
        raise ValidationError(f"当前状态为「{state_label(appeal.state)}」，不能退回。")
    here = f"dept:{appeal.department.code}" if appeal.department_id else appeal.unit_id  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    last = (Event.objects.filter(appeal=appeal, action__in=[EventAction.TRANSFER, EventAction.DISPATCH], to_unit=here)
            .order_by("-at", "-id").first())
    if last is None or not last.from_unit:
        raise ValidationError("首接单位负责办理，不能退回；如不属本单位职责请转办。")
    if last.from_unit.startswith("dept:"):
        department = Department.objects.get(code=last.from_unit.removeprefix("dept:"))
        return _move(appeal, actor, EventAction.RETURN, unit_code=appeal.unit_id, department=department, note=reason)
    return _move(appeal, actor, EventAction.RETURN, unit_code=last.from_unit, department=None, note=reason)


@transaction.atomic
def add_assist(*, appeal: Appeal, actor: Any, unit_code: str = "", department_code: str = "", note: str = "") -> Assist:
    """协办: the lead unit asks another unit or department to handle the request with it."""
    require_handler(actor, appeal)
    if not appeal.is_open:
        raise ValidationError("诉求已答复或办结，不能再发起协办。")
    note = clean_text(note, "协办事项")
    unit = OrgUnit.objects.filter(code=unit_code).first() if unit_code else None
    department = Department.objects.filter(code=department_code).first() if department_code else None
    if unit is None and department is None:
        raise ValidationError("请选择协办单位或部门。")
    if unit is not None and unit.code == appeal.unit_id and not appeal.department_id:
        raise ValidationError("协办单位不能是承办单位本身。")
    assist = Assist.objects.create(appeal=appeal, unit=unit, department=department, note=note)
    who = department.name if department else unit.name  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    add_event(appeal, EventAction.ASSIST, actor, note=f"{who}：{note}", public=False,
              to_unit=f"dept:{department.code}" if department else unit.code)  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    audit.record(actor=actor, action="appeals.assist", obj=appeal, detail={"assist": assist.pk})
    users = (list(User.objects.filter(department=department, role=Role.DEPARTMENT_STAFF, is_active=True)) if department
             else unit_users(unit.code))  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    notifications.new_for_handlers(appeal, users, title=f"请协办诉求 {appeal.tracking_no}")
    return assist


@transaction.atomic
def assist_reply(*, assist: Assist, actor: Any, opinion: str) -> Assist:
    ok = (assist.department_id and actor.role == Role.DEPARTMENT_STAFF and actor.department_id == assist.department_id) or (
        assist.unit_id and actor.role in UNIT_ROLE_LEVEL and actor.unit_id == assist.unit_id)
    if not ok:
        raise ValidationError("只有协办单位的工作人员可以填写协办意见。")
    assist.opinion = clean_text(opinion, "协办意见")
    assist.done_at = common.now()
    assist.save(update_fields=["opinion", "done_at"])
    add_event(assist.appeal, EventAction.ASSIST_REPLY, actor, note=assist.opinion, public=False)
    audit.record(actor=actor, action="appeals.assist_reply", obj=assist.appeal)
    return assist


@transaction.atomic
def merge(*, appeal: Appeal, into: Appeal, actor: Any) -> Appeal:
    """合并 a duplicate into the original; its resident follows the original from now on."""
    require_handler(actor, appeal)
    if appeal.pk == into.pk:
        raise ValidationError("不能与自身合并。")
    if appeal.category_id != into.category_id:
        raise ValidationError("只能合并同一类别的诉求。")
    if not appeal.is_open or not into.is_open or into.merged_into_id:
        raise ValidationError("只能合并两件尚未答复的诉求。")
    before = appeal.state
    guarded_update(appeal, before, state=State.CLOSED, closed_at=common.now(), merged_into=into, resolved=False)
    cancel_open(appeal, list(Deadline.Kind.values), common.now())
    AppealFollower.objects.get_or_create(appeal=into, source=appeal,
                                         defaults={"user": appeal.submitter, "phone_enc": appeal.phone_enc})
    add_event(appeal, EventAction.MERGE, actor, note=f"与诉求 {into.tracking_no} 合并办理，办理进度请见该诉求。",
              from_state=before, to_state=State.CLOSED)
    add_event(into, EventAction.MERGE, actor, note=f"合并了诉求 {appeal.tracking_no}", public=False)
    audit.record(actor=actor, action="appeals.merge", obj=appeal, detail={"into": into.pk})
    notifications.to_resident(appeal, f"您的诉求 {appeal.tracking_no} 与 {into.tracking_no} 为同一问题，已合并办理。")
    return appeal


# ---- deadlines: extensions, escalation ---------------------------------------------------------------------

@transaction.atomic
def request_extension(*, appeal: Appeal, actor: Any, days: int, reason: str) -> Extension:
    """申请延期: pauses the clock until the level above decides."""
    require_handler(actor, appeal)
    reason = clean_text(reason, "延期理由")
    if not 1 <= int(days) <= 30:
        raise ValidationError("延期天数应为 1–30 个工作日。")
    deadline = (Deadline.objects.select_for_update().filter(appeal=appeal, kind__in=[Deadline.Kind.REPLY, Deadline.Kind.RECTIFY],
                                                            met_at__isnull=True, cancelled_at__isnull=True).first())
    if deadline is None:
        raise ValidationError("没有可延期的办理时限。")
    if deadline.paused_at is not None:
        raise ValidationError("已有延期申请待审批。")
    now = common.now()
    deadline.paused_at = now
    deadline.save(update_fields=["paused_at"])
    ext = Extension.objects.create(appeal=appeal, deadline=deadline, days=days, reason=reason, requested_by=actor,
                                   requested_at=now)
    add_event(appeal, EventAction.EXTEND_REQUEST, actor, note=f"申请延期 {days} 个工作日：{reason}", public=False)
    audit.record(actor=actor, action="appeals.extension_request", obj=appeal, detail={"days": days})
    notifications.to_staff(unit_users(parent_code(appeal.unit_id)) if not appeal.department_id
                           else list(User.objects.filter(unit_id=CITY_CODE, role=Role.CITY_STAFF)),  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
                           f"延期申请待审批：{appeal.tracking_no}", appeal)
    return ext


@transaction.atomic
def decide_extension(*, extension: Extension, actor: Any, approve: bool, note: str = "") -> Extension:
    appeal = extension.appeal
    if not is_level_above(actor, appeal.unit_id, appeal.department_id):
        raise ValidationError("延期申请须由上一级审批。")
    if extension.decision != Extension.Decision.PENDING:
        raise ValidationError("该延期申请已审批。")
    now = common.now()
    deadline = Deadline.objects.select_for_update().get(pk=extension.deadline_id)
    paused = now - deadline.paused_at if deadline.paused_at else timedelta(0)
    due = deadline.due_at + paused
    if approve:
        due = workcal.add_working_days(due, extension.days)
    deadline.due_at, deadline.paused_at = due, None
    deadline.save(update_fields=["due_at", "paused_at"])
    if deadline.kind == Deadline.Kind.REPLY:
        Appeal.objects.filter(pk=appeal.pk).update(reply_due_at=due)
    extension.decision = Extension.Decision.APPROVED if approve else Extension.Decision.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = actor, now, clean_text(note, "审批意见", required=False)
    extension.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    add_event(appeal, EventAction.EXTEND_DECIDE, actor, public=False,
              note=f"{extension.get_decision_display()}，新时限 {timezone.localtime(due):%Y-%m-%d %H:%M}。{extension.decision_note}")
    audit.record(actor=actor, action="appeals.extension_decide", obj=appeal, detail={"approved": approve})
    notifications.to_staff(handler_users(appeal), f"延期申请{extension.get_decision_display()}：{appeal.tracking_no}", appeal)
    return extension


def reveal_phone(*, appeal: Appeal, actor: Any) -> str:
    """The full phone number, for the handler who must call the resident; every reveal is audited."""
    if not (can_handle(actor, appeal) or is_level_above(actor, appeal.unit_id, appeal.department_id)):
        raise ValidationError("只有承办单位及其上级可以查看完整联系电话。")
    audit.record(actor=actor, action="appeals.reveal_phone", obj=appeal)
    return decrypt(appeal.phone_enc)

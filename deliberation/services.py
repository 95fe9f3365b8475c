"""Every write of the deliberation module: one function each, keyword actor=, validated, audited, on the timeline."""

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import audit
from accounts.roles import Role
from accounts.scoping import can_see_unit, scope_prefix
from deliberation import quorum as q
from deliberation.models import (
    Attendance,
    Basis,
    Category,
    FourStep,
    Invitation,
    MajorStep,
    Meeting,
    MeetingKind,
    Milestone,
    MinutesCorrection,
    Motion,
    Need,
    Objection,
    Origin,
    Project,
    Publicity,
    Question,
    Rating,
    Receipt,
    Resource,
    Response,
    Settings,
    Support,
    Survey,
    Topic,
    TopicEvent,
    TopicState,
)
from people.models import Resident
from places.models import OrgUnit

CODE_SALT = "deliberation.sign-in"
CODE_ROTATION_SECONDS = 60
OPEN_STATES = (TopicState.COLLECTING, TopicState.SUBMITTED, TopicState.ACCEPTED)


def rules(unit_code: str) -> dict[str, int]:
    """The community's rules of procedure (议事规则), or the defaults."""
    row = Settings.objects.filter(unit__code=unit_code).first()
    if row is None:
        return dict(Settings.DEFAULTS)
    return {k: getattr(row, k) for k in Settings.DEFAULTS}


def _event(topic: Topic, kind: str, summary: str, at: dt.datetime | None = None) -> None:
    TopicEvent.objects.create(topic=topic, kind=kind, summary=summary[:300], at=at or timezone.now())


def _staff_for(actor: Any, unit_code: str) -> None:
    if scope_prefix(actor) is None or not can_see_unit(actor, unit_code):
        raise ValidationError("您无权处理该村（社区）的议事事项。")


def _village(unit_code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None or unit.level != OrgUnit.Level.VILLAGE:
        raise ValidationError({"unit_code": "请填写村（社区）的12位区划代码。"})
    return unit


def _resident_of(actor: Any) -> Resident | None:
    return Resident.objects.filter(account=actor, status=Resident.Status.PRESENT).first() if actor.pk else None


def _text(data: dict[str, Any], field: str, label: str, limit: int, errors: dict[str, list[str]]) -> str:
    value = str(data.get(field) or "").strip()
    if not value:
        errors.setdefault(field, []).append(f"请填写{label}。")
    elif len(value) > limit:
        errors.setdefault(field, []).append(f"{label}不能超过 {limit} 个字。")
    return value


# ---------------------------------------------------------------- topics

@transaction.atomic
def propose_topic(*, actor: Any, data: dict[str, Any]) -> Topic:
    """A resident proposes in their own community (then collects supporters); staff or the party organisation files."""
    errors: dict[str, list[str]] = {}
    title = _text(data, "title", "议题", 100, errors)
    body = _text(data, "body", "内容", 2000, errors)
    if actor.role == Role.RESIDENT:
        unit_code, origin = str(actor.unit_id or ""), Origin.RESIDENT
        if not unit_code:
            raise ValidationError("您的账户未关联村（社区），不能提议。")
    else:
        unit_code = str(data.get("unit_code") or "")
        origin = data.get("origin") or Origin.STAFF
        if origin not in (Origin.STAFF, Origin.PARTY):
            errors.setdefault("origin", []).append("来源只能是工作人员或党组织。")
        if unit_code:
            _village(unit_code)
            _staff_for(actor, unit_code)
        else:
            errors.setdefault("unit_code", []).append("请填写村（社区）代码。")
    if errors:
        raise ValidationError(errors)
    if Topic.objects.filter(unit__code=unit_code, title=title, state__in=OPEN_STATES).exists():
        raise ValidationError({"title": "本村（社区）已有同名的议题正在办理，请附议或合并，不要重复提出。"})
    public_name = str(data.get("public_name") or "").strip()[:50]
    state = TopicState.COLLECTING if origin == Origin.RESIDENT else TopicState.SUBMITTED
    topic = Topic.objects.create(unit_id=unit_code, title=title, body=body, origin=origin, state=state, proposer=actor,
                                 proposer_public_name=public_name)
    who = public_name or Origin(origin).label
    _event(topic, TopicEvent.Kind.ORIGIN, f"{who}提出议题「{title}」")
    audit.record(actor=actor, action="deliberation.propose", obj=topic, detail={"origin": origin})
    if origin == Origin.RESIDENT:
        Support.objects.create(topic=topic, user=actor)
        _check_threshold(topic)
    return topic


def _check_threshold(topic: Topic) -> None:
    need = rules(topic.unit_id)["support_threshold"]
    if topic.state == TopicState.COLLECTING and topic.supports.count() >= need:
        topic.state = TopicState.SUBMITTED
        topic.save(update_fields=["state"])
        _event(topic, TopicEvent.Kind.SUPPORT, f"附议达到 {need} 人，提交村（社区）党组织和委员会受理")


@transaction.atomic
def support_topic(*, actor: Any, topic: Topic) -> Support:
    if actor.role != Role.RESIDENT or actor.unit_id != topic.unit_id:
        raise ValidationError("只有本村（社区）居民可以附议。")
    if topic.state != TopicState.COLLECTING:
        raise ValidationError("该议题已不在征集附议阶段。")
    if Support.objects.filter(topic=topic, user=actor).exists():
        raise ValidationError("您已附议过该议题。")
    row = Support.objects.create(topic=topic, user=actor)
    _event(topic, TopicEvent.Kind.SUPPORT, f"新增附议，共 {topic.supports.count()} 人")
    audit.record(actor=actor, action="deliberation.support", obj=topic)
    _check_threshold(topic)
    return row


@transaction.atomic
def raise_from_requests(*, actor: Any, appeals: list[Any], title: str, body: str) -> Topic:
    """诉求转议题: one request, or several similar ones of one community, become one topic in one step."""
    if not appeals:
        raise ValidationError({"appeals": "请至少选择一件诉求。"})
    units = {a.unit_id for a in appeals}
    if len(units) != 1:
        raise ValidationError({"appeals": "所选诉求须属于同一个村（社区）。"})
    unit_code = units.pop()
    _village(unit_code)
    _staff_for(actor, unit_code)
    errors: dict[str, list[str]] = {}
    title = _text({"title": title}, "title", "议题", 100, errors)
    body = _text({"body": body}, "body", "内容", 2000, errors)
    if errors:
        raise ValidationError(errors)
    topic = Topic.objects.create(unit_id=unit_code, title=title, body=body, origin=Origin.REQUEST,
                                 state=TopicState.SUBMITTED, proposer=actor)
    topic.appeals.set(appeals)
    numbers = "、".join(a.tracking_no for a in appeals[:10])
    _event(topic, TopicEvent.Kind.ORIGIN, f"由 {len(appeals)} 件诉求（{numbers}）转为议题")
    audit.record(actor=actor, action="deliberation.raise_from_requests", obj=topic,
                 detail={"appeals": [a.pk for a in appeals]})
    return topic


@transaction.atomic
def merge_topic(*, actor: Any, topic: Topic, into: Topic) -> Topic:
    _staff_for(actor, topic.unit_id)
    if topic.pk == into.pk or into.unit_id != topic.unit_id or into.state not in OPEN_STATES:
        raise ValidationError("只能合并到本村（社区）另一个办理中的议题。")
    if topic.state not in OPEN_STATES:
        raise ValidationError("该议题已办结，不能合并。")
    topic.state, topic.merged_into = TopicState.MERGED, into
    topic.save(update_fields=["state", "merged_into"])
    into.appeals.add(*topic.appeals.all())
    _event(topic, TopicEvent.Kind.MERGED, f"合并到议题「{into.title}」")
    _event(into, TopicEvent.Kind.MERGED, f"议题「{topic.title}」并入本议题")
    audit.record(actor=actor, action="deliberation.merge", obj=topic, detail={"into": into.pk})
    return topic


@transaction.atomic
def accept_topic(*, actor: Any, topic: Topic, procedure: str, major_matter: bool = False) -> Topic:
    _staff_for(actor, topic.unit_id)
    if topic.state != TopicState.SUBMITTED:
        raise ValidationError("只有待受理的议题可以受理。")
    if procedure not in MeetingKind.values:
        raise ValidationError({"procedure": "请选择议事形式。"})
    topic.state, topic.procedure, topic.major_matter = TopicState.ACCEPTED, procedure, bool(major_matter)
    topic.save(update_fields=["state", "procedure", "major_matter"])
    extra = "，按四议两公开办理" if topic.major_matter else ""
    _event(topic, TopicEvent.Kind.ACCEPTED, f"党组织和委员会受理，议事形式：{MeetingKind(procedure).label}{extra}")
    audit.record(actor=actor, action="deliberation.accept", obj=topic, detail={"procedure": procedure})
    return topic


@transaction.atomic
def decline_topic(*, actor: Any, topic: Topic, reason: str) -> Topic:
    _staff_for(actor, topic.unit_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "不予受理须公开说明理由。"})
    if topic.state not in (TopicState.SUBMITTED, TopicState.COLLECTING):
        raise ValidationError("该议题已受理，不能再不予受理。")
    topic.state, topic.decline_reason = TopicState.DECLINED, reason[:300]
    topic.save(update_fields=["state", "decline_reason"])
    _event(topic, TopicEvent.Kind.DECLINED, f"不予受理：{topic.decline_reason}")
    audit.record(actor=actor, action="deliberation.decline", obj=topic)
    return topic


@transaction.atomic
def record_step(*, actor: Any, topic: Topic, step: str, done_on: dt.date, note: str = "",
                meeting: Meeting | None = None) -> MajorStep:
    """四议两公开: each step only after every earlier one, never twice."""
    _staff_for(actor, topic.unit_id)
    if not topic.major_matter:
        raise ValidationError("该议题不是重大事项，无需四议两公开。")
    if step not in FourStep.values:
        raise ValidationError({"step": "请选择步骤。"})
    order = list(FourStep.values)
    done = list(topic.steps.values_list("step", flat=True))
    if step in done:
        raise ValidationError({"step": f"「{FourStep(step).label}」已完成，不能重复。"})
    expected = order[len(done)]
    if step != expected:
        raise ValidationError({"step": f"四议两公开须按顺序进行：下一步应为「{FourStep(expected).label}」，"
                                       f"不能跳到「{FourStep(step).label}」。"})
    last = topic.steps.order_by("-step").first()
    if last is not None and done_on < last.done_on:
        raise ValidationError({"done_on": "日期不能早于上一步骤。"})
    if step == FourStep.RESOLVE:
        _require_passed(topic)
    row = MajorStep.objects.create(topic=topic, step=step, done_on=done_on, note=note[:300], meeting=meeting)
    _event(topic, TopicEvent.Kind.STEP, f"四议两公开：{FourStep(step).label}" + (f"（{note[:100]}）" if note else ""))
    audit.record(actor=actor, action="deliberation.step", obj=topic, detail={"step": step})
    return row


def _require_passed(topic: Topic) -> Motion:
    kinds = [MeetingKind.VILLAGERS, MeetingKind.VILLAGE_REPS] if topic.major_matter else [MeetingKind(v) for v in MeetingKind.values]
    motion = (Motion.objects.filter(meeting__topic=topic, meeting__kind__in=kinds, passed=True)
              .select_related("meeting").order_by("-closed_at").first())
    if motion is None:
        raise ValidationError("尚无达到法定人数并表决通过的会议，不能形成决议。" if not topic.major_matter else
                              "重大事项须经村民会议或村民代表会议表决通过。")
    return motion


# ---------------------------------------------------------------- meetings

@transaction.atomic
def schedule_meeting(*, actor: Any, topic: Topic, data: dict[str, Any], now: dt.datetime | None = None) -> Meeting:
    _staff_for(actor, topic.unit_id)
    if topic.state != TopicState.ACCEPTED:
        raise ValidationError("只有已受理的议题可以召开会议。")
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    kind, basis = data.get("kind") or topic.procedure, data.get("basis") or ""
    if kind not in MeetingKind.values:
        errors["kind"] = ["请选择会议类型。"]
    elif kind in q.BASES and basis not in q.BASES[MeetingKind(kind)]:
        allowed = "、".join(Basis(b).label for b in sorted(q.BASES[MeetingKind(kind)]))
        errors["basis"] = [f"{MeetingKind(kind).label}的参会范围只能是：{allowed}。"]
    elif basis not in Basis.values:
        errors["basis"] = ["请选择参会范围。"]
    starts = data.get("starts_at")
    days = rules(topic.unit_id)["notice_days"]
    if not isinstance(starts, dt.datetime):
        errors["starts_at"] = ["请填写召开时间。"]
    elif starts < now + dt.timedelta(days=days):
        errors["starts_at"] = [f"会议须至少提前 {days} 天公告：最早可定在 {timezone.localtime(now + dt.timedelta(days=days)):%Y-%m-%d %H:%M}。"]
    elif starts > now + dt.timedelta(days=366):
        errors["starts_at"] = ["召开时间不能超过一年以后。"]
    place = _text(data, "place", "地点", 100, errors)
    agenda = _text(data, "agenda", "议程", 2000, errors)
    if errors or not isinstance(starts, dt.datetime):
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        topic=topic, unit_id=topic.unit_id, kind=kind, basis=basis, starts_at=starts, place=place, agenda=agenda,
        invited_parties=str(data.get("invited_parties") or "")[:300], allow_proxy=bool(data.get("allow_proxy")),
        notice_at=now, eligible=q.eligible_count(topic.unit_id, basis, starts.date()))
    _event(topic, TopicEvent.Kind.MEETING,
           f"公告{meeting.get_kind_display()}：{timezone.localtime(starts):%Y-%m-%d %H:%M}，{place}（应到 {meeting.eligible}）", now)
    audit.record(actor=actor, action="deliberation.schedule_meeting", obj=meeting, detail={"kind": kind, "basis": basis})
    _invite(meeting)
    return meeting


def _invite(meeting: Meeting) -> None:
    from accounts.models import User
    from web.notify import notify_users

    users = User.objects.filter(role=Role.RESIDENT, unit__code=meeting.unit_id, is_active=True)
    notify_users(users, f"会议通知：{meeting.get_kind_display()}",
                 f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M} 在 {meeting.place} 召开，议题：{meeting.topic.title}",
                 url=f"/deliberation/me/meetings/{meeting.pk}/", kind="deliberation")


def sign_in_code(meeting: Meeting, *, now: dt.datetime | None = None) -> str:
    """The signed, time-limited code the meeting's QR shows (the volunteers' check-in scheme)."""
    slot = int((now or timezone.now()).timestamp()) // CODE_ROTATION_SECONDS
    return signing.dumps({"m": meeting.pk, "s": slot}, salt=CODE_SALT, compress=False)


def _open_for_attendance(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CLOSED:
        raise ValidationError("会议已结束，不能再签到。")


@transaction.atomic
def sign_in(*, actor: Any, code: str, now: dt.datetime | None = None) -> Attendance:
    """A resident scans the meeting's code (valid for its minute and the next)."""
    now = now or timezone.now()
    try:
        payload = signing.loads(str(code or "").strip(), salt=CODE_SALT)
    except signing.BadSignature:
        raise ValidationError({"code": "签到码无效，请扫描会场显示的二维码。"}) from None
    slot = int(now.timestamp()) // CODE_ROTATION_SECONDS
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int) or not 0 <= slot - payload["s"] <= 1:
        raise ValidationError({"code": "签到码已过期，请扫描会场显示的最新二维码。"})
    meeting = Meeting.objects.filter(pk=int(payload.get("m") or 0)).first() if isinstance(payload.get("m"), int) else None
    person = _resident_of(actor)
    if meeting is None or person is None or person.unit_id != meeting.unit_id:
        raise ValidationError({"code": "您不是该会议所在村（社区）的登记居民，不能签到。"})
    return _attend(actor, meeting, person, by_qr=True)


@transaction.atomic
def record_attendance(*, actor: Any, meeting: Meeting, resident: Resident, proxy_for: Resident | None = None) -> Attendance:
    _staff_for(actor, meeting.unit_id)
    if resident.unit_id != meeting.unit_id or resident.status != Resident.Status.PRESENT:
        raise ValidationError({"resident": "只能登记本村（社区）在住居民的出席。"})
    if proxy_for is not None:
        if not meeting.allow_proxy:
            raise ValidationError({"proxy_for": "本次会议不允许委托投票。"})
        if proxy_for.unit_id != meeting.unit_id or proxy_for.pk == resident.pk:
            raise ValidationError({"proxy_for": "委托人须是本村（社区）的另一位居民。"})
        if Attendance.objects.filter(meeting=meeting, resident=proxy_for).exists() or \
                Attendance.objects.filter(meeting=meeting, proxy_for=proxy_for).exists():
            raise ValidationError({"proxy_for": "委托人已出席或已委托他人。"})
    return _attend(actor, meeting, resident, by_qr=False, proxy_for=proxy_for)


def _attend(actor: Any, meeting: Meeting, person: Resident, *, by_qr: bool, proxy_for: Resident | None = None) -> Attendance:
    _open_for_attendance(meeting)
    if Attendance.objects.filter(meeting=meeting, resident=person).exists():
        raise ValidationError({"resident": "该居民已签到。"})
    row = Attendance.objects.create(meeting=meeting, resident=person, household_id=person.household_id, by_qr=by_qr,
                                    proxy_for=proxy_for)
    if meeting.status == Meeting.Status.NOTICED:
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.OPEN)
    audit.record(actor=actor, action="deliberation.attend", obj=meeting, detail={"by_qr": by_qr})
    return row


@transaction.atomic
def add_motion(*, actor: Any, meeting: Meeting, text: str, method: str) -> Motion:
    _staff_for(actor, meeting.unit_id)
    if meeting.status == Meeting.Status.CLOSED:
        raise ValidationError("会议已结束。")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写表决事项。"})
    if method not in Motion.Method.values:
        raise ValidationError({"method": "请选择表决方式。"})
    motion = Motion.objects.create(meeting=meeting, text=text[:300], method=method)
    audit.record(actor=actor, action="deliberation.add_motion", obj=meeting, detail={"motion": motion.pk})
    return motion


def _quorum_or_refuse(meeting: Meeting) -> q.Quorum:
    result = q.quorum(meeting)
    if not result.met:
        raise ValidationError(f"未达到法定人数，不能表决：{result.explain()}")
    return result


@transaction.atomic
def record_hands(*, actor: Any, motion: Motion, yes: int, no: int, abstain: int) -> Motion:
    """举手表决: staff record the counts; the decision follows from them and the attendance."""
    motion = Motion.objects.select_for_update().select_related("meeting__topic").get(pk=motion.pk)
    _staff_for(actor, motion.meeting.unit_id)
    if motion.method != Motion.Method.HANDS:
        raise ValidationError("无记名投票由参会居民在手机上投票，不能录入人数。")
    if motion.closed_at is not None:
        raise ValidationError("该事项已表决结束，不能再改。")
    result = _quorum_or_refuse(motion.meeting)
    if min(yes, no, abstain) < 0 or yes + no + abstain > result.present:
        raise ValidationError({"yes": f"赞成、反对、弃权合计不能超过实到人数 {result.present}。"})
    motion.yes, motion.no, motion.abstain = yes, no, abstain
    return _close(actor, motion, result)


def _close(actor: Any, motion: Motion, result: q.Quorum) -> Motion:
    motion.present, motion.closed_at = result.present, timezone.now()
    motion.passed = q.passes(motion.yes, result.present)
    motion.save()
    verdict = "通过" if motion.passed else "未通过"
    _event(motion.meeting.topic, TopicEvent.Kind.VOTE,
           f"{motion.meeting.get_kind_display()}表决「{motion.text}」：实到 {result.present}/应到 {result.eligible}，"
           f"赞成 {motion.yes}、反对 {motion.no}、弃权 {motion.abstain}，{verdict}")
    audit.record(actor=actor, action="deliberation.close_motion", obj=motion.meeting,
                 detail={"motion": motion.pk, "passed": motion.passed})
    return motion


@transaction.atomic
def cast_ballot(*, actor: Any, motion: Motion, choice: str) -> None:
    """无记名投票: one vote per attendee; the receipt says that they voted, the counter what — never together."""
    motion = Motion.objects.select_for_update().select_related("meeting").get(pk=motion.pk)
    if motion.method != Motion.Method.SECRET:
        raise ValidationError("该事项为举手表决。")
    if motion.closed_at is not None:
        raise ValidationError("投票已结束，不能再投票。")
    if choice not in ("yes", "no", "abstain"):
        raise ValidationError({"choice": "请选择赞成、反对或弃权。"})
    person = _resident_of(actor)
    if person is None or not Attendance.objects.filter(meeting=motion.meeting, resident=person).exists():
        raise ValidationError("只有已签到的参会人员可以投票。")
    if Receipt.objects.filter(motion=motion, resident=person).exists():
        raise ValidationError("您已投过票，每人只能投一票。")
    Receipt.objects.create(motion=motion, resident=person)
    Motion.objects.filter(pk=motion.pk).update(**{choice: F(choice) + 1})
    audit.record(actor=actor, action="deliberation.ballot", obj=motion.meeting, detail={"motion": motion.pk})


@transaction.atomic
def close_ballot(*, actor: Any, motion: Motion) -> Motion:
    motion = Motion.objects.select_for_update().select_related("meeting__topic").get(pk=motion.pk)
    _staff_for(actor, motion.meeting.unit_id)
    if motion.closed_at is not None:
        raise ValidationError("投票已结束。")
    return _close(actor, motion, _quorum_or_refuse(motion.meeting))


@transaction.atomic
def close_meeting(*, actor: Any, meeting: Meeting, minutes: str) -> Meeting:
    _staff_for(actor, meeting.unit_id)
    if meeting.status == Meeting.Status.CLOSED:
        raise ValidationError("会议已结束。")
    meeting.status, meeting.minutes, meeting.minutes_draft_at = Meeting.Status.CLOSED, minutes[:10000], timezone.now()
    meeting.save(update_fields=["status", "minutes", "minutes_draft_at"])
    days = rules(meeting.unit_id)["correction_days"]
    _event(meeting.topic, TopicEvent.Kind.MEETING,
           f"{meeting.get_kind_display()}结束，实到 {q.present_count(meeting)}，纪要草稿 {days} 天内可提更正意见")
    audit.record(actor=actor, action="deliberation.close_meeting", obj=meeting)
    return meeting


@transaction.atomic
def correct_minutes(*, actor: Any, meeting: Meeting, text: str) -> MinutesCorrection:
    person = _resident_of(actor)
    if person is None or not Attendance.objects.filter(meeting=meeting, resident=person).exists():
        raise ValidationError("只有参会人员可以对纪要提出更正意见。")
    days = rules(meeting.unit_id)["correction_days"]
    if meeting.minutes_draft_at is None or meeting.minutes_published_at is not None or \
            timezone.now() > meeting.minutes_draft_at + dt.timedelta(days=days):
        raise ValidationError("纪要更正期已过或纪要尚未起草。")
    if not (text or "").strip():
        raise ValidationError({"text": "请填写更正意见。"})
    row = MinutesCorrection.objects.create(meeting=meeting, user=actor, text=text.strip()[:500])
    audit.record(actor=actor, action="deliberation.correct_minutes", obj=meeting)
    return row


@transaction.atomic
def publish_minutes(*, actor: Any, meeting: Meeting, minutes: str, now: dt.datetime | None = None) -> Meeting:
    _staff_for(actor, meeting.unit_id)
    now = now or timezone.now()
    days = rules(meeting.unit_id)["correction_days"]
    if meeting.minutes_draft_at is None:
        raise ValidationError("会议结束后才能公开纪要。")
    if now < meeting.minutes_draft_at + dt.timedelta(days=days):
        raise ValidationError(f"纪要更正期（{days} 天）未满，不能公开。")
    meeting.minutes, meeting.minutes_published_at = (minutes or meeting.minutes)[:10000], now
    meeting.save(update_fields=["minutes", "minutes_published_at"])
    _event(meeting.topic, TopicEvent.Kind.MEETING, f"{meeting.get_kind_display()}纪要公开", now)
    audit.record(actor=actor, action="deliberation.publish_minutes", obj=meeting)
    return meeting


# ---------------------------------------------------------------- decision, 公示, project

@transaction.atomic
def record_decision(*, actor: Any, topic: Topic, text: str) -> Topic:
    _staff_for(actor, topic.unit_id)
    if topic.state != TopicState.ACCEPTED:
        raise ValidationError("只有协商中的议题可以形成决议。")
    if not (text or "").strip():
        raise ValidationError({"text": "请填写决议内容。"})
    if topic.major_matter:
        if not topic.steps.filter(step=FourStep.RESOLVE).exists():
            raise ValidationError("重大事项须先完成「村民代表会议或村民会议决议」一步。")
    motion = _require_passed(topic)
    topic.state, topic.decision = TopicState.DECIDED, text.strip()[:2000]
    topic.save(update_fields=["state", "decision"])
    _event(topic, TopicEvent.Kind.DECISION, f"形成决议（{motion.meeting.get_kind_display()}表决通过）：{topic.decision[:200]}")
    audit.record(actor=actor, action="deliberation.decide", obj=topic)
    return topic


@transaction.atomic
def publish_decision(*, actor: Any, topic: Topic, starts_on: dt.date, ends_on: dt.date) -> Publicity:
    _staff_for(actor, topic.unit_id)
    if topic.state != TopicState.DECIDED:
        raise ValidationError("只有已形成决议的议题可以公示。")
    days = rules(topic.unit_id)["publicity_days"]
    if (ends_on - starts_on).days + 1 < days:
        raise ValidationError({"ends_on": f"公示期不得少于 {days} 天（现为 {(ends_on - starts_on).days + 1} 天）。"})
    if topic.major_matter:
        record_step(actor=actor, topic=topic, step=FourStep.PUBLISH_DECISION, done_on=starts_on)
    row = Publicity.objects.create(topic=topic, token=secrets.token_urlsafe(16), starts_on=starts_on, ends_on=ends_on,
                                   text=topic.decision)
    topic.state = TopicState.PUBLICIZING
    topic.save(update_fields=["state"])
    _event(topic, TopicEvent.Kind.PUBLICITY, f"决议公示 {starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}")
    audit.record(actor=actor, action="deliberation.publish_decision", obj=topic)
    return row


@transaction.atomic
def object_to(*, actor: Any, publicity: Publicity, text: str, today: dt.date | None = None) -> Objection:
    today = today or timezone.localdate()
    if actor.role != Role.RESIDENT or actor.unit_id != publicity.topic.unit_id:
        raise ValidationError("只有本村（社区）居民可以对公示提出异议。")
    if not publicity.starts_on <= today <= publicity.ends_on:
        raise ValidationError("不在公示期内，不能提出异议。")
    if not (text or "").strip():
        raise ValidationError({"text": "请填写异议内容。"})
    row = Objection.objects.create(publicity=publicity, user=actor, text=text.strip()[:500])
    _event(publicity.topic, TopicEvent.Kind.OBJECTION, f"公示期收到异议：{row.text[:200]}")
    audit.record(actor=actor, action="deliberation.object", obj=publicity.topic)
    return row


@transaction.atomic
def answer_objection(*, actor: Any, objection: Objection, answer: str) -> Objection:
    _staff_for(actor, objection.publicity.topic.unit_id)
    if not (answer or "").strip():
        raise ValidationError({"answer": "请填写答复。"})
    objection.answer = answer.strip()[:500]
    objection.save(update_fields=["answer"])
    _event(objection.publicity.topic, TopicEvent.Kind.OBJECTION, f"答复异议：{objection.answer[:200]}")
    audit.record(actor=actor, action="deliberation.answer_objection", obj=objection.publicity.topic)
    return objection


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value or "0"))
    except InvalidOperation:
        raise ValidationError({"budget": "预算须为金额（元）。"}) from None
    if amount < 0 or amount >= Decimal("1e10"):
        raise ValidationError({"budget": "预算须在 0 至 99 亿元之间。"})
    return amount


@transaction.atomic
def start_project(*, actor: Any, unit_code: str, data: dict[str, Any], topic: Topic | None = None,
                  parent: Project | None = None, today: dt.date | None = None) -> Project:
    _staff_for(actor, unit_code)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    title = _text(data, "title", "项目名称", 100, errors)
    owner = _text(data, "owner", "责任人/单位", 100, errors)
    if errors:
        raise ValidationError(errors)
    if topic is not None:
        publicity = Publicity.objects.filter(topic=topic).first()
        if topic.state != TopicState.PUBLICIZING or publicity is None:
            raise ValidationError("决议公示后才能立项实施。")
        if today <= publicity.ends_on:
            raise ValidationError(f"公示期至 {publicity.ends_on:%Y-%m-%d}，公示期满后才能立项。")
    project = Project.objects.create(unit_id=unit_code, topic=topic, parent=parent, title=title, owner=owner,
                                     budget=_money(data.get("budget")), source=str(data.get("source") or "")[:100],
                                     weight=max(1, min(int(data.get("weight") or 1), 100)))
    if topic is not None:
        topic.state = TopicState.IMPLEMENTING
        topic.save(update_fields=["state"])
        _event(topic, TopicEvent.Kind.PROJECT, f"立项为民生项目「{title}」，责任：{owner}，预算 {project.budget} 元")
    audit.record(actor=actor, action="deliberation.start_project", obj=project)
    return project


def _project_topic(project: Project) -> Topic | None:
    while project.topic_id is None and project.parent_id is not None:
        project = project.parent  # type: ignore[assignment]
    return project.topic


@transaction.atomic
def add_milestone(*, actor: Any, project: Project, title: str, due_on: dt.date) -> Milestone:
    _staff_for(actor, project.unit_id)
    if not (title or "").strip():
        raise ValidationError({"title": "请填写节点名称。"})
    row = Milestone.objects.create(project=project, title=title.strip()[:100], due_on=due_on)
    audit.record(actor=actor, action="deliberation.add_milestone", obj=project)
    return row


@transaction.atomic
def complete_milestone(*, actor: Any, milestone: Milestone, done_on: dt.date, progress: int) -> Milestone:
    project = milestone.project
    _staff_for(actor, project.unit_id)
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": "进度须在 0 至 100 之间。"})
    if progress < project.progress:
        raise ValidationError({"progress": f"进度不能低于当前的 {project.progress}%。"})
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    project.progress = progress
    project.save(update_fields=["progress"])
    topic = _project_topic(project)
    if topic is not None:
        _event(topic, TopicEvent.Kind.MILESTONE, f"「{project.title}」完成节点「{milestone.title}」，进度 {progress}%")
    audit.record(actor=actor, action="deliberation.milestone", obj=project, detail={"progress": progress})
    return milestone


def weighted_progress(project: Project) -> float:
    """A parent's progress is its children's, weighted (Decidim accountability); a leaf's is its own."""
    children = list(project.children.all())
    if not children:
        return float(project.progress)
    total = sum(c.weight for c in children)
    return sum(weighted_progress(c) * c.weight for c in children) / total if total else 0.0


@transaction.atomic
def finish_project(*, actor: Any, project: Project, result: str, today: dt.date | None = None) -> Project:
    _staff_for(actor, project.unit_id)
    if project.status == Project.Status.DONE:
        raise ValidationError("项目已完成。")
    if not (result or "").strip():
        raise ValidationError({"result": "请填写实施结果，结果将公开。"})
    topic = _project_topic(project)
    if topic is not None and topic.major_matter:
        record_step(actor=actor, topic=topic, step=FourStep.PUBLISH_RESULT, done_on=today or timezone.localdate())
    project.status, project.progress, project.result = Project.Status.DONE, 100, result.strip()[:2000]
    project.result_published_at = timezone.now()
    project.save(update_fields=["status", "progress", "result", "result_published_at"])
    if topic is not None:
        if project.parent_id is None:
            Topic.objects.filter(pk=topic.pk).update(state=TopicState.DONE)
        _event(topic, TopicEvent.Kind.RESULT, f"实施结果公开：{project.result[:200]}")
    audit.record(actor=actor, action="deliberation.finish_project", obj=project)
    return project


@transaction.atomic
def rate_project(*, actor: Any, project: Project, level: int) -> Rating:
    if actor.role != Role.RESIDENT or actor.unit_id != project.unit_id:
        raise ValidationError("只有本村（社区）居民可以评价。")
    if project.status != Project.Status.DONE:
        raise ValidationError("项目完成并公开结果后才能评价。")
    if level not in Rating.Level.values:
        raise ValidationError({"level": "请选择评价等级。"})
    if Rating.objects.filter(project=project, user=actor).exists():
        raise ValidationError("您已评价过该项目。")
    row = Rating.objects.create(project=project, user=actor, level=level)
    topic = _project_topic(project)
    if topic is not None:
        _event(topic, TopicEvent.Kind.RATING, f"居民评价：{Rating.Level(level).label}")
    audit.record(actor=actor, action="deliberation.rate", obj=project, detail={"level": level})
    return row


# ---------------------------------------------------------------- 三项清单

@transaction.atomic
def add_need(*, actor: Any, data: dict[str, Any]) -> Need:
    unit_code = str(data.get("unit_code") or "")
    _village(unit_code)
    _staff_for(actor, unit_code)
    errors: dict[str, list[str]] = {}
    title = _text(data, "title", "需求", 100, errors)
    if data.get("category") not in Category.values:
        errors["category"] = ["请选择类别。"]
    urgency = int(data.get("urgency") or 2)
    if not 1 <= urgency <= 3:
        errors["urgency"] = ["紧急程度须为 1、2 或 3。"]
    if errors:
        raise ValidationError(errors)
    unit = OrgUnit.objects.get(code=unit_code)
    need = Need.objects.create(unit_id=unit_code, title=title, category=data["category"], urgency=urgency,
                               target_group=str(data.get("target_group") or "")[:50],
                               source=data.get("source") or Need.Source.STAFF, wanted_day=str(data.get("wanted_day") or "")[:10],
                               lat=data.get("lat") if data.get("lat") is not None else getattr(unit, "lat", None),
                               lng=data.get("lng") if data.get("lng") is not None else getattr(unit, "lng", None),
                               created_at=data.get("created_at") or timezone.now())
    audit.record(actor=actor, action="deliberation.add_need", obj=need)
    return need


@transaction.atomic
def add_resource(*, actor: Any, data: dict[str, Any]) -> Resource:
    unit_code = str(data.get("unit_code") or "")
    _village(unit_code)
    _staff_for(actor, unit_code)
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", "资源名称", 100, errors)
    if data.get("kind") not in Resource.Kind.values:
        errors["kind"] = ["请选择资源类型。"]
    if data.get("category") not in Category.values:
        errors["category"] = ["请选择类别。"]
    capacity = int(data.get("capacity") or 1)
    if not 1 <= capacity <= 10000:
        errors["capacity"] = ["可承接需求数须在 1 至 10000 之间。"]
    if errors:
        raise ValidationError(errors)
    row = Resource.objects.create(unit_id=unit_code, name=name, kind=data["kind"], category=data["category"],
                                  capacity=capacity, days=str(data.get("days") or "")[:40],
                                  hours=str(data.get("hours") or "")[:50], lat=data.get("lat"), lng=data.get("lng"))
    audit.record(actor=actor, action="deliberation.add_resource", obj=row)
    return row


@transaction.atomic
def confirm_match(*, actor: Any, need: Need, resource: Resource) -> Need:
    need = Need.objects.select_for_update().get(pk=need.pk)
    _staff_for(actor, need.unit_id)
    if not can_see_unit(actor, resource.unit_id):
        raise ValidationError({"resource": "无权使用该资源。"})
    if need.status != Need.Status.OPEN:
        raise ValidationError("该需求已对接。")
    if resource.needs.filter(status=Need.Status.MATCHED).count() >= resource.capacity:
        raise ValidationError({"resource": "该资源的承接能力已用完。"})
    need.status, need.resource, need.matched_at, need.matched_by = Need.Status.MATCHED, resource, timezone.now(), actor
    need.save(update_fields=["status", "resource", "matched_at", "matched_by"])
    audit.record(actor=actor, action="deliberation.match", obj=need, detail={"resource": resource.pk})
    return need


# ---------------------------------------------------------------- surveys

# 城乡社区服务群众满意度调查 — the city's standard template.
SATISFACTION_TEMPLATE: list[dict[str, Any]] = [
    {"kind": "scale", "text": "您对本村（社区）服务的总体满意度"},
    {"kind": "matrix", "text": "您对以下服务的满意度",
     "options": ["党群服务中心", "养老服务", "环境卫生", "文体活动", "办事便利"]},
    {"kind": "single", "text": "过去一年您是否参加过本村（社区）的议事协商", "options": ["是", "否"]},
    {"kind": "text", "text": "您参加议事协商的感受", "show_if": [3, "是"]},
    {"kind": "multiple", "text": "您最希望改进的方面", "options": ["停车", "养老", "托育", "环境", "治安", "其他"]},
    {"kind": "text", "text": "其他意见和建议"},
]


@transaction.atomic
def create_survey(*, actor: Any, unit_code: str, title: str, anonymous: bool = True, satisfaction: bool = False,
                  questions: list[dict[str, Any]] | None = None, meeting: Meeting | None = None) -> Survey:
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise ValidationError({"unit_code": "发放范围须为有效的区划代码。"})
    _staff_for(actor, unit_code)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写问卷名称。"})
    questions = SATISFACTION_TEMPLATE if satisfaction else (questions or [])
    if not questions:
        raise ValidationError({"questions": "问卷至少需要一道题。"})
    survey = Survey.objects.create(unit_id=unit_code, title=title[:100], anonymous=anonymous or satisfaction,
                                   satisfaction=satisfaction, meeting=meeting)
    made: dict[int, Question] = {}
    for i, spec in enumerate(questions, 1):
        if spec.get("kind") not in Question.Kind.values or not str(spec.get("text") or "").strip():
            raise ValidationError({"questions": f"第 {i} 题的题型或题目无效。"})
        condition = spec.get("show_if")
        shown_after = made.get(int(condition[0])) if condition else None
        if condition and shown_after is None:
            raise ValidationError({"questions": f"第 {i} 题的显示条件须引用它前面的题。"})
        made[i] = Question.objects.create(survey=survey, order=i, kind=spec["kind"], text=str(spec["text"])[:200],
                                          options=list(spec.get("options") or []), show_if_question=shown_after,
                                          show_if_answer=str(condition[1]) if condition else "")
    audit.record(actor=actor, action="deliberation.create_survey", obj=survey)
    return survey


@transaction.atomic
def open_survey(*, actor: Any, survey: Survey, today: dt.date | None = None) -> int:
    """Invite the scope: the attendees of the meeting, or every adult present in the survey's subtree."""
    from places.codes import within

    _staff_for(actor, survey.unit_id)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError("问卷已发放。")
    today = today or timezone.localdate()
    if survey.meeting_id:
        people = Resident.objects.filter(pk__in=Attendance.objects.filter(meeting_id=survey.meeting_id).values("resident_id"))
    else:
        prefix = OrgUnit.objects.get(code=survey.unit_id).prefix
        people = Resident.objects.filter(within("unit_id", prefix), status=Resident.Status.PRESENT,
                                         birth_date__lte=q.adults_born_by(today))
    rows = [Invitation(survey=survey, resident_id=pk, account_id=acc) for pk, acc in people.values_list("pk", "account_id")]
    Invitation.objects.bulk_create(rows, batch_size=5000)
    survey.status, survey.opened_on = Survey.Status.OPEN, today
    survey.save(update_fields=["status", "opened_on"])
    audit.record(actor=actor, action="deliberation.open_survey", obj=survey, detail={"invited": len(rows)})
    return len(rows)


def clean_answers(survey: Survey, raw: dict[str, Any]) -> dict[str, Any]:
    """Answers keyed by question order; a conditional question is kept only when its condition holds."""
    answers: dict[str, Any] = {}
    errors: list[str] = []
    questions = list(survey.questions.select_related("show_if_question"))
    for question in questions:
        key = str(question.order)
        if question.show_if_question is not None:
            shown = answers.get(str(question.show_if_question.order))
            hit = question.show_if_answer in shown if isinstance(shown, list) else shown == question.show_if_answer
            if not hit:
                continue
        value = raw.get(key)
        if value in (None, "", []):
            continue
        if question.kind == Question.Kind.SINGLE:
            if value not in question.options:
                errors.append(f"第 {question.order} 题的选项无效。")
                continue
        elif question.kind == Question.Kind.MULTIPLE:
            value = [value] if isinstance(value, str) else list(value or [])
            if any(v not in question.options for v in value):
                errors.append(f"第 {question.order} 题的选项无效。")
                continue
        elif question.kind == Question.Kind.SCALE:
            try:
                value = int(str(value))
            except (TypeError, ValueError):
                value = 0
            if not 1 <= value <= 5:
                errors.append(f"第 {question.order} 题须为 1 至 5 分。")
                continue
        elif question.kind == Question.Kind.MATRIX:
            if not isinstance(value, dict):
                errors.append(f"第 {question.order} 题的格式无效。")
                continue
            cells = {}
            for row in question.options:
                try:
                    score = int(value.get(row) or 0)
                except (TypeError, ValueError):
                    score = -1
                if score and not 1 <= score <= 5:
                    errors.append(f"第 {question.order} 题「{row}」须为 1 至 5 分。")
                elif score:
                    cells[row] = score
            value = cells
        else:
            value = str(value).strip()[:1000]
        answers[key] = value
    if errors:
        raise ValidationError({"answers": errors})
    if not answers:
        raise ValidationError({"answers": "请至少回答一道题。"})
    return answers


@transaction.atomic
def answer_survey(*, actor: Any, survey: Survey, raw: dict[str, Any], today: dt.date | None = None) -> None:
    """One answer per invited person. For an anonymous survey the Response carries no person and no time of day."""
    if survey.status != Survey.Status.OPEN:
        raise ValidationError("问卷未在收集中，不能作答。")
    invitation = (Invitation.objects.select_for_update().select_related("resident")
                  .filter(survey=survey, account=actor).first() if actor.pk else None)
    if invitation is None:
        raise ValidationError("您不在本问卷的调查范围内。")
    if invitation.answered:
        raise ValidationError("您已提交过本问卷，每人只能答一次。")
    answers = clean_answers(survey, raw)
    invitation.answered = True
    invitation.save(update_fields=["answered"])
    Response.objects.create(survey=survey, unit_id=invitation.resident.unit_id, answers=answers,
                            submitted_on=today or timezone.localdate(),
                            respondent=None if survey.anonymous else invitation.resident)
    audit.record(actor=actor, action="deliberation.answer_survey", obj=survey, unit_code=survey.unit_id)


@transaction.atomic
def enter_paper(*, actor: Any, survey: Survey, unit_code: str, raw: dict[str, Any], today: dt.date | None = None) -> Response:
    """A paper answer sheet typed in by staff (no person recorded)."""
    _staff_for(actor, unit_code)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError("问卷未在收集中，不能录入。")
    prefix = OrgUnit.objects.get(code=survey.unit_id).prefix
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None or unit.level != OrgUnit.Level.VILLAGE or not unit_code.startswith(str(prefix)):
        raise ValidationError({"unit_code": "答卷人所在村（社区）须在问卷的发放范围内。"})
    row = Response.objects.create(survey=survey, unit_id=unit_code, answers=clean_answers(survey, raw), on_paper=True,
                                  submitted_on=today or timezone.localdate())
    audit.record(actor=actor, action="deliberation.enter_paper", obj=survey, unit_code=unit_code)
    return row


@transaction.atomic
def close_survey(*, actor: Any, survey: Survey, today: dt.date | None = None) -> Survey:
    _staff_for(actor, survey.unit_id)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError("问卷未在收集中。")
    survey.status, survey.closed_on = Survey.Status.CLOSED, today or timezone.localdate()
    survey.save(update_fields=["status", "closed_on"])
    audit.record(actor=actor, action="deliberation.close_survey", obj=survey)
    return survey

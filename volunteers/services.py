"""Every write of the volunteers module: one function each, atomic, scoped and audited.

Bad input raises ValidationError with a Chinese message and writes nothing.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts import audit
from accounts.roles import Role
from accounts.scoping import can_see_unit, scope_prefix
from people import crypto
from people.masking import mask_id, mask_phone
from people.validation import clean_resident_fields
from places.models import OrgUnit
from shequ import inputs, phones
from volunteers import hours
from volunteers.models import (
    Activity,
    Certificate,
    DayPart,
    IdType,
    PartyMember,
    PartyReport,
    PoliticalStatus,
    Post,
    ServiceCategory,
    ServicePoint,
    ServiceRecord,
    SignUp,
    TargetGroup,
    Team,
    Volunteer,
    Weekday,
)
from web import notify

# A check-in code changes every CODE_ROTATION_SECONDS; one shown just before the change is still accepted.
CODE_ROTATION_SECONDS = 60
CODE_SALT = "volunteers.checkin"
AVAILABILITY = {f"{d}_{p}" for d in Weekday.values for p in DayPart.values}


def grace() -> dt.timedelta:
    """How long before an activity starts and after it ends a check-in/out code works (city setting)."""
    return dt.timedelta(minutes=settings.VOLUNTEER_CHECKIN_GRACE_MINUTES)


def _is_staff(actor: Any) -> bool:
    return scope_prefix(actor) is not None


def _check_scope(actor: Any, unit_code: str) -> None:
    if not can_see_unit(actor, unit_code):
        raise ValidationError("无权操作该单位的数据。")


def _village(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=str(code or "").strip()).first()
    if unit is None:
        raise ValidationError({"unit_code": "请选择所属村（社区）。"})
    if unit.level != OrgUnit.Level.VILLAGE:
        raise ValidationError({"unit_code": "请选择村（社区）一级的单位。"})
    return unit


def _choices(values: Iterable[str], allowed: Iterable[str], field: str, message: str) -> list[str]:
    allowed = set(allowed)
    out: list[str] = []
    for value in values:
        if value not in allowed:
            raise ValidationError({field: message})
        if value not in out:
            out.append(value)
    return out


def _identity(data: Mapping[str, Any], *, actor: Any) -> dict[str, Any]:
    """Name, ID and phone checked by the register's own rules (people.validation)."""
    id_type = data.get("id_type") or IdType.ID_CARD
    cleaned, errors = clean_resident_fields(
        {"name": data.get("name", ""), "id_type": id_type, "id_number": data.get("id_number", ""),
         "phone": data.get("phone", "")}, actor=actor, partial=True)
    for key in ("gender", "birth_date"):
        errors.pop(key, None)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _set_identity(volunteer: Volunteer, cleaned: Mapping[str, Any]) -> None:
    number = cleaned["id_number"]
    volunteer.name = cleaned["name"]
    volunteer.id_type = cleaned["id_type"]
    volunteer.id_number_enc = crypto.encrypt(number)
    volunteer.id_number_hash = crypto.search_hash(number)
    volunteer.id_number_masked = mask_id(number)
    phone = cleaned.get("phone", "")
    volunteer.phone_enc = crypto.encrypt(phone)
    volunteer.phone_hash = crypto.search_hash(phone)
    volunteer.phone_masked = mask_phone(phone)


@transaction.atomic
def register_volunteer(*, actor: Any, data: Mapping[str, Any]) -> Volunteer:
    """A resident registers themselves (name and ID from their register record), or staff register someone.

    data: name, id_type, id_number, phone, unit_code, skills, categories, availability, political_status, consent.
    Someone not in the register registers with their own name and ID, checked like the register checks one.
    """
    if not data.get("consent"):
        raise ValidationError({"consent": "请阅读并同意记录和公示您的志愿服务信息后再注册。"})
    resident = None
    own = getattr(actor, "role", "") == Role.RESIDENT
    if own:
        if Volunteer.objects.filter(account=actor).exists():
            raise ValidationError("您已注册为志愿者。")
        resident = getattr(actor, "resident_record", None)
    elif not _is_staff(actor):
        raise ValidationError("无权登记志愿者。")
    if resident is not None:
        from people.crypto import decrypt

        cleaned = _identity({"name": resident.name, "id_type": resident.id_type,
                             "id_number": decrypt(resident.id_number_enc), "phone": data.get("phone", "")}, actor=actor)
    else:
        cleaned = _identity(data, actor=actor)
    unit = _village(str(data.get("unit_code") or (getattr(actor, "unit_id", "") if own else "") or ""))
    if not own:
        _check_scope(actor, unit.code)
    id_hash = crypto.search_hash(cleaned["id_number"])
    if Volunteer.objects.filter(id_number_hash=id_hash).exists():
        raise ValidationError({"id_number": "该证件号码已注册为志愿者。"})
    if resident is None:
        from people.models import Resident

        resident = Resident.objects.filter(id_number_hash=id_hash).first()
    skills = str(data.get("skills") or "").strip()
    if len(skills) > 200:
        raise ValidationError({"skills": "技能特长不能超过200个字。"})
    volunteer = Volunteer(
        unit=unit, resident=resident, account=actor if own else None, skills=skills,
        categories=_choices(data.get("categories") or [], ServiceCategory.values, "categories", "服务类别不在可选范围内。"),
        availability=_choices(data.get("availability") or [], AVAILABILITY, "availability", "可服务时间不在可选范围内。"),
        political_status=_political_status(data.get("political_status", "")),
        consent=True, consent_at=timezone.now(), registered_by=actor if getattr(actor, "pk", None) else None)
    _set_identity(volunteer, cleaned)
    volunteer.save()
    audit.record(actor=actor, action="volunteers.register", obj=volunteer,
                 detail={"self": own, "in_register": resident is not None})
    return volunteer


def _political_status(raw: Any) -> str:
    text = str(raw or "").strip()
    if not text:
        return ""
    by_label = {str(label): value for value, label in PoliticalStatus.choices}
    if text in PoliticalStatus.values:
        return text
    if text in by_label:
        return by_label[text]
    raise ValidationError({"political_status": "政治面貌应为 GB/T 4762 的名称，如 中共党员、共青团员、群众。"})


@transaction.atomic
def create_team(*, actor: Any, unit_code: str, name: str, leader: Volunteer | None = None) -> Team:
    unit = OrgUnit.objects.filter(code=str(unit_code or "").strip()).first()
    if unit is None:
        raise ValidationError({"unit_code": "请选择队伍所属单位。"})
    _check_scope(actor, unit.code)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "请填写队伍名称（不超过100个字）。"})
    if Team.objects.filter(unit=unit, name=name).exists():
        raise ValidationError({"name": "该单位已有同名队伍。"})
    if leader is not None and not leader.unit_id.startswith(unit.prefix):
        raise ValidationError({"leader": "队长应为本单位范围内的志愿者。"})
    team = Team.objects.create(unit=unit, name=name, leader=leader)
    if leader is not None:
        team.members.add(leader)
    audit.record(actor=actor, action="volunteers.create_team", obj=team, detail={"leader": leader.pk if leader else None})
    return team


@transaction.atomic
def add_member(*, actor: Any, team: Team, volunteer: Volunteer) -> None:
    _check_scope(actor, team.unit_id)
    if not volunteer.unit_id.startswith(team.unit.prefix):
        raise ValidationError("只能把本单位范围内的志愿者加入队伍。")
    team.members.add(volunteer)
    audit.record(actor=actor, action="volunteers.add_member", obj=team, detail={"volunteer": volunteer.pk})


@transaction.atomic
def create_service_point(*, actor: Any, unit_code: str, name: str, hours_text: str, contact_name: str,
                         contact_phone: str, opened_on: dt.date | None, facility_id: int | None = None,
                         address: str = "") -> ServicePoint:
    unit = _village(unit_code)
    _check_scope(actor, unit.code)
    name, hours_text, contact_name = (name or "").strip(), (hours_text or "").strip(), (contact_name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "请填写站点名称（不超过100个字）。"})
    if not hours_text or len(hours_text) > 100:
        raise ValidationError({"hours": "请填写开放时间（不超过100个字），如 周一至周五 9:00-17:00。"})
    if not contact_name or len(contact_name) > 50:
        raise ValidationError({"contact_name": "请填写联系人。"})
    try:
        phone = phones.clean(contact_phone)
    except ValueError as exc:
        raise ValidationError({"contact_phone": str(exc)}) from None
    if not phone:
        raise ValidationError({"contact_phone": "请填写联系电话。"})
    if opened_on is None:
        raise ValidationError({"opened_on": "请填写建立日期。"})
    inputs.check_date(opened_on, label="建立日期", past=True)
    facility = None
    if facility_id:
        from facilities.models import Facility

        facility = Facility.objects.filter(pk=facility_id, unit=unit).first()
        if facility is None:
            raise ValidationError({"facility": "所在设施应为本村（社区）的设施。"})
    point = ServicePoint.objects.create(unit=unit, name=name, hours=hours_text, contact_name=contact_name,
                                        contact_phone=phone, opened_on=opened_on, facility=facility,
                                        address=(address or "").strip()[:200])
    audit.record(actor=actor, action="volunteers.create_service_point", obj=point)
    return point


@transaction.atomic
def create_activity(*, actor: Any, data: Mapping[str, Any]) -> Activity:
    """data: unit_code, team (Team or None), title, description, category, target_group, place, starts_at, ends_at,
    capacity, skills_wanted."""
    unit = _village(data.get("unit_code", ""))
    _check_scope(actor, unit.code)
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 100:
        raise ValidationError({"title": "请填写活动名称（不超过100个字）。"})
    if data.get("category") not in ServiceCategory.values:
        raise ValidationError({"category": "请选择服务类别。"})
    if data.get("target_group") not in TargetGroup.values:
        raise ValidationError({"target_group": "请选择服务对象。"})
    place = str(data.get("place") or "").strip()
    if not place or len(place) > 200:
        raise ValidationError({"place": "请填写活动地点。"})
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime):
        raise ValidationError({"starts_at": "请填写开始和结束时间。"})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "结束时间应晚于开始时间。"})
    if ends_at - starts_at > dt.timedelta(days=7):
        raise ValidationError({"ends_at": "一次活动不能超过7天，请分为多次发布。"})
    inputs.check_date(timezone.localtime(starts_at).date(), label="开始时间", latest=inputs.latest_planned())
    capacity = data.get("capacity")
    if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise ValidationError({"capacity": "招募人数应为1至10000。"})
    team = data.get("team")
    if team is not None and not unit.code.startswith(team.unit.prefix):
        raise ValidationError({"team": "组织队伍应为本村（社区）或上级单位的队伍。"})
    activity = Activity.objects.create(
        unit=unit, team=team, title=title, description=str(data.get("description") or "").strip(),
        category=data["category"], target_group=data["target_group"], place=place, starts_at=starts_at,
        ends_at=ends_at, capacity=capacity, skills_wanted=str(data.get("skills_wanted") or "").strip()[:200],
        organiser=actor)
    audit.record(actor=actor, action="volunteers.create_activity", obj=activity)
    return activity


def _may_act_for(actor: Any, volunteer: Volunteer) -> bool:
    return (volunteer.account_id is not None and volunteer.account_id == getattr(actor, "pk", None)) \
        or can_see_unit(actor, volunteer.unit_id)


@transaction.atomic
def sign_up(*, actor: Any, activity: Activity, volunteer: Volunteer) -> SignUp:
    """A place while there is one, else the end of the waiting list."""
    if not _may_act_for(actor, volunteer):
        raise ValidationError("无权为该志愿者报名。")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.ends_at <= timezone.now():
        raise ValidationError("活动已结束，不能报名。")
    existing = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if existing is not None and existing.status != SignUp.Status.CANCELLED:
        raise ValidationError("您已报名该活动。")
    taken = SignUp.objects.filter(activity=activity, status=SignUp.Status.CONFIRMED).count()
    signup = existing or SignUp(activity=activity, volunteer=volunteer)
    if taken < activity.capacity:
        signup.status, signup.waitlist_position = SignUp.Status.CONFIRMED, None
    else:
        last = SignUp.objects.filter(activity=activity, status=SignUp.Status.WAITING).aggregate(n=Max("waitlist_position"))["n"]
        signup.status, signup.waitlist_position = SignUp.Status.WAITING, (last or 0) + 1
    signup.save()
    audit.record(actor=actor, action="volunteers.sign_up", obj=signup, unit_code=activity.unit_id,
                 detail={"activity": activity.pk, "status": signup.status})
    return signup


@transaction.atomic
def cancel_sign_up(*, actor: Any, signup: SignUp) -> SignUp | None:
    """Cancel; a freed place goes to the first on the waiting list, who is notified. Returns the one moved up."""
    if not _may_act_for(actor, signup.volunteer):
        raise ValidationError("无权取消该报名。")
    activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.status == SignUp.Status.CANCELLED:
        raise ValidationError("该报名已取消。")
    if signup.checked_in_at is not None:
        raise ValidationError("已签到的报名不能取消。")
    freed = signup.status == SignUp.Status.CONFIRMED
    signup.status, signup.waitlist_position = SignUp.Status.CANCELLED, None
    signup.save(update_fields=["status", "waitlist_position"])
    moved = None
    if freed:
        moved = (SignUp.objects.select_for_update().filter(activity=activity, status=SignUp.Status.WAITING)
                 .order_by("waitlist_position", "pk").select_related("volunteer").first())
        if moved is not None:
            moved.status, moved.waitlist_position = SignUp.Status.CONFIRMED, None
            moved.save(update_fields=["status", "waitlist_position"])
            if moved.volunteer.account_id:
                notify.notify_user(moved.volunteer.account, f"候补成功：{activity.title}",
                                   f"有人取消报名，您已由候补转为正式报名。活动时间：{timezone.localtime(activity.starts_at):%Y-%m-%d %H:%M}。",
                                   url=f"/volunteers/activities/{activity.pk}/", kind="volunteers.moved_up")
    audit.record(actor=actor, action="volunteers.cancel_sign_up", obj=signup, unit_code=activity.unit_id,
                 detail={"activity": activity.pk, "moved_up": moved.pk if moved else None})
    return moved


# ---------------------------------------------------------------- check-in / check-out codes

def checkin_code(activity: Any, kind: str = "in", *, now: dt.datetime | None = None, salt: str = CODE_SALT) -> str:
    """The code the organiser's phone shows (as a QR): signed, naming the activity, the direction and the time slot.

    salt names whose activities the code is for (the activities module's community activities pass their own)."""
    if kind not in ("in", "out"):
        raise ValueError(kind)
    moment = now or timezone.now()
    slot = int(moment.timestamp()) // CODE_ROTATION_SECONDS
    return signing.dumps({"a": activity.pk, "k": kind, "s": slot}, salt=salt, compress=False)


def read_code(code: str, kind: str, now: dt.datetime, *, salt: str = CODE_SALT) -> int:
    """The activity id a code names, if it is genuine, of the right direction and still in its slot."""
    try:
        payload = signing.loads(str(code or "").strip(), salt=salt)
    except signing.BadSignature:
        raise ValidationError({"code": "签到码无效，请扫描组织者手机上显示的二维码。"}) from None
    if not isinstance(payload, dict) or payload.get("k") not in ("in", "out") or not isinstance(payload.get("a"), int):
        raise ValidationError({"code": "签到码无效，请扫描组织者手机上显示的二维码。"})
    if payload["k"] != kind:
        raise ValidationError({"code": "这是签退码，请扫描签到码。" if kind == "in" else "这是签到码，请扫描签退码。"})
    slot = int(now.timestamp()) // CODE_ROTATION_SECONDS
    if not isinstance(payload.get("s"), int) or not 0 <= slot - payload["s"] <= 1:
        raise ValidationError({"code": "签到码已过期，请重新扫描组织者手机上的最新二维码。"})
    return int(payload["a"])


def _window_check(activity: Activity, now: dt.datetime) -> None:
    if now < activity.starts_at - grace():
        raise ValidationError({"code": "活动尚未开始，暂不能签到。"})
    if now > activity.ends_at + grace():
        raise ValidationError({"code": "活动已结束，签到码已失效。"})


def _own_signup(actor: Any, activity_id: int) -> SignUp:
    signup = (SignUp.objects.select_for_update(of=("self",)).select_related("activity", "volunteer")
              .filter(activity_id=activity_id, volunteer__account=actor, status=SignUp.Status.CONFIRMED).first())
    if signup is None or getattr(actor, "pk", None) is None:
        raise ValidationError({"code": "您没有报名该活动（或仍在候补），不能签到。"})
    return signup


@transaction.atomic
def check_in(*, actor: Any, code: str, now: dt.datetime | None = None) -> SignUp:
    """A signed-up volunteer scans the organiser's code. A second scan (the same code or another) changes nothing."""
    now = now or timezone.now()
    signup = _own_signup(actor, read_code(code, "in", now))
    _window_check(signup.activity, now)
    if signup.checked_in_at is not None:
        raise ValidationError({"code": f"您已于 {timezone.localtime(signup.checked_in_at):%H:%M} 签到，不能重复签到。"})
    signup.checked_in_at = now
    signup.save(update_fields=["checked_in_at"])
    audit.record(actor=actor, action="volunteers.check_in", obj=signup, unit_code=signup.activity.unit_id,
                 detail={"activity": signup.activity_id, "by_hand": False})
    return signup


def _finish(signup: SignUp, now: dt.datetime) -> ServiceRecord:
    """Check out: the service record (unconfirmed) runs from check-in to check-out, inside the activity's window."""
    activity = signup.activity
    assert signup.checked_in_at is not None
    start, end = max(signup.checked_in_at, activity.starts_at), min(now, activity.ends_at)
    if end <= start:
        raise ValidationError({"code": "签到与签退之间没有活动时间，无法记录服务时长。"})
    signup.checked_out_at = now
    signup.save(update_fields=["checked_out_at"])
    return ServiceRecord.objects.create(volunteer=signup.volunteer, activity=activity, activity_name=activity.title,
                                        unit_id=activity.unit_id, started_at=start, ended_at=end)


@transaction.atomic
def check_out(*, actor: Any, code: str, now: dt.datetime | None = None) -> ServiceRecord:
    now = now or timezone.now()
    signup = _own_signup(actor, read_code(code, "out", now))
    _window_check(signup.activity, now)
    if signup.checked_in_at is None:
        raise ValidationError({"code": "您还没有签到，不能签退。"})
    if signup.checked_out_at is not None:
        raise ValidationError({"code": "您已签退，不能重复签退。"})
    record = _finish(signup, now)
    audit.record(actor=actor, action="volunteers.check_out", obj=record, detail={"activity": signup.activity_id})
    return record


@transaction.atomic
def check_by_hand(*, actor: Any, signup: SignUp, started_at: dt.datetime, ended_at: dt.datetime) -> ServiceRecord:
    """The organiser records someone without a phone: their check-in and check-out times."""
    signup = SignUp.objects.select_for_update(of=("self",)).select_related("activity", "volunteer").get(pk=signup.pk)
    _check_scope(actor, signup.activity.unit_id)
    if signup.status != SignUp.Status.CONFIRMED:
        raise ValidationError("只能为正式报名的志愿者签到。")
    if signup.checked_out_at is not None:
        raise ValidationError("该志愿者已签到签退，请在确认时长时修改。")
    if ended_at <= started_at:
        raise ValidationError("签退时间应晚于签到时间。")
    signup.checked_in_at = started_at
    record = _finish(signup, ended_at)
    audit.record(actor=actor, action="volunteers.check_by_hand", obj=record, detail={"activity": signup.activity_id})
    return record


@transaction.atomic
def confirm_record(*, actor: Any, record: ServiceRecord, started_at: dt.datetime | None = None,
                   ended_at: dt.datetime | None = None, reason: str = "") -> ServiceRecord:
    """The organiser confirms a record's hours; a changed time needs a reason and stays within the activity."""
    record = ServiceRecord.objects.select_for_update(of=("self",)).select_related("activity", "volunteer").get(pk=record.pk)
    _check_scope(actor, record.unit_id)
    start, end = started_at or record.started_at, ended_at or record.ended_at
    changed = (start, end) != (record.started_at, record.ended_at)
    reason = (reason or "").strip()
    if changed and not reason:
        raise ValidationError({"reason": "修改服务时长须填写原因。"})
    if end <= start:
        raise ValidationError({"ended_at": "结束时间应晚于开始时间。"})
    if end > timezone.now():
        raise ValidationError({"ended_at": "结束时间不能晚于现在。"})
    activity = record.activity
    if activity is not None:
        lasted = activity.ends_at - activity.starts_at
        if end - start > lasted:
            raise ValidationError({"ended_at": f"服务时长不能超过活动时长（{lasted.total_seconds() / 3600:.2f} 小时）。"})
        if start < activity.starts_at - grace() or end > activity.ends_at + grace():
            raise ValidationError({"started_at": "服务时间应在活动时间之内。"})
    before = (record.started_at.isoformat(), record.ended_at.isoformat())
    record.started_at, record.ended_at = start, end
    record.confirmed, record.confirmed_by, record.confirmed_at = True, actor, timezone.now()
    record.save()
    audit.record(actor=actor, action="volunteers.confirm_record", obj=record,
                 detail={"before": before if changed else None, "after": (start.isoformat(), end.isoformat()),
                         "reason": reason})
    _recompute_stars(record.volunteer)
    return record


def _recompute_stars(volunteer: Volunteer) -> None:
    """After a confirmation: notify a volunteer who has reached a new star level (once per level)."""
    reached = hours.star_level(hours.volunteer_hours(volunteer.pk))
    if reached > volunteer.stars_notified:
        Volunteer.objects.filter(pk=volunteer.pk).update(stars_notified=reached)
        if volunteer.account_id:
            notify.notify_user(volunteer.account, f"恭喜您成为{hours.STAR_LABELS[reached]}志愿者",
                               "您累计确认的志愿服务时长已达到新的星级。", url="/volunteers/me/", kind="volunteers.star")


# ---------------------------------------------------------------- service record certificates

def certificate_check(cert: Certificate) -> str:
    """The check part of a certificate's code: a keyed digest of what the certificate states."""
    from django.utils.crypto import salted_hmac

    stated = f"{cert.token}|{cert.total_hours:.2f}|{cert.period_start}|{cert.period_end}|{cert.unit_id}|{cert.volunteer_id}"
    return salted_hmac("volunteers.certificate", stated).hexdigest()[:8].upper()


def certificate_code(cert: Certificate) -> str:
    return f"{cert.token}-{certificate_check(cert)}"


@transaction.atomic
def issue_certificate(*, actor: Any, volunteer: Volunteer) -> Certificate:
    """A certificate of the volunteer's confirmed service so far (their own, or by staff of their subtree)."""
    import secrets
    from decimal import Decimal


    if not _may_act_for(actor, volunteer):
        raise ValidationError("无权为该志愿者出具证明。")
    records = ServiceRecord.objects.filter(volunteer=volunteer, confirmed=True)
    first = records.order_by("started_at").values_list("started_at", flat=True).first()
    last = records.order_by("-ended_at").values_list("ended_at", flat=True).first()
    if first is None or last is None:
        raise ValidationError("暂无已确认的服务记录，不能出具证明。")
    total = Decimal(f"{hours.volunteer_hours(volunteer.pk):.2f}")
    cert = Certificate.objects.create(
        volunteer=volunteer, unit_id=volunteer.unit_id, token=secrets.token_hex(5).upper(), total_hours=total,
        period_start=timezone.localtime(first).date(), period_end=timezone.localtime(last).date(),
        issued_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="volunteers.issue_certificate", obj=cert,
                 detail={"volunteer": volunteer.pk, "hours": str(total)})
    return cert


def verify_certificate(code: str) -> tuple[Certificate | None, str]:
    """(certificate, "") when the code is genuine; (None, reason) when it is unknown or altered."""
    from django.utils.crypto import constant_time_compare


    token, _, check = str(code or "").strip().upper().partition("-")
    cert = Certificate.objects.select_related("volunteer", "unit").filter(token=token).first() if token else None
    if cert is None:
        return None, "未找到该证明编号。"
    if not constant_time_compare(check, certificate_check(cert)):
        return None, "证明编号与出具记录不符，该证明可能已被篡改。"
    return cert, ""


# ---------------------------------------------------------------- serving party members (在职党员到社区报到)

def find_department(text: str) -> Any:
    """A department by code, name or one of its aliases (工作单位), or None."""
    from places.models import Department

    text = str(text or "").strip()
    if not text:
        return None
    for dept in Department.objects.all():
        if text in {dept.code, dept.name, *[a for a in dept.aliases.split("|") if a]}:
            return dept
    return None


def party_member_columns(*, name: str, id_number: str, phone: str, actor: Any) -> dict[str, Any]:
    """Name, ID card and phone checked by the register's rules; the encrypted, hashed and masked columns."""
    cleaned = _identity({"name": name, "id_type": IdType.ID_CARD, "id_number": id_number, "phone": phone}, actor=actor)
    number, phone = cleaned["id_number"], cleaned.get("phone", "")
    return {"name": cleaned["name"], "id_number_enc": crypto.encrypt(number), "id_number_hash": crypto.search_hash(number),
            "id_number_masked": mask_id(number), "phone_enc": crypto.encrypt(phone), "phone_hash": crypto.search_hash(phone),
            "phone_masked": mask_phone(phone)}


@transaction.atomic
def add_party_member(*, actor: Any, name: str, id_number: str, phone: str, work_unit: Any,
                     residence_code: str) -> PartyMember:
    """A work unit's party organisation puts one of its serving members on its roster (its own department only)."""
    if actor is not None and not (getattr(actor, "role", "") == Role.DEPARTMENT_STAFF
                                  and actor.department_id == getattr(work_unit, "pk", None)):
        raise ValidationError("只能登记本单位的在职党员。")
    if work_unit is None:
        raise ValidationError({"work_unit": "请填写工作单位（系统中的部门）。"})
    columns = party_member_columns(name=name, id_number=id_number, phone=phone, actor=actor)
    residence = _village(residence_code)
    if PartyMember.objects.filter(id_number_hash=columns["id_number_hash"]).exists():
        raise ValidationError({"id_number": "该党员已在名册中。"})
    member = PartyMember.objects.create(work_unit=work_unit, residence=residence, **columns)
    audit.record(actor=actor, action="volunteers.add_party_member", obj=member, unit_code=residence.code,
                 detail={"work_unit": work_unit.code})
    return member


@transaction.atomic
def report_to_community(*, actor: Any, member: PartyMember, reported_on: dt.date, posts: Iterable[str]) -> PartyReport:
    """报到 recorded at the community where the member lives (its staff), with the posts claimed (认岗)."""
    _check_scope(actor, member.residence_id)
    inputs.check_date(reported_on, label="报到日期", past=True)
    claimed = _choices(posts, Post.values, "posts", "认领岗位不在可选范围内。")
    if not claimed:
        raise ValidationError({"posts": "请至少认领一个岗位。"})
    if PartyReport.objects.filter(member=member, reported_on=reported_on).exists():
        raise ValidationError("该党员当日已报到。")
    report = PartyReport.objects.create(member=member, unit_id=member.residence_id, reported_on=reported_on,
                                        posts=claimed)
    audit.record(actor=actor, action="volunteers.party_report", obj=report, detail={"member": member.pk})
    return report


@transaction.atomic
def confirm_report(*, actor: Any, report: PartyReport) -> PartyReport:
    """The community confirms a report; only a confirmed report counts for the reporting rate."""
    report = PartyReport.objects.select_for_update().get(pk=report.pk)
    _check_scope(actor, report.unit_id)
    if report.confirmed:
        raise ValidationError("该报到已确认。")
    report.confirmed, report.confirmed_by, report.confirmed_at = True, actor, timezone.now()
    report.save(update_fields=["confirmed", "confirmed_by", "confirmed_at"])
    audit.record(actor=actor, action="volunteers.confirm_party_report", obj=report)
    return report


# ---------------------------------------------------------------- volunteer tasks (care visits and requests)

# The register's tags as the activity target groups they belong to (专栏1.3).
TAG_TARGET = {"empty_nest": TargetGroup.EMPTY_NEST, "living_alone": TargetGroup.EMPTY_NEST,
              "left_behind_elderly": TargetGroup.LEFT_BEHIND_ELDERLY, "special_hardship_elderly": TargetGroup.HARDSHIP,
              "dibao": TargetGroup.HARDSHIP, "tekun": TargetGroup.HARDSHIP, "disabled": TargetGroup.DISABLED,
              "severe_disability": TargetGroup.DISABLED, "left_behind_child": TargetGroup.LEFT_BEHIND_CHILDREN}
TASK_LONGEST = dt.timedelta(hours=12)


def _team_for(actor: Any, team: Team, unit_code: str) -> None:
    _check_scope(actor, unit_code)
    if not unit_code.startswith(team.unit.prefix):
        raise ValidationError({"team": "承接队伍应为本村（社区）或上级单位的队伍。"})


@transaction.atomic
def hand_visit(*, actor: Any, due: Any, team: Team, note: str = "") -> Any:
    """A community hands a due care visit to a team: the task names the person (masked), the address and the need."""
    from care.models import DueVisit
    from people.masking import mask_name
    from volunteers.models import VolunteerTask

    due = DueVisit.objects.select_for_update(of=("self",)).select_related("resident").get(pk=due.pk)
    _team_for(actor, team, due.unit_id)
    if due.visited_on is not None or due.removed_on is not None:
        raise ValidationError("该探访任务已完成或已撤销，不能再派给志愿者。")
    if VolunteerTask.objects.filter(due_visit=due).exists():
        raise ValidationError("该探访任务已派给志愿服务队。")
    note = (note or "").strip()[:500]
    person = due.resident
    brief = f"服务对象：{mask_name(person.name)}\n地址：{person.current_address or '请向社区了解'}\n" \
            f"探访周期：{due.period_start} 至 {due.period_end}" + (f"\n说明：{note}" if note else "")
    task = VolunteerTask.objects.create(unit_id=due.unit_id, team=team, kind=VolunteerTask.Kind.VISIT, due_visit=due,
                                        target_group=TAG_TARGET.get(due.tag, TargetGroup.HARDSHIP),
                                        title=f"上门探访 {mask_name(person.name)}", brief=brief, handed_by=actor)
    audit.record(actor=actor, action="volunteers.hand_visit", obj=task, detail={"due_visit": due.pk, "team": team.pk})
    _tell_team(task)
    return task


@transaction.atomic
def hand_request(*, actor: Any, appeal: Any, team: Team, brief: str) -> Any:
    """The handling unit hands an accepted request to a team; the brief is what the volunteer needs (typed by staff)."""
    from appeals.models import State
    from appeals.services.permissions import require_handler
    from volunteers.models import VolunteerTask

    require_handler(actor, appeal)
    _team_for(actor, team, appeal.unit_id)
    if appeal.state not in (State.ACCEPTED, State.IN_PROGRESS, State.REOPENED):
        raise ValidationError("只有已签收、办理中的诉求可以派给志愿服务队。")
    if VolunteerTask.objects.filter(appeal=appeal, status__in=["open", "taken"]).exists():
        raise ValidationError("该诉求已派给志愿服务队。")
    brief = (brief or "").strip()
    if not brief or len(brief) > 1000:
        raise ValidationError({"brief": "请填写志愿者需要知道的内容（不超过1000字，不要写身份证号）。"})
    task = VolunteerTask.objects.create(unit_id=appeal.unit_id, team=team, kind=VolunteerTask.Kind.REQUEST,
                                        appeal=appeal, title=f"诉求协办 {appeal.tracking_no}", brief=brief,
                                        handed_by=actor)
    audit.record(actor=actor, action="volunteers.hand_request", obj=task, detail={"appeal": appeal.pk, "team": team.pk})
    _tell_team(task)
    return task


def _tell_team(task: Any) -> None:
    for member in task.team.members.exclude(account=None).select_related("account"):
        notify.notify_user(member.account, f"新的志愿任务：{task.title}", "您所在的志愿服务队有一项新任务待认领。",
                           url=f"/volunteers/tasks/{task.pk}/", kind="volunteers.task")


@transaction.atomic
def take_task(*, actor: Any, task: Any) -> Any:
    """A member of the team takes an open task (of two taking at once, one gets it)."""
    from volunteers.models import VolunteerTask

    person = Volunteer.objects.filter(account=actor, teams=task.team_id).first() if getattr(actor, "pk", None) else None
    if person is None:
        raise ValidationError("只有承接队伍的队员可以认领该任务。")
    if not VolunteerTask.objects.filter(pk=task.pk, status=VolunteerTask.Status.OPEN).update(
            status=VolunteerTask.Status.TAKEN, volunteer=person):
        raise ValidationError("该任务已被认领或已结束。")
    audit.record(actor=actor, action="volunteers.take_task", obj=task, unit_code=task.unit_id)
    return VolunteerTask.objects.get(pk=task.pk)


@transaction.atomic
def complete_task(*, actor: Any, task: Any, started_at: dt.datetime, ended_at: dt.datetime, outcome: str,
                  checks: Mapping[str, str] | None = None) -> ServiceRecord:
    """The volunteer who took the task reports it done. The visit is recorded (or the request replied to) as the staff
    member who handed it over would have; the volunteer gets a confirmed service record of the time given."""
    from volunteers.models import VolunteerTask

    task = VolunteerTask.objects.select_for_update(of=("self",)).select_related("volunteer", "handed_by").get(pk=task.pk)
    if task.status != VolunteerTask.Status.TAKEN or task.volunteer is None or task.volunteer.account_id != actor.pk:
        raise ValidationError("只有认领该任务的志愿者可以提交完成情况。")
    if not isinstance(started_at, dt.datetime) or not isinstance(ended_at, dt.datetime) or ended_at <= started_at:
        raise ValidationError({"ended_at": "请填写服务开始和结束时间，结束应晚于开始。"})
    if ended_at > timezone.now():
        raise ValidationError({"ended_at": "结束时间不能晚于现在。"})
    if ended_at - started_at > TASK_LONGEST:
        raise ValidationError({"ended_at": "一次任务的服务时长不能超过12小时。"})
    if started_at < task.created_at - dt.timedelta(minutes=1):
        raise ValidationError({"started_at": "服务时间不能早于任务派出时间。"})
    outcome = (outcome or "").strip()
    if not outcome or len(outcome) > 1000:
        raise ValidationError({"outcome": "请填写完成情况（不超过1000字）。"})
    staff = task.handed_by
    if task.kind == VolunteerTask.Kind.VISIT:
        from care.services.visits import record_visit

        checks = dict(checks or {})
        due = task.due_visit
        assert due is not None
        visit = record_visit(actor=staff, resident=due.resident, visited_at=started_at,
                             method=checks.get("method", "home"), health=checks.get("health", ""),
                             home_safety=checks.get("home_safety", ""), living=checks.get("living", ""),
                             mood=checks.get("mood", ""), needs=checks.get("needs", "")[:200],
                             needs_action=bool(checks.get("needs")), notes=outcome, visitor_name=task.volunteer.name)
        task.visit = visit
    else:
        from appeals.services.workflow import reply

        reply(appeal=task.appeal, actor=staff, text=f"{outcome}（志愿者 {task.volunteer.name} 协助办理）")
    task.status, task.outcome, task.done_at = VolunteerTask.Status.DONE, outcome, timezone.now()
    task.save(update_fields=["status", "outcome", "done_at", "visit"])
    record = ServiceRecord.objects.create(volunteer=task.volunteer, task=task, activity_name=task.title,
                                          unit_id=task.unit_id, started_at=started_at, ended_at=ended_at,
                                          confirmed=True, confirmed_by=staff, confirmed_at=timezone.now())
    audit.record(actor=actor, action="volunteers.complete_task", obj=task,
                 detail={"record": record.pk, "hours": round(record.duration_hours, 2)})
    _recompute_stars(task.volunteer)
    return record


# ---------------------------------------------------------------- 时间银行 (time bank)

ELDERLY_TARGETS = {str(TargetGroup.EMPTY_NEST), str(TargetGroup.LEFT_BEHIND_ELDERLY)}


def is_elderly_care(record: ServiceRecord) -> bool:
    """Service that may be banked: an activity for elderly people or in 助老助残, or a care-visit task."""
    activity, task = record.activity, record.task
    if activity is not None:
        return str(activity.target_group) in ELDERLY_TARGETS or activity.category == ServiceCategory.ELDERLY_DISABLED
    if task is not None:
        return str(task.kind) == "visit"
    return False


def _account(volunteer: Volunteer) -> Any:
    from volunteers.models import TimeBankAccount

    TimeBankAccount.objects.get_or_create(volunteer=volunteer, defaults={"unit_id": volunteer.unit_id})
    return TimeBankAccount.objects.select_for_update().get(volunteer=volunteer)


@transaction.atomic
def bank_record(*, actor: Any, record: ServiceRecord) -> Any:
    """Bank a confirmed elderly-care service record as credits (the volunteer or staff of their subtree).

    The credit is the time this record adds to what is already banked (overlaps counted once, like hours)."""
    from decimal import Decimal

    from volunteers.models import TimeBankEntry

    record = ServiceRecord.objects.select_related("activity", "task", "volunteer").get(pk=record.pk)
    if not _may_act_for(actor, record.volunteer):
        raise ValidationError("无权为该志愿者存入时间。")
    if not record.confirmed:
        raise ValidationError("服务时长确认后才能存入时间银行。")
    if not is_elderly_care(record):
        raise ValidationError("只有为老年人服务（助老类活动或探访任务）的时长可以存入时间银行。")
    account = _account(record.volunteer)
    if TimeBankEntry.objects.filter(earned_by=record).exists():
        raise ValidationError("该服务记录已存入时间银行。")
    banked = list(ServiceRecord.objects.filter(time_credit__account=account).values_list("started_at", "ended_at"))
    added = (hours.merged_seconds([*banked, (record.started_at, record.ended_at)]) - hours.merged_seconds(banked)) / 3600
    amount = Decimal(f"{added:.2f}")
    if amount <= 0:
        raise ValidationError("该时段已计入时间银行，不能重复存入。")
    account.balance += amount
    account.save(update_fields=["balance"])
    entry = TimeBankEntry.objects.create(account=account, kind=TimeBankEntry.Kind.EARN, hours=amount,
                                         balance_after=account.balance, earned_by=record, service=record.activity_name,
                                         beneficiary="", actor=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="volunteers.bank_time", obj=entry, unit_code=account.unit_id,
                 detail={"record": record.pk, "hours": str(amount)})
    return entry


@transaction.atomic
def name_family_member(*, actor: Any, volunteer: Volunteer, name: str) -> Any:
    """The volunteer names the one family member who may also use their credits."""
    if not _may_act_for(actor, volunteer):
        raise ValidationError("无权修改该账户。")
    name = (name or "").strip()
    if len(name) > 50:
        raise ValidationError({"family_member": "姓名不能超过50个字。"})
    account = _account(volunteer)
    account.family_member = name
    account.save(update_fields=["family_member"])
    audit.record(actor=actor, action="volunteers.time_bank_family", obj=account, unit_code=account.unit_id)
    return account


@transaction.atomic
def spend_credits(*, actor: Any, volunteer: Volunteer, hours_text: Any, used_for: ServiceRecord,
                  beneficiary: str) -> Any:
    """Community staff record credits spent on a care service given to the volunteer or the family member they named.

    The account row is locked and the balance is taken down only while it covers the spend, so two spends at the
    same moment cannot both take the last credit and the balance never goes negative."""
    from decimal import Decimal, InvalidOperation

    from volunteers.models import TimeBankAccount, TimeBankEntry

    _check_scope(actor, volunteer.unit_id)
    try:
        amount = Decimal(str(hours_text).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": "请填写使用的小时数，如 1.5。"}) from None
    if amount <= 0 or amount > 1000:
        raise ValidationError({"hours": "使用的小时数应大于0。"})
    account = TimeBankAccount.objects.select_for_update().filter(volunteer=volunteer).first()
    if account is None:
        raise ValidationError("该志愿者还没有时间银行存入记录。")
    beneficiary = (beneficiary or "").strip()
    if beneficiary not in {volunteer.name, account.family_member} or not beneficiary:
        raise ValidationError({"beneficiary": "服务对象应为志愿者本人或其指定的家人。"})
    used_for = ServiceRecord.objects.select_related("activity", "task").get(pk=used_for.pk)
    if not used_for.confirmed or not is_elderly_care(used_for) or used_for.volunteer_id == volunteer.pk:
        raise ValidationError({"used_for": "请选择一次已确认的、由其他志愿者提供的为老服务。"})
    if amount > Decimal(f"{used_for.duration_hours:.2f}"):
        raise ValidationError({"hours": "使用的小时数不能超过该次服务的时长。"})
    if amount > account.balance:
        raise ValidationError({"hours": f"时间银行余额不足（余额 {account.balance} 小时）。"})
    from django.db.models import F

    if not TimeBankAccount.objects.filter(pk=account.pk, balance__gte=amount).update(balance=F("balance") - amount):
        raise ValidationError({"hours": "时间银行余额不足。"})
    account.refresh_from_db(fields=["balance"])
    entry = TimeBankEntry.objects.create(account=account, kind=TimeBankEntry.Kind.SPEND, hours=amount,
                                         balance_after=account.balance, used_for=used_for,
                                         service=used_for.activity_name, beneficiary=beneficiary, actor=actor)
    audit.record(actor=actor, action="volunteers.spend_time", obj=entry, unit_code=account.unit_id,
                 detail={"hours": str(amount), "used_for": used_for.pk})
    return entry

"""Every write of the activities module: one function each, atomic, scoped and audited.

Bad input raises ValidationError with a Chinese message and writes nothing. Spaces are booked through
facilities.services.book_space (its slot and overlap rules); check-in codes are volunteers.services' signed,
rotating codes under this module's own salt; a completed project updates the facility register through
facilities.services in the same transaction.
"""

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.roles import Role
from accounts.scoping import can_see_unit, scope_prefix
from activities.models import (
    ACTION_OF_KIND,
    DEFAULT_RETENTION,
    ActivityPhoto,
    ArchiveEntry,
    ArchiveKind,
    Audience,
    CommunityActivity,
    Funding,
    FundingSource,
    JointMeeting,
    Kind,
    MeetingTask,
    Milestone,
    Participation,
    Pilot,
    PilotKind,
    Project,
    ProjectKind,
    ProjectState,
    Rating,
    Retention,
)
from places.models import OrgUnit
from shequ import inputs
from volunteers import services as volunteer_services
from web import notify

CODE_SALT = "activities.checkin"
REMIND_HOURS = 24
ARCHIVE_MAX_BYTES = 20 * 1024 * 1024
ARCHIVE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".ofd")
# The three 专栏3 projects and new builds create (or improve) a comprehensive facility.
COMPREHENSIVE_KINDS = {ProjectKind.VILLAGE_UPGRADE, ProjectKind.RELOCATION, ProjectKind.OLD_ESTATE, ProjectKind.NEW_BUILD}


def is_staff(user: Any) -> bool:
    return scope_prefix(user) is not None


def _check_scope(actor: Any, unit_code: str) -> None:
    if not can_see_unit(actor, unit_code):
        raise ValidationError("无权操作该单位的数据。")


def _village(code: Any, field: str = "unit_code") -> OrgUnit:
    unit = OrgUnit.objects.filter(code=str(code or "").strip()).first()
    if unit is None:
        raise ValidationError({field: "请选择所属村（社区）。"})
    if unit.level != OrgUnit.Level.VILLAGE:
        raise ValidationError({field: "请选择村（社区）一级的单位。"})
    return unit


def _text(data: Mapping[str, Any], key: str, label: str, limit: int, *, required: bool = True) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise ValidationError({key: f"请填写{label}。"})
    if len(value) > limit:
        raise ValidationError({key: f"{label}不能超过{limit}个字。"})
    return value


# ---------------------------------------------------------------- community activities

@transaction.atomic
def publish_activity(*, actor: Any, data: Mapping[str, Any]) -> CommunityActivity:
    """data: unit_code, kind, title, description, audience, organiser, place, starts_at, ends_at, capacity,
    facility (Facility or None), space (Space or None: booked now through the booking rules)."""
    if not is_staff(actor):
        raise ValidationError("只有工作人员可以发布社区活动。")
    unit = _village(data.get("unit_code"))
    _check_scope(actor, unit.code)
    errors: dict[str, str] = {}
    if data.get("kind") not in Kind.values:
        errors["kind"] = "请选择活动类别。"
    if data.get("audience") not in Audience.values:
        errors["audience"] = "请选择参与对象。"
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime):
        errors["starts_at"] = "请填写开始和结束时间。"
    elif ends_at <= starts_at:
        errors["ends_at"] = "结束时间应晚于开始时间。"
    elif ends_at - starts_at > dt.timedelta(days=7):
        errors["ends_at"] = "一次活动不能超过7天，请分为多次发布。"
    elif starts_at <= timezone.now():
        errors["starts_at"] = "开始时间应晚于现在。"
    elif message := inputs.date_error(timezone.localtime(starts_at).date(), label="开始时间"):
        errors["starts_at"] = message
    capacity = data.get("capacity")
    if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        errors["capacity"] = "名额应为1至10000。"
    facility, space = data.get("facility"), data.get("space")
    if facility is not None and facility.unit_id != unit.code:
        errors["facility"] = "活动设施应为本村（社区）的设施。"
    if space is not None and space.unit_id != unit.code:
        errors["space"] = "预约场地应为本村（社区）的场地。"
    try:
        title = _text(data, "title", "活动名称", 100)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        title = ""
    try:
        organiser = _text(data, "organiser", "组织单位", 100)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        organiser = ""
    place = str(data.get("place") or "").strip()[:200] or (space.name if space else facility.name if facility else "")
    if not place:
        errors["place"] = "请填写活动地点，或选择设施、场地。"
    if errors:
        raise ValidationError(errors)
    assert isinstance(starts_at, dt.datetime) and isinstance(ends_at, dt.datetime) and isinstance(capacity, int)
    booking = None
    if space is not None:
        booking = _book(actor, space, starts_at, ends_at, title, capacity, organiser)
        facility = facility or space.facility
    activity = CommunityActivity.objects.create(
        unit=unit, kind=data["kind"], title=title, description=str(data.get("description") or "").strip()[:5000],
        audience=data["audience"], organiser=organiser, facility=facility, booking=booking, place=place,
        starts_at=starts_at, ends_at=ends_at, capacity=capacity, action_number=ACTION_OF_KIND.get(data["kind"]),
        created_by=actor)
    audit.record(actor=actor, action="activities.publish", obj=activity,
                 detail={"booking": booking.pk if booking else None, "kind": activity.kind})
    return activity


def _book(actor: Any, space: Any, starts_at: dt.datetime, ends_at: dt.datetime, title: str, capacity: int,
          organiser: str) -> Any:
    """The activity's space, booked by the facilities module's rules (slots, opening, overlaps, horizon)."""
    from facilities import services as facility_services

    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes % space.slot_minutes:
        raise ValidationError({"ends_at": f"该场地按 {space.slot_minutes} 分钟一段预约，活动时长应为其整数倍。"})
    try:
        return facility_services.book_space(actor=actor, space=space, starts_at=starts_at,
                                            slots=int(minutes // space.slot_minutes), purpose=title,
                                            attendees=min(capacity, space.capacity), organisation=organiser)
    except PermissionError:
        raise ValidationError({"space": "无权预约该场地。"}) from None
    except ValidationError as exc:
        found = exc.message_dict if hasattr(exc, "error_dict") else {"space": exc.messages}
        raise ValidationError({("space" if key in ("starts_at", "space", "__all__") else key): value
                               for key, value in found.items()}) from None


def _age_on(account: Any, day: dt.date) -> int | None:
    record = getattr(account, "resident_record", None)
    if record is None or record.birth_date is None:
        return None
    born = record.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@transaction.atomic
def sign_up(*, actor: Any, activity: CommunityActivity, account: Any = None) -> Participation:
    """A resident takes a place in an activity of their area while places remain.

    Staff may sign up a resident of their subtree who has no phone (代报名): account names that resident's account.
    """
    if account is not None and account != actor:
        if not is_staff(actor) or getattr(account, "role", "") != Role.RESIDENT \
                or not can_see_unit(actor, account.unit_id or ""):
            raise ValidationError("只能为本辖区的居民代报名。")
        _check_scope(actor, activity.unit_id)
    else:
        account = actor
    if getattr(account, "role", "") != Role.RESIDENT:
        raise ValidationError("请使用居民账户报名，或选择要代报名的居民。")
    activity = CommunityActivity.objects.select_for_update().get(pk=activity.pk)
    if not CommunityActivity.objects.visible_to(account).filter(pk=activity.pk).exists():
        raise ValidationError("只能报名本乡镇（街道）范围内的活动。")
    if activity.cancelled:
        raise ValidationError("该活动已取消。")
    if activity.starts_at <= timezone.now():
        raise ValidationError("活动已开始，不能报名。")
    existing = Participation.objects.filter(activity=activity, account=account).first()
    if existing is not None and existing.status == Participation.Status.SIGNED_UP:
        raise ValidationError("您已报名该活动。" if account == actor else "该居民已报名该活动。")
    taken = Participation.objects.filter(activity=activity, status=Participation.Status.SIGNED_UP).count()
    if taken >= activity.capacity:
        raise ValidationError("该活动名额已满。")
    joined = existing or Participation(activity=activity, unit_id=activity.unit_id, account=account)
    joined.status = Participation.Status.SIGNED_UP
    joined.age = _age_on(account, timezone.localtime(activity.starts_at).date())
    joined.save()
    audit.record(actor=actor, action="activities.sign_up", obj=joined,
                 detail={"activity": activity.pk, "on_behalf": account != actor})
    return joined


@transaction.atomic
def cancel_sign_up(*, actor: Any, participation: Participation) -> Participation:
    participation = Participation.objects.select_for_update().select_related("activity").get(pk=participation.pk)
    if participation.account_id != getattr(actor, "pk", None) and not can_see_unit(actor, participation.unit_id):
        raise ValidationError("无权取消该报名。")
    if participation.status == Participation.Status.CANCELLED:
        raise ValidationError("该报名已取消。")
    if participation.checked_in_at is not None or participation.attended:
        raise ValidationError("已签到的报名不能取消。")
    participation.status = Participation.Status.CANCELLED
    participation.save(update_fields=["status"])
    audit.record(actor=actor, action="activities.cancel_sign_up", obj=participation,
                 detail={"activity": participation.activity_id})
    return participation


def checkin_code(activity: CommunityActivity, *, now: dt.datetime | None = None) -> str:
    """The organiser's QR: the volunteers module's signed one-minute code, under this module's salt."""
    return volunteer_services.checkin_code(activity, "in", now=now, salt=CODE_SALT)


@transaction.atomic
def check_in(*, actor: Any, code: str, now: dt.datetime | None = None) -> Participation:
    """A signed-up resident scans the organiser's code; a second check-in is refused and changes nothing."""
    now = now or timezone.now()
    activity_id = volunteer_services.read_code(code, "in", now, salt=CODE_SALT)
    joined = (Participation.objects.select_for_update(of=("self",)).select_related("activity")
              .filter(activity_id=activity_id, account_id=getattr(actor, "pk", None),
                      status=Participation.Status.SIGNED_UP).first())
    if joined is None:
        raise ValidationError({"code": "您没有报名该活动，不能签到。"})
    activity = joined.activity
    if now < activity.starts_at - volunteer_services.grace():
        raise ValidationError({"code": "活动尚未开始，暂不能签到。"})
    if now > activity.ends_at + volunteer_services.grace():
        raise ValidationError({"code": "活动已结束，签到码已失效。"})
    if joined.checked_in_at is not None:
        raise ValidationError({"code": f"您已于 {timezone.localtime(joined.checked_in_at):%H:%M} 签到，不能重复签到。"})
    joined.checked_in_at, joined.attended = now, True
    joined.save(update_fields=["checked_in_at", "attended"])
    audit.record(actor=actor, action="activities.check_in", obj=joined, detail={"activity": activity.pk})
    return joined


@transaction.atomic
def record_attendance(*, actor: Any, activity: CommunityActivity, attended: Iterable[int]) -> int:
    """The organiser records who came (those without a phone included): the ids of participations attended."""
    _check_scope(actor, activity.unit_id)
    if activity.starts_at > timezone.now():
        raise ValidationError("活动开始后才能登记出席。")
    chosen = {int(pk) for pk in attended}
    rows = Participation.objects.filter(activity=activity, status=Participation.Status.SIGNED_UP)
    unknown = chosen - set(rows.values_list("pk", flat=True))
    if unknown:
        raise ValidationError("出席名单中有未报名该活动的人员。")
    came = rows.filter(pk__in=chosen).update(attended=True)
    rows.exclude(pk__in=chosen).filter(checked_in_at__isnull=True).update(attended=False)
    audit.record(actor=actor, action="activities.attendance", obj=activity, detail={"attended": sorted(chosen)})
    return came


@transaction.atomic
def add_photo(*, actor: Any, activity: CommunityActivity, upload: Any) -> ActivityPhoto:
    from facilities.services import _read_image  # the one image check (size, real image, JPEG/PNG/WebP)

    _check_scope(actor, activity.unit_id)
    suffix, _w, _h, raw = _read_image(upload)
    digest = hashlib.sha256(raw).hexdigest()
    photo = ActivityPhoto(activity=activity, checksum=digest, uploaded_by=actor)
    photo.image.save(f"photo.{suffix}", ContentFile(raw), save=False)
    photo.save()
    audit.record(actor=actor, action="activities.add_photo", obj=activity, detail={"photo": photo.pk})
    return photo


@transaction.atomic
def rate(*, actor: Any, participation: Participation, level: Any, note: str = "") -> Participation:
    """好差评: a resident who attended rates the activity once, after it has started."""
    participation = Participation.objects.select_for_update(of=("self",)).select_related("activity").get(pk=participation.pk)
    if participation.account_id != getattr(actor, "pk", None):
        raise ValidationError("只能评价自己参加的活动。")
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Rating.values:
        raise ValidationError({"rating": "请选择评价（非常满意 至 非常不满意）。"})
    if not participation.attended:
        raise ValidationError("参加（签到）后才能评价。")
    if participation.rating is not None:
        raise ValidationError("您已评价过该活动。")
    note = str(note or "").strip()
    if len(note) > 200:
        raise ValidationError({"rating_note": "评价意见不能超过200个字。"})
    if level <= 2 and not note:
        raise ValidationError({"rating_note": "不满意时请写明原因，便于改进。"})
    participation.rating, participation.rating_note, participation.rated_at = level, note, timezone.now()
    participation.save(update_fields=["rating", "rating_note", "rated_at"])
    audit.record(actor=actor, action="activities.rate", obj=participation, detail={"rating": level})
    return participation


def send_reminders(*, now: dt.datetime | None = None, hours: int = REMIND_HOURS) -> int:
    """Remind residents signed up to an activity starting within `hours`; each sign-up once."""
    now = now or timezone.now()
    due = (Participation.objects.filter(status=Participation.Status.SIGNED_UP, reminded_at__isnull=True,
                                        activity__cancelled=False, activity__starts_at__gt=now,
                                        activity__starts_at__lte=now + dt.timedelta(hours=hours))
           .select_related("activity", "account"))
    sent = 0
    for joined in due:
        with transaction.atomic():
            if not Participation.objects.filter(pk=joined.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            activity = joined.activity
            notify.notify_user(joined.account, f"活动提醒：{activity.title}",
                               f"{timezone.localtime(activity.starts_at):%m月%d日 %H:%M}，{activity.place}",
                               url=f"/activities/{activity.pk}/", kind="activities.reminder")
            sent += 1
    return sent


# ---------------------------------------------------------------- the building programme

def _date(data: Mapping[str, Any], key: str, label: str, *, required: bool = True, past: bool = False) -> dt.date | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            raise ValidationError({key: f"请填写{label}。"})
        return None
    if not isinstance(value, dt.date):
        raise ValidationError({key: f"{label}格式应为 YYYY-MM-DD。"})
    if message := inputs.date_error(value, label=label, past=past):
        raise ValidationError({key: message})
    return value


@transaction.atomic
def create_project(*, actor: Any, data: Mapping[str, Any]) -> Project:
    """data: unit_code, kind, name, facility (Facility or None), facility_name, contractor, planned_start, planned_end."""
    unit = _village(data.get("unit_code"))
    _check_scope(actor, unit.code)
    if data.get("kind") not in ProjectKind.values:
        raise ValidationError({"kind": "请选择项目类型。"})
    name = _text(data, "name", "项目名称", 100)
    facility = data.get("facility")
    if facility is not None and facility.unit_id != unit.code:
        raise ValidationError({"facility": "提升的设施应为本村（社区）的设施。"})
    facility_name = str(data.get("facility_name") or "").strip()[:100]
    if facility is None and not facility_name:
        raise ValidationError({"facility_name": "新建设施请填写设施名称；提升已有设施请选择该设施。"})
    start = _date(data, "planned_start", "计划开工日期")
    end = _date(data, "planned_end", "计划完工日期")
    assert start is not None and end is not None
    if end < start:
        raise ValidationError({"planned_end": "计划完工日期不能早于计划开工日期。"})
    if Project.objects.filter(unit=unit, name=name).exists():
        raise ValidationError({"name": "本村（社区）已有同名项目。"})
    project = Project.objects.create(unit=unit, kind=data["kind"], name=name, facility=facility,
                                     facility_name=facility_name, contractor=_text(data, "contractor", "承建单位", 100,
                                                                                   required=False),
                                     planned_start=start, planned_end=end, created_by=actor)
    audit.record(actor=actor, action="activities.project_create", obj=project)
    return project


@transaction.atomic
def add_funding(*, actor: Any, project: Project, source: str, amount: Any) -> Funding:
    _check_scope(actor, project.unit_id)
    if source not in FundingSource.values:
        raise ValidationError({"source": "请选择资金来源。"})
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": "金额应为数字（万元）。"}) from None
    if not Decimal("0") < value <= Decimal("9999999999"):
        raise ValidationError({"amount": "金额应大于0。"})
    funding = Funding.objects.create(project=project, source=source, amount=value)
    audit.record(actor=actor, action="activities.project_funding", obj=project, detail={"source": source, "amount": str(value)})
    return funding


@transaction.atomic
def add_milestone(*, actor: Any, project: Project, reached_on: Any, title: str, upload: Any = None) -> Milestone:
    """A milestone (开工, 主体完工 …) with an optional photo; the first one marks the project started."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_scope(actor, project.unit_id)
    day = _date({"reached_on": reached_on}, "reached_on", "日期", past=True)
    assert day is not None
    title = _text({"title": title}, "title", "节点名称", 100)
    milestone = Milestone(project=project, reached_on=day, title=title)
    if upload:
        from facilities.services import _read_image

        suffix, _w, _h, raw = _read_image(upload)
        milestone.checksum = hashlib.sha256(raw).hexdigest()
        milestone.photo.save(f"photo.{suffix}", ContentFile(raw), save=False)
    milestone.save()
    if project.started_on is None:
        project.started_on, project.state = day, ProjectState.BUILDING
        project.save(update_fields=["started_on", "state"])
    audit.record(actor=actor, action="activities.project_milestone", obj=project, detail={"milestone": milestone.pk})
    return milestone


@transaction.atomic
def inspect_project(*, actor: Any, project: Project, inspected_on: Any, note: str = "") -> Project:
    """验收 on completion of the works."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_scope(actor, project.unit_id)
    if project.state != ProjectState.BUILDING:
        raise ValidationError("只有在建的项目才能验收。" if project.state == ProjectState.PLANNED else "该项目已验收。")
    day = _date({"inspected_on": inspected_on}, "inspected_on", "验收日期", past=True)
    assert day is not None and project.started_on is not None
    if day < project.started_on:
        raise ValidationError({"inspected_on": "验收日期不能早于开工日期。"})
    project.inspected_on, project.inspection_note, project.state = day, str(note or "").strip()[:200], ProjectState.INSPECTED
    project.save(update_fields=["inspected_on", "inspection_note", "state"])
    audit.record(actor=actor, action="activities.project_inspect", obj=project)
    return project


@transaction.atomic
def complete_project(*, actor: Any, project: Project, completed_on: Any, building_area: Any,
                     activity_area: Any) -> Project:
    """完工投用: the facility register is updated in the same step (area, status 在用, in use from).

    Refused, nothing changed, before the inspection or with an in-use date before it.
    """
    from facilities import services as facility_services
    from facilities.models import FacilityKind, FacilityStatus

    project = Project.objects.select_for_update(of=("self",)).select_related("unit", "facility").get(pk=project.pk)
    _check_scope(actor, project.unit_id)
    if project.state == ProjectState.COMPLETED:
        raise ValidationError("该项目已完工投用。")
    if project.state != ProjectState.INSPECTED or project.inspected_on is None:
        raise ValidationError({"completed_on": "项目尚未通过验收，不能将设施标记为投入使用。"})
    day = _date({"completed_on": completed_on}, "completed_on", "投入使用日期", past=True)
    assert day is not None
    if day < project.inspected_on:
        raise ValidationError({"completed_on": f"投入使用日期不能早于验收日期（{project.inspected_on}）。"})
    try:
        area = Decimal(str(building_area)).quantize(Decimal("0.01"))
        activity = Decimal(str(activity_area or 0)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"building_area": "面积应为数字（㎡）。"}) from None
    if area <= 0:
        raise ValidationError({"building_area": "请填写完工后的建筑面积。"})
    facility = project.facility
    if facility is None:
        data = facility_services.FacilityInput(
            unit=project.unit, name=project.facility_name,
            kind=FacilityKind.COMPREHENSIVE if project.kind in COMPREHENSIVE_KINDS else FacilityKind.OTHER,
            status=FacilityStatus.IN_USE, built_on=day, opened_on=day, building_area=area, activity_area=activity,
            has_ramp=project.kind == ProjectKind.BARRIER_FREE)
        facility = facility_services.create_facility(actor=actor, data=data)
    else:
        values = {name: getattr(facility, name) for name in facility_services.FacilityInput.FIELDS}
        data = facility_services.FacilityInput(unit=facility.unit, services=list(facility.services.values_list("service", flat=True)),
                                               **values)
        data.building_area, data.activity_area = area, activity
        if data.office_area + activity > area:
            data.office_area = max(Decimal(0), area - activity)
        if facility.status != FacilityStatus.IN_USE:
            data.status, data.opened_on, data.closed_on = FacilityStatus.IN_USE, day, None
            data.built_on = data.built_on if data.built_on and data.built_on <= day else day
        if project.kind == ProjectKind.BARRIER_FREE:
            data.has_ramp = True
        facility = facility_services.update_facility(actor=actor, facility=facility, data=data)
    project.facility, project.completed_on, project.state = facility, day, ProjectState.COMPLETED
    project.building_area, project.activity_area = area, activity
    project.save(update_fields=["facility", "completed_on", "state", "building_area", "activity_area"])
    audit.record(actor=actor, action="activities.project_complete", obj=project, detail={"facility": facility.pk})
    return project


# ---------------------------------------------------------------- pilots and joint meetings

@transaction.atomic
def designate_pilot(*, actor: Any, data: Mapping[str, Any]) -> Pilot:
    """data: unit_code (any level), kind, body, designated_on, period_end."""
    unit = OrgUnit.objects.filter(code=str(data.get("unit_code") or "").strip()).first()
    if unit is None:
        raise ValidationError({"unit_code": "请选择单位。"})
    _check_scope(actor, unit.code)
    if data.get("kind") not in PilotKind.values:
        raise ValidationError({"kind": "请选择试点类型。"})
    body = _text(data, "body", "命名（批准）单位", 100)
    start = _date(data, "designated_on", "命名日期", past=True)
    end = _date(data, "period_end", "试点期满日期")
    assert start is not None and end is not None
    if end <= start:
        raise ValidationError({"period_end": "试点期满日期应晚于命名日期。"})
    pilot = Pilot.objects.create(unit=unit, kind=data["kind"], body=body, designated_on=start, period_end=end)
    audit.record(actor=actor, action="activities.pilot_designate", obj=pilot)
    return pilot


@transaction.atomic
def evaluate_pilot(*, actor: Any, pilot: Pilot, result: str, evaluation: str, evaluated_on: Any) -> Pilot:
    pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
    _check_scope(actor, pilot.unit_id)
    if result not in (Pilot.Result.PASSED, Pilot.Result.FAILED):
        raise ValidationError({"result": "请选择评估结果。"})
    day = _date({"evaluated_on": evaluated_on}, "evaluated_on", "评估日期", past=True)
    assert day is not None
    if day < pilot.period_end:
        raise ValidationError({"evaluated_on": f"试点期满（{pilot.period_end}）后才能评估。"})
    pilot.result, pilot.evaluation, pilot.evaluated_on = result, str(evaluation or "").strip()[:500], day
    pilot.save(update_fields=["result", "evaluation", "evaluated_on"])
    audit.record(actor=actor, action="activities.pilot_evaluate", obj=pilot, detail={"result": result})
    return pilot


def _lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


@transaction.atomic
def hold_meeting(*, actor: Any, data: Mapping[str, Any]) -> JointMeeting:
    """data: unit_code (a township), held_on, agenda, members, attendance, decisions."""
    unit = OrgUnit.objects.filter(code=str(data.get("unit_code") or "").strip()).first()
    if unit is None or unit.level != OrgUnit.Level.TOWNSHIP:
        raise ValidationError({"unit_code": "联席会议按乡镇（街道）召开，请选择乡镇（街道）。"})
    _check_scope(actor, unit.code)
    day = _date(data, "held_on", "召开日期", past=True)
    assert day is not None
    agenda = _text(data, "agenda", "议题", 2000)
    members, present = _lines(data.get("members")), _lines(data.get("attendance"))
    if not members:
        raise ValidationError({"members": "请填写成员单位（每行一个）。"})
    if not present:
        raise ValidationError({"attendance": "请填写出席单位（每行一个）。"})
    strangers = [name for name in present if name not in members]
    if strangers:
        raise ValidationError({"attendance": f"出席单位不在成员单位中：{'、'.join(strangers)}"})
    meeting = JointMeeting.objects.create(unit=unit, held_on=day, agenda=agenda, members="\n".join(members),
                                          attendance="\n".join(present),
                                          decisions=str(data.get("decisions") or "").strip()[:5000], created_by=actor)
    audit.record(actor=actor, action="activities.meeting_hold", obj=meeting)
    return meeting


@transaction.atomic
def assign_task(*, actor: Any, meeting: JointMeeting, assignee: str, task: str, due_on: Any) -> MeetingTask:
    _check_scope(actor, meeting.unit_id)
    assignee = _text({"assignee": assignee}, "assignee", "承办单位", 100)
    if assignee not in _lines(meeting.members):
        raise ValidationError({"assignee": "承办单位应为联席会议的成员单位。"})
    text = _text({"task": task}, "task", "任务", 300)
    due = _date({"due_on": due_on}, "due_on", "完成时限")
    assert due is not None
    if due < meeting.held_on:
        raise ValidationError({"due_on": "完成时限不能早于会议日期。"})
    row = MeetingTask.objects.create(meeting=meeting, unit_id=meeting.unit_id, assignee=assignee, task=text, due_on=due)
    audit.record(actor=actor, action="activities.meeting_task", obj=row, detail={"meeting": meeting.pk})
    return row


@transaction.atomic
def finish_task(*, actor: Any, task: MeetingTask, done_on: Any, outcome: str) -> MeetingTask:
    task = MeetingTask.objects.select_for_update().get(pk=task.pk)
    _check_scope(actor, task.unit_id)
    if task.done_on is not None:
        raise ValidationError("该任务已办结。")
    day = _date({"done_on": done_on}, "done_on", "完成日期", past=True)
    outcome = _text({"outcome": outcome}, "outcome", "完成情况", 300)
    task.done_on, task.outcome = day, outcome
    task.save(update_fields=["done_on", "outcome"])
    audit.record(actor=actor, action="activities.meeting_task_done", obj=task)
    return task


# ---------------------------------------------------------------- the community archive

@transaction.atomic
def file_entry(*, actor: Any, unit_code: str, year: Any, kind: str, title: str, upload: Any,
               retention: str = "", source: str = "") -> ArchiveEntry:
    """File one document into a community's archive by year, with its retention class (default by kind)."""
    unit = _village(unit_code)
    _check_scope(actor, unit.code)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": f"年度应在2000至{timezone.localdate().year}之间。"})
    if kind not in ArchiveKind.values:
        raise ValidationError({"kind": "请选择档案类别。"})
    retention = retention or DEFAULT_RETENTION[ArchiveKind(kind)]
    if retention not in Retention.values:
        raise ValidationError({"retention": "保管期限应为永久、长期或短期。"})
    title = _text({"title": title}, "title", "题名", 200)
    if upload is None:
        raise ValidationError({"file": "请选择要归档的文件。"})
    name = str(getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:150]
    if not name.lower().endswith(ARCHIVE_TYPES):
        raise ValidationError({"file": "文件类型应为 PDF、OFD、图片、Word、Excel 或文本。"})
    if (getattr(upload, "size", 0) or 0) > ARCHIVE_MAX_BYTES:
        raise ValidationError({"file": "单个文件不能超过 20 MB。"})
    entry = ArchiveEntry(unit=unit, year=year, kind=kind, title=title, retention=retention, file_name=name,
                         source=str(source or "")[:100], filed_by=actor if getattr(actor, "pk", None) else None)
    entry.file.save(name, upload, save=False)
    entry.save()
    audit.record(actor=actor, action="activities.archive_file", obj=entry, detail={"year": year, "retention": retention})
    return entry


def _activity_record(activity: CommunityActivity) -> str:
    joined = activity.participations.filter(status=Participation.Status.SIGNED_UP)
    return "\n".join([
        f"活动名称：{activity.title}", f"类别：{activity.get_kind_display()}", f"参与对象：{activity.get_audience_display()}",
        f"组织单位：{activity.organiser}", f"地点：{activity.place}",
        f"时间：{timezone.localtime(activity.starts_at):%Y-%m-%d %H:%M}—{timezone.localtime(activity.ends_at):%H:%M}",
        f"名额：{activity.capacity}", f"报名人数：{joined.count()}", f"出席人数：{joined.filter(attended=True).count()}",
        f"活动内容：{activity.description}", ""])


def _project_record(project: Project) -> str:
    lines = [f"项目名称：{project.name}", f"项目类型：{project.get_kind_display()}", f"承建单位：{project.contractor}",
             f"计划工期：{project.planned_start} 至 {project.planned_end}", f"开工：{project.started_on or ''}",
             f"验收：{project.inspected_on or ''} {project.inspection_note}", f"投入使用：{project.completed_on or ''}",
             f"状态：{project.get_state_display()}"]
    lines += [f"资金：{f.get_source_display()} {f.amount} 万元" for f in project.fundings.all()]
    lines += [f"节点：{m.reached_on} {m.title}" for m in project.milestones.all()]
    return "\n".join([*lines, ""])


@transaction.atomic
def file_record(*, actor: Any, obj: Any) -> ArchiveEntry:
    """File a record the system keeps (an activity, a project) as a text record of what it holds."""
    if isinstance(obj, CommunityActivity):
        kind, text, title = ArchiveKind.ACTIVITY, _activity_record(obj), f"活动记录：{obj.title}"
        year = timezone.localtime(obj.starts_at).year
    elif isinstance(obj, Project):
        kind, text, title = ArchiveKind.PROJECT, _project_record(obj), f"项目档案：{obj.name}"
        year = (obj.completed_on or obj.started_on or obj.planned_start).year
    else:
        raise ValidationError("该记录不能归档。")
    source = f"{obj._meta.label_lower}:{obj.pk}"
    if ArchiveEntry.objects.filter(source=source, destroyed_at__isnull=True).exists():
        raise ValidationError("该记录已归档。")
    year = min(year, timezone.localdate().year)
    upload = ContentFile(text.encode("utf-8"), name=f"{kind}-{obj.pk}.txt")
    return file_entry(actor=actor, unit_code=obj.unit_id, year=year, kind=kind, title=title[:200], upload=upload,
                      source=source)


@transaction.atomic
def destroy_entry(*, actor: Any, entry: ArchiveEntry, note: str, today: dt.date | None = None) -> ArchiveEntry:
    """销毁: only after the retention ends (never for 永久); the file goes, the catalogue row stays, logged."""
    entry = ArchiveEntry.objects.select_for_update().get(pk=entry.pk)
    _check_scope(actor, entry.unit_id)
    if entry.destroyed_at is not None:
        raise ValidationError("该档案已销毁。")
    ends = entry.retention_ends()
    if ends is None:
        raise ValidationError("永久保管的档案不能销毁。")
    today = today or timezone.localdate()
    if today < ends:
        raise ValidationError(f"保管期限未满（{ends.isoformat()} 起方可销毁），不能销毁。")
    note = _text({"note": note}, "note", "销毁说明（鉴定意见、批准人）", 200)
    entry.file.delete(save=False)
    entry.destroyed_at, entry.destroyed_by, entry.destruction_note = timezone.now(), actor, note
    entry.save(update_fields=["file", "destroyed_at", "destroyed_by", "destruction_note"])
    audit.record(actor=actor, action="activities.archive_destroy", obj=entry, detail={"note": note})
    return entry


CATALOGUE_HEADERS = ["档号", "年度", "档案类别", "题名", "保管期限", "所属村（社区）代码", "文件名", "归档时间", "状态"]


def catalogue_rows(entries: Iterable[ArchiveEntry]) -> list[list[Any]]:
    return [[f"{e.unit_id}-{e.year}-{e.pk:06d}", e.year, e.get_kind_display(), e.title, e.get_retention_display(),
             e.unit_id, e.file_name, timezone.localtime(e.filed_at).strftime("%Y-%m-%d %H:%M"),
             "已销毁" if e.destroyed_at else "在库"] for e in entries]


def write_catalogue(stream: Any, entries: Iterable[ArchiveEntry]) -> int:
    from shequ.xlsx import write_table

    return write_table(stream, CATALOGUE_HEADERS, catalogue_rows(entries), title="档案目录")


def archive_package(entries: list[ArchiveEntry]) -> bytes:
    """An archive package: 目录.xlsx (the catalogue) and each entry's file under 文件/<档号>-<文件名>."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        catalogue = io.BytesIO()
        write_catalogue(catalogue, entries)
        package.writestr("目录.xlsx", catalogue.getvalue())
        for entry in entries:
            if entry.destroyed_at is None and entry.file:
                with entry.file.open("rb") as handle:
                    package.writestr(f"文件/{entry.unit_id}-{entry.year}-{entry.pk:06d}-{entry.file_name}", handle.read())
    return out.getvalue()

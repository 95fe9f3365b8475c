"""Every write on facilities, service points, community profiles, spaces and bookings."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import User
from accounts.roles import Role
from accounts.scoping import can_see_unit
from facilities.hours import min_weekday_minutes, parse_hours
from facilities.models import (
    HOLDING,
    Booking,
    BookingStatus,
    CommunityProfile,
    Facility,
    FacilityKind,
    FacilityPhoto,
    FacilityService,
    FacilityStatus,
    HousedService,
    ServicePoint,
    Space,
    SpaceRule,
)
from places.models import OrgUnit
from shequ import inputs

# Coordinates must fall inside mainland China's bounding box (catches swapped or missing digits).
LAT_RANGE = (3.0, 54.0)
LNG_RANGE = (73.0, 136.0)
MAX_AREA = Decimal("99999999")
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def actor_may_write(actor: User | None, unit_code: str) -> bool:
    """None is an operator's command (import_facilities); staff write inside their own subtree."""
    return actor is None or (actor.role != Role.RESIDENT and can_see_unit(actor, unit_code))


def check_unit_scope(actor: User | None, unit: OrgUnit) -> None:
    if not actor_may_write(actor, unit.code):
        raise PermissionError("不在您的管辖范围内")


def check_coordinates(lat: float | None, lng: float | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (lat is None) != (lng is None):
        errors["lat" if lat is None else "lng"] = "经度和纬度应同时填写或同时留空。"
    if lat is not None and lng is not None and LNG_RANGE[0] <= lat <= LNG_RANGE[1] and LAT_RANGE[0] <= lng <= LAT_RANGE[1]:
        return {"lng": f"经度 {lng} 与纬度 {lat} 似乎填反了（衡水经度约115～117，纬度约37～38）。"}
    if lat is not None and not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
        errors["lat"] = f"纬度 {lat} 不在中国境内（应在 {LAT_RANGE[0]}～{LAT_RANGE[1]} 之间），请检查是否与经度填反。"
    if lng is not None and not LNG_RANGE[0] <= lng <= LNG_RANGE[1]:
        errors["lng"] = f"经度 {lng} 不在中国境内（应在 {LNG_RANGE[0]}～{LNG_RANGE[1]} 之间），请检查是否与纬度填反。"
    return errors


@dataclass
class FacilityInput:
    """A facility as a form, an API call or an Excel row gives it, already typed."""

    unit: OrgUnit
    name: str
    kind: str
    status: str = FacilityStatus.IN_USE
    built_on: dt.date | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    building_area: Decimal = Decimal(0)
    activity_area: Decimal = Decimal(0)
    office_area: Decimal = Decimal(0)
    opening_hours: list[str] = field(default_factory=lambda: [""] * 7)
    has_ramp: bool = False
    has_accessible_toilet: bool = False
    has_lift: bool = False
    has_tactile_paving: bool = False
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    note: str = ""
    services: list[str] = field(default_factory=list)

    FIELDS = ("name", "kind", "status", "built_on", "opened_on", "closed_on", "building_area", "activity_area",
              "office_area", "opening_hours", "has_ramp", "has_accessible_toilet", "has_lift", "has_tactile_paving",
              "address", "lat", "lng", "note")


def validate_facility(data: FacilityInput) -> dict[str, str]:
    """Field → Chinese message for everything wrong with data (empty when it may be saved).

    Normalises data.opening_hours in place.
    """
    errors: dict[str, str] = {}
    data.name = data.name.strip()
    if not data.name:
        errors["name"] = "请填写设施名称。"
    elif len(data.name) > 100:
        errors["name"] = "设施名称不能超过100个字。"
    if data.kind not in FacilityKind.values:
        errors["kind"] = "设施类型不在规定的类型中。"
    elif data.kind == FacilityKind.COMPREHENSIVE and data.unit.level != OrgUnit.Level.VILLAGE:
        errors["unit"] = "综合服务设施只能属于村（社区）。"
    elif data.unit.level not in (OrgUnit.Level.VILLAGE, OrgUnit.Level.TOWNSHIP):
        errors["unit"] = "专项设施应属于村（社区）或乡镇（街道）。"
    if data.status not in FacilityStatus.values:
        errors["status"] = "状态应为 规划、在建、在用 或 停用。"
    for name in ("building_area", "activity_area", "office_area"):
        value = getattr(data, name)
        if value < 0 or value > MAX_AREA:
            errors[name] = "面积应为不小于0的数。"
    if "activity_area" not in errors and data.activity_area > data.building_area:
        errors["activity_area"] = "居民活动区域面积不能大于建筑面积。"
    if "office_area" not in errors and data.office_area > data.building_area:
        errors["office_area"] = "办公面积不能大于建筑面积。"
    if not errors.keys() & {"activity_area", "office_area"} and data.activity_area + data.office_area > data.building_area:
        errors["office_area"] = "居民活动区域面积与办公面积之和不能大于建筑面积。"
    if data.status == FacilityStatus.IN_USE and data.building_area <= 0 and data.kind == FacilityKind.COMPREHENSIVE:
        errors["building_area"] = "在用的综合服务设施应填写建筑面积。"
    if data.status == FacilityStatus.CLOSED and data.closed_on is None:
        errors["closed_on"] = "停用的设施应填写停用日期。"
    if data.status != FacilityStatus.CLOSED and data.closed_on is not None:
        errors["closed_on"] = "只有停用的设施才填写停用日期。"
    today = timezone.localdate()
    if data.status in (FacilityStatus.PLANNED, FacilityStatus.BUILDING) and data.opened_on:
        errors["opened_on"] = "规划或在建的设施还没有投入使用日期。"
    for name in ("built_on", "opened_on", "closed_on"):
        value = getattr(data, name)
        planned = data.status in (FacilityStatus.PLANNED, FacilityStatus.BUILDING)
        if value is not None and value > today and not (name == "built_on" and planned):
            errors[name] = "日期不能晚于今天。"
        elif message := inputs.date_error(value, label="日期", earliest=inputs.EARLIEST_BUILT):
            errors[name] = message
    start = data.opened_on or data.built_on
    if data.closed_on and start and data.closed_on < start:
        errors["closed_on"] = "停用日期不能早于建成（投入使用）日期。"
    if data.built_on and data.opened_on and data.opened_on < data.built_on:
        errors["opened_on"] = "投入使用日期不能早于建成日期。"
    hours = (list(data.opening_hours) + [""] * 7)[:7]
    try:
        data.opening_hours = [parse_hours(day)[0] for day in hours]
    except ValidationError as exc:
        errors["opening_hours"] = exc.messages[0]
    bad = [s for s in data.services if s not in HousedService.values]
    if bad:
        errors["services"] = f"入驻服务不在规定的服务中：{'、'.join(bad)}"
    errors.update(check_coordinates(data.lat, data.lng))
    data.address, data.note = data.address.strip()[:200], data.note.strip()[:500]
    return errors


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _apply(facility: Facility, data: FacilityInput) -> list[str]:
    changed = []
    for name in FacilityInput.FIELDS:
        value = getattr(data, name)
        if getattr(facility, name) != value:
            setattr(facility, name, value)
            changed.append(name)
    minutes = min_weekday_minutes(data.opening_hours)
    if facility.min_weekday_minutes != minutes:
        facility.min_weekday_minutes = minutes
        changed.append("min_weekday_minutes")
    return changed


def _set_services(facility: Facility, services: list[str]) -> bool:
    current = set(facility.services.values_list("service", flat=True)) if facility.pk else set()
    wanted = set(services)
    if current == wanted:
        return False
    facility.services.exclude(service__in=wanted).delete()
    FacilityService.objects.bulk_create([FacilityService(facility=facility, service=s) for s in sorted(wanted - current)])
    return True


def _check_name_free(data: FacilityInput, exclude_pk: int | None = None) -> None:
    clash = Facility.objects.filter(unit=data.unit, name=data.name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": "本单位已有同名设施。"})


@transaction.atomic
def create_facility(*, actor: User | None, data: FacilityInput) -> Facility:
    check_unit_scope(actor, data.unit)
    _raise(validate_facility(data))
    _check_name_free(data)
    facility = Facility(unit=data.unit)
    _apply(facility, data)
    facility.save()
    _set_services(facility, data.services)
    audit.record(actor=actor, action="facilities.facility_create", obj=facility, username="import" if actor is None else "")
    return facility


@transaction.atomic
def update_facility(*, actor: User | None, facility: Facility, data: FacilityInput) -> Facility:
    check_unit_scope_code(actor, facility.unit_id)
    check_unit_scope(actor, data.unit)
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    _raise(validate_facility(data))
    _check_name_free(data, exclude_pk=facility.pk)
    changed = _apply(facility, data)
    if facility.unit_id != data.unit.code:
        facility.unit = data.unit
        changed.append("unit")
    if changed:
        facility.save(update_fields=[*changed, "updated_at"])
    services_changed = _set_services(facility, data.services)
    if changed or services_changed:
        audit.record(actor=actor, action="facilities.facility_update", obj=facility,
                     detail={"fields": changed, "services": services_changed})
    return facility


def check_unit_scope_code(actor: User | None, code: str) -> None:
    if not actor_may_write(actor, code):
        raise PermissionError("不在您的管辖范围内")


def _read_image(upload: UploadedFile) -> tuple[str, int, int, bytes]:
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise ValidationError("照片不能超过 8 MB。")
    raw = upload.read()
    try:
        with Image.open(BytesIO(raw)) as probe:
            probe.verify()
        with Image.open(BytesIO(raw)) as image:
            fmt, (width, height) = image.format or "", image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError("上传的文件不是有效的图片（支持 JPEG、PNG、WebP）。") from exc
    if fmt not in PHOTO_FORMATS:
        raise ValidationError("照片格式应为 JPEG、PNG 或 WebP。")
    return PHOTO_FORMATS[fmt], width, height, raw


@transaction.atomic
def add_photo(*, actor: User, facility: Facility, upload: UploadedFile, caption: str = "") -> FacilityPhoto:
    """Keep a photo of a facility; Pillow checks that it really is an image."""
    from django.core.files.base import ContentFile

    check_unit_scope_code(actor, facility.unit_id)
    suffix, width, height, raw = _read_image(upload)
    photo = FacilityPhoto(facility=facility, caption=caption.strip()[:100], checksum=hashlib.sha256(raw).hexdigest(),
                          width=width, height=height, uploaded_by=actor)
    photo.image.save(f"photo.{suffix}", ContentFile(raw), save=False)
    photo.save()
    audit.record(actor=actor, action="facilities.photo_add", obj=facility, detail={"photo": photo.pk})
    return photo


@transaction.atomic
def delete_photo(*, actor: User, photo: FacilityPhoto) -> None:
    facility = photo.facility
    check_unit_scope_code(actor, facility.unit_id)
    photo.image.delete(save=False)
    photo.delete()
    audit.record(actor=actor, action="facilities.photo_delete", obj=facility)


def validate_profile(total: Decimal, commercial: Decimal) -> dict[str, str]:
    errors = {}
    if total < 0 or total > MAX_AREA * 100:
        errors["total_building_area"] = "社区总建筑面积应为不小于0的数。"
    if commercial < 0:
        errors["commercial_service_area"] = "商业和综合服务设施面积应为不小于0的数。"
    elif commercial > total:
        errors["commercial_service_area"] = "商业和综合服务设施面积不能大于社区总建筑面积。"
    return errors


@transaction.atomic
def save_profile(*, actor: User | None, unit: OrgUnit, total_building_area: Decimal, commercial_service_area: Decimal,
                 is_relocation_community: bool) -> CommunityProfile:
    """A community's total and commercial-and-service floor areas; the share is computed from them."""
    check_unit_scope(actor, unit)
    if unit.level != OrgUnit.Level.VILLAGE:
        raise ValidationError({"unit": "只有村（社区）填写社区建筑面积。"})
    _raise(validate_profile(total_building_area, commercial_service_area))
    profile, _ = CommunityProfile.objects.select_for_update().get_or_create(unit=unit)
    profile.total_building_area = total_building_area
    profile.commercial_service_area = commercial_service_area
    profile.is_relocation_community = is_relocation_community
    profile.save(update_fields=["total_building_area", "commercial_service_area", "is_relocation_community", "updated_at"])
    audit.record(actor=actor, action="facilities.profile_save", obj=profile,
                 detail={"total": str(total_building_area), "commercial": str(commercial_service_area),
                         "relocation": is_relocation_community})
    return profile


@dataclass
class PointInput:
    unit: OrgUnit
    name: str
    kind: str
    operator: str = ""
    status: str = FacilityStatus.IN_USE
    built_on: dt.date | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    opening_hours: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None

    FIELDS = ("name", "kind", "operator", "status", "built_on", "opened_on", "closed_on", "opening_hours", "address", "lat", "lng")


def validate_point(data: PointInput) -> dict[str, str]:
    from facilities.models import PointKind

    errors: dict[str, str] = {}
    data.name, data.operator, data.address = data.name.strip(), data.operator.strip()[:100], data.address.strip()[:200]
    if not data.name:
        errors["name"] = "请填写网点名称。"
    elif len(data.name) > 100:
        errors["name"] = "网点名称不能超过100个字。"
    if data.kind not in PointKind.values:
        errors["kind"] = "网点类型不在规定的类型中。"
    if data.unit.level != OrgUnit.Level.VILLAGE:
        errors["unit"] = "便民服务网点应属于村（社区）。"
    if data.status not in FacilityStatus.values:
        errors["status"] = "状态应为 规划、在建、在用 或 停用。"
    if data.status == FacilityStatus.CLOSED and data.closed_on is None:
        errors["closed_on"] = "停业的网点应填写停业日期。"
    if data.status != FacilityStatus.CLOSED and data.closed_on is not None:
        errors["closed_on"] = "只有停用的网点才填写停业日期。"
    if data.closed_on and data.opened_on and data.closed_on < data.opened_on:
        errors["closed_on"] = "停业日期不能早于开业日期。"
    for name in ("opened_on", "closed_on"):
        if message := inputs.date_error(getattr(data, name), label="日期", earliest=inputs.EARLIEST_BUILT):
            errors.setdefault(name, message)
    try:
        data.opening_hours = parse_hours(data.opening_hours)[0]
    except ValidationError as exc:
        errors["opening_hours"] = exc.messages[0].replace("开放时间", "营业时间")
    errors.update(check_coordinates(data.lat, data.lng))
    return errors


def _apply_point(point: ServicePoint, data: PointInput) -> list[str]:
    changed = []
    for name in PointInput.FIELDS:
        value = getattr(data, name)
        if getattr(point, name) != value:
            setattr(point, name, value)
            changed.append(name)
    if point.unit_id != data.unit.code:
        point.unit = data.unit
        changed.append("unit")
    return changed


@transaction.atomic
def create_point(*, actor: User | None, data: PointInput) -> ServicePoint:
    check_unit_scope(actor, data.unit)
    _raise(validate_point(data))
    if ServicePoint.objects.filter(unit=data.unit, name=data.name).exists():
        raise ValidationError({"name": "本村（社区）已有同名网点。"})
    point = ServicePoint(unit=data.unit)
    _apply_point(point, data)
    point.save()
    audit.record(actor=actor, action="facilities.point_create", obj=point, username="import" if actor is None else "")
    return point


@transaction.atomic
def update_point(*, actor: User | None, point: ServicePoint, data: PointInput) -> ServicePoint:
    check_unit_scope_code(actor, point.unit_id)
    check_unit_scope(actor, data.unit)
    point = ServicePoint.objects.select_for_update().get(pk=point.pk)
    _raise(validate_point(data))
    if ServicePoint.objects.filter(unit=data.unit, name=data.name).exclude(pk=point.pk).exists():
        raise ValidationError({"name": "本村（社区）已有同名网点。"})
    changed = _apply_point(point, data)
    if changed:
        point.save(update_fields=[*changed, "updated_at"])
        audit.record(actor=actor, action="facilities.point_update", obj=point, detail={"fields": changed})
    return point


# ---------------------------------------------------------------- spaces and bookings (场地开放)

@transaction.atomic
def create_space(*, actor: User, unit: OrgUnit, name: str, kind: str, capacity: int, rule: str,
                 facility: Facility | None = None, host: str = "", opens_at: dt.time = dt.time(8, 0),
                 closes_at: dt.time = dt.time(20, 0), slot_minutes: int = 60, weekdays: str = "0123456",
                 rules_text: str = "") -> Space:
    from facilities.models import SpaceKind

    check_unit_scope(actor, unit)
    errors: dict[str, str] = {}
    if unit.level != OrgUnit.Level.VILLAGE:
        errors["unit"] = "开放场地应属于村（社区）。"
    if not name.strip():
        errors["name"] = "请填写场地名称。"
    if kind not in SpaceKind.values:
        errors["kind"] = "场地类型不在规定的类型中。"
    if rule not in SpaceRule.values:
        errors["rule"] = "预约规则应为免费直接预约或需审核。"
    if capacity < 1:
        errors["capacity"] = "容纳人数至少为1。"
    if slot_minutes < 15 or slot_minutes > 24 * 60:
        errors["slot_minutes"] = "时段长度应在15分钟到24小时之间。"
    if closes_at <= opens_at:
        errors["closes_at"] = "开放结束时间应晚于开始时间。"
    if not weekdays or any(c not in "0123456" for c in weekdays):
        errors["weekdays"] = "开放星期应为0～6的数字（0=周一）。"
    if facility is not None and facility.unit_id != unit.code:
        errors["facility"] = "所在设施不属于该村（社区）。"
    if facility is None and not host.strip():
        errors["host"] = "驻区单位的场地请填写提供单位。"
    _raise(errors)
    space = Space.objects.create(
        unit=unit, facility=facility, host=host.strip()[:100], kind=kind, name=name.strip()[:100], capacity=capacity,
        rule=rule, opens_at=opens_at, closes_at=closes_at, slot_minutes=slot_minutes,
        weekdays="".join(sorted(set(weekdays))), rules_text=rules_text.strip()[:500],
    )
    audit.record(actor=actor, action="facilities.space_create", obj=space)
    return space


def may_book(user: User, space: Space) -> bool:
    """Residents book spaces of their own village or community; staff book (for an organisation) in their subtree."""
    if user.role == Role.RESIDENT:
        return bool(user.is_active and user.unit_id == space.unit_id)
    return can_see_unit(user, space.unit_id)


BOOKING_HORIZON_DAYS = 90


def booking_horizon() -> dt.date:
    """The last day a space can be booked (预约期限): BOOKING_HORIZON_DAYS from today."""
    return timezone.localdate() + dt.timedelta(days=BOOKING_HORIZON_DAYS)


def slot_errors(space: Space, starts_at: dt.datetime, slots: int) -> str:
    local = timezone.localtime(starts_at)
    if local.date() > booking_horizon():
        return f"只能预约 {BOOKING_HORIZON_DAYS} 天内的时段。"
    if slots < 1 or slots > 24 * 60 // space.slot_minutes:
        return "预约时段数不正确。"
    if str(local.weekday()) not in space.weekdays:
        return "该场地当天不开放。"
    minutes = local.hour * 60 + local.minute
    opens = space.opens_at.hour * 60 + space.opens_at.minute
    closes = space.closes_at.hour * 60 + space.closes_at.minute
    if local.second or local.microsecond or minutes < opens or (minutes - opens) % space.slot_minutes:
        return f"开始时间应为开放时段的整点时段（{space.opens_at:%H:%M} 起，每 {space.slot_minutes} 分钟一段）。"
    if minutes + slots * space.slot_minutes > closes:
        return f"预约不能超过当天开放结束时间 {space.closes_at:%H:%M}。"
    if starts_at <= timezone.now():
        return "不能预约已经开始或过去的时段。"
    return ""


@transaction.atomic
def book_space(*, actor: User, space: Space, starts_at: dt.datetime, slots: int = 1, purpose: str,
               attendees: int = 1, organisation: str = "") -> Booking:
    """Book slots of a space. Two overlapping requests never both succeed.

    The space row is locked (SELECT … FOR UPDATE) for the overlap check and the insert, and a
    partial unique index on (space, starts_at) of holding bookings backs it up in the database.
    """
    if not may_book(actor, space):
        raise PermissionError("不能预约该场地")
    space = Space.objects.select_for_update().get(pk=space.pk)
    errors: dict[str, str] = {}
    if not space.is_active:
        errors["space"] = "该场地暂停开放预约。"
    if not purpose.strip():
        errors["purpose"] = "请填写用途。"
    if attendees < 1 or attendees > space.capacity:
        errors["attendees"] = f"人数应在 1～{space.capacity} 之间。"
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    message = slot_errors(space, starts_at, slots)
    if message:
        errors["starts_at"] = message
    _raise(errors)
    ends_at = starts_at + dt.timedelta(minutes=space.slot_minutes * slots)
    if Booking.objects.filter(space=space, status__in=HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise ValidationError({"starts_at": "该时段已被预约，请选择其他时段。"})
    status = BookingStatus.CONFIRMED if space.rule == SpaceRule.FREE else BookingStatus.PENDING
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                space=space, unit_id=space.unit_id, booker=actor, organisation=organisation.strip()[:100],
                purpose=purpose.strip()[:200], attendees=attendees, starts_at=starts_at, ends_at=ends_at, status=status,
            )
    except IntegrityError as exc:
        raise ValidationError({"starts_at": "该时段已被预约，请选择其他时段。"}) from exc
    audit.record(actor=actor, action="facilities.booking_create", obj=booking, detail={"space": space.pk, "status": status})
    if status == BookingStatus.PENDING:
        from web.notify import notify_users

        approvers = User.objects.filter(role=Role.COMMUNITY_WORKER, unit=space.unit, is_active=True)
        notify_users(approvers, f"场地预约待审核：{space.name}",
                     f"{timezone.localtime(starts_at):%m月%d日 %H:%M} 起，{booking.purpose}",
                     url=f"/facilities/bookings/{booking.pk}/", kind="facilities.booking")
    return booking


def _decide(actor: User, booking: Booking, new: str, note: str, action: str) -> Booking:
    if actor.role == Role.RESIDENT or not can_see_unit(actor, booking.unit_id):
        raise PermissionError("不在您的管辖范围内")
    now = timezone.now()
    updated = Booking.objects.filter(pk=booking.pk, status=BookingStatus.PENDING).update(
        status=new, decided_by=actor, decided_at=now, decision_note=note.strip()[:200])
    if not updated:
        raise ValidationError("该预约已处理，无需重复审核。")
    booking.refresh_from_db()
    audit.record(actor=actor, action=action, obj=booking)
    from web.notify import notify_user

    verdict = "已通过" if new == BookingStatus.CONFIRMED else "未通过"
    notify_user(booking.booker, f"场地预约{verdict}：{booking.space.name}", note, url=f"/facilities/bookings/{booking.pk}/",
                kind="facilities.booking")
    return booking


@transaction.atomic
def approve_booking(*, actor: User, booking: Booking, note: str = "") -> Booking:
    return _decide(actor, booking, BookingStatus.CONFIRMED, note, "facilities.booking_approve")


@transaction.atomic
def reject_booking(*, actor: User, booking: Booking, note: str = "") -> Booking:
    if not note.strip():
        raise ValidationError("请填写未通过的原因。")
    return _decide(actor, booking, BookingStatus.REJECTED, note, "facilities.booking_reject")


@transaction.atomic
def cancel_booking(*, actor: User, booking: Booking, reason: str = "") -> Booking:
    is_booker = booking.booker_id == actor.pk
    if not is_booker and (actor.role == Role.RESIDENT or not can_see_unit(actor, booking.unit_id)):
        raise PermissionError("不能取消该预约")
    if booking.starts_at <= timezone.now():
        raise ValidationError("已经开始或过去的预约不能取消。")
    updated = Booking.objects.filter(pk=booking.pk, status__in=HOLDING).update(
        status=BookingStatus.CANCELLED, decision_note=reason.strip()[:200],
        decided_by=actor, decided_at=timezone.now())
    if not updated:
        raise ValidationError("该预约已取消或未通过。")
    booking.refresh_from_db()
    audit.record(actor=actor, action="facilities.booking_cancel", obj=booking)
    if not is_booker:
        from web.notify import notify_user

        notify_user(booking.booker, f"场地预约已被取消：{booking.space.name}", reason,
                    url=f"/facilities/bookings/{booking.pk}/", kind="facilities.booking")
    return booking


def send_booking_reminders(*, now: dt.datetime | None = None, hours: int = 24) -> int:
    """Remind bookers of confirmed bookings starting within `hours`; each booking once."""
    from web.notify import notify_user

    now = now or timezone.now()
    due = Booking.objects.filter(status=BookingStatus.CONFIRMED, reminded_at__isnull=True,
                                 starts_at__gt=now, starts_at__lte=now + dt.timedelta(hours=hours))
    sent = 0
    for booking in due.select_related("space", "booker"):
        with transaction.atomic():
            # Claim the booking first so that two workers never remind twice.
            if not Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            notify_user(booking.booker, f"场地预约提醒：{booking.space.name}",
                        f"{timezone.localtime(booking.starts_at):%m月%d日 %H:%M}—{timezone.localtime(booking.ends_at):%H:%M}，{booking.purpose}",
                        url=f"/facilities/bookings/{booking.pk}/", kind="facilities.reminder")
            sent += 1
    return sent

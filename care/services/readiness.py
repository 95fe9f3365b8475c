"""Emergency readiness of a community: disaster information officers, shelters, drills."""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.models import User
from accounts.scoping import can_see_unit
from care.models import SHELTER_FACILITIES, DisasterOfficer, Drill, EmergencyShelter, ShelterKind
from care.periods import today
from care.services.scope import require_scope
from places.models import OrgUnit


def _village(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or unit.level != OrgUnit.Level.VILLAGE:
        raise ValidationError("请选择村（社区）。")
    return unit


@transaction.atomic
def add_disaster_officer(*, actor: User, unit_code: str, name: str = "", user: User | None = None, phone: str = "",
                         trained_on: date | None = None, appointed_on: date | None = None) -> DisasterOfficer:
    from people.crypto import encrypt
    from people.masking import mask_phone

    require_scope(actor, unit_code)
    unit = _village(unit_code)
    name = (name or (user.display_name or user.username if user else "")).strip()
    if not name:
        raise ValidationError("请填写灾害信息员姓名。")
    phone = phone.strip().replace(" ", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise ValidationError("联系电话格式不正确。")
    if user is not None and not can_see_unit(user, unit.code):
        raise ValidationError("所选用户不属于该村（社区）。")
    if trained_on and trained_on > today():
        raise ValidationError("培训日期不能晚于今天。")
    officer = DisasterOfficer.objects.create(
        unit=unit, user=user, name=name[:50], phone_enc=encrypt(phone), phone_masked=mask_phone(phone),
        trained_on=trained_on, appointed_on=appointed_on or today(),
    )
    audit.record(actor=actor, action="care.officer_added", obj=officer)
    return officer


@transaction.atomic
def end_disaster_officer(*, actor: User, officer: DisasterOfficer, on: date | None = None) -> DisasterOfficer:
    require_scope(actor, officer.unit_id)
    officer.ended_on = on or today()
    officer.save(update_fields=["ended_on"])
    audit.record(actor=actor, action="care.officer_ended", obj=officer)
    return officer


@transaction.atomic
def add_shelter(*, actor: User, unit_code: str, name: str, kind: str, capacity: int, address: str = "",
                lat: float | None = None, lng: float | None = None, facilities: Sequence[str] = ()) -> EmergencyShelter:
    require_scope(actor, unit_code)
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise ValidationError("单位不存在。")
    if not name.strip():
        raise ValidationError("请填写避难场所名称。")
    if kind not in ShelterKind.values:
        raise ValidationError("请选择避难场所类型。")
    if capacity is None or int(capacity) <= 0:
        raise ValidationError("可容纳人数应大于 0。")
    known = {k for k, _ in SHELTER_FACILITIES}
    if any(f not in known for f in facilities):
        raise ValidationError("未知的设施类型。")
    shelter = EmergencyShelter.objects.create(unit=unit, name=name.strip()[:100], kind=kind,
                                              capacity=int(capacity), address=address.strip()[:200], lat=lat, lng=lng, facilities=list(facilities))
    audit.record(actor=actor, action="care.shelter_added", obj=shelter)
    return shelter


@transaction.atomic
def record_drill(*, actor: User, unit_code: str, held_on: date, scenario: str, participants: int, lessons: str = "") -> Drill:
    require_scope(actor, unit_code)
    if not OrgUnit.objects.filter(code=unit_code).exists():
        raise ValidationError("单位不存在。")
    if held_on is None or held_on > today():
        raise ValidationError("演练日期不能晚于今天。")
    if not scenario.strip():
        raise ValidationError("请填写演练科目。")
    if participants is None or int(participants) <= 0:
        raise ValidationError("参加人数应大于 0。")
    drill = Drill.objects.create(unit_id=unit_code, held_on=held_on, scenario=scenario.strip()[:100], participants=int(participants),
                                 lessons=lessons.strip(), created_by=actor)
    audit.record(actor=actor, action="care.drill_recorded", obj=drill)
    return drill


"""Every write on the register: one function each, in a transaction, validated, audited.

Validation of a resident's fields lives in people.validation (shared with the importer).
Errors are django ValidationError with Chinese messages; a dict of field → message when
they belong to fields (message_dict), so forms and the API can place them.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts.rights import DATA_RIGHTS
from accounts.scoping import can_see_unit
from people import crypto
from people.masking import mask_name
from people.models import Household, Resident, ResidentEvent, ResidentMove, ResidentTag
from people.permissions import can_reveal, can_see_restricted_tags
from people.tags import RESTRICTED_TAGS, Tag
from people.validation import REGISTERED_ELSEWHERE, clean_resident_fields, duplicate_message, resident_columns
from places.models import OrgUnit

# Fields of a resident that the edit form and the API may change (the unit changes only by a move).
RESIDENT_FIELDS = ("name", "gender", "birth_date", "id_type", "id_number", "phone", "relation",
                   "current_address", "hukou_address", "registered_here", "tags", "tag_details")
HOUSEHOLD_FIELDS = ("number", "is_registered", "building", "entrance", "room", "group_no", "house_no", "address", "lat", "lng")
# The city spans roughly 37.03–38.38 N, 115.17–116.57 E; allow a margin.
LAT_RANGE = (36.5, 39.0)
LNG_RANGE = (114.5, 117.5)
REVEAL_REASON_MIN = 4


def _actor_name(actor: Any) -> str:
    return str(getattr(actor, "username", "") or "system")


def _event(resident: Resident, kind: str, *, actor: Any, summary: str = "", reason: str = "",
           restricted_summary: str = "") -> ResidentEvent:
    return ResidentEvent.objects.create(
        resident=resident, kind=kind, actor=actor if actor is not None and actor.pk else None,
        actor_name=_actor_name(actor), unit_code=resident.unit_id, summary=summary[:300], reason=reason[:300],
        restricted_summary=restricted_summary[:300],
    )


def _require_visible(actor: Any, unit_code: str) -> None:
    if actor is not None and not can_see_unit(actor, unit_code):
        raise PermissionError("不在您的管辖范围内")


# ---------------------------------------------------------------- households

def _clean_household(data: Mapping[str, Any], *, unit: OrgUnit | None) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key in ("number", "building", "entrance", "room", "group_no", "house_no", "address"):
        if key in data:
            cleaned[key] = str(data.get(key) or "").strip()
    if "number" in cleaned:
        if not cleaned["number"]:
            errors["number"] = "请填写户编号"
        elif len(cleaned["number"]) > 40:
            errors["number"] = "户编号不能超过40个字符"
    for key, limit in (("building", 20), ("entrance", 20), ("room", 20), ("group_no", 20), ("house_no", 20), ("address", 200)):
        if len(cleaned.get(key, "")) > limit:
            errors[key] = f"不能超过{limit}个字"
    if "is_registered" in data:
        cleaned["is_registered"] = bool(data.get("is_registered"))
    for key, (low, high), label in (("lat", LAT_RANGE, "纬度"), ("lng", LNG_RANGE, "经度")):
        if key not in data:
            continue
        raw = data.get(key)
        if raw in (None, ""):
            cleaned[key] = None
            continue
        try:
            value = float(str(raw))
        except (TypeError, ValueError):
            errors[key] = f"{label}应为数字"
            continue
        if not low <= value <= high:
            errors[key] = f"{label}不在衡水市范围内（{low}–{high}）"
        cleaned[key] = value
    if ("lat" in cleaned) != ("lng" in cleaned) or (cleaned.get("lat") is None) != (cleaned.get("lng") is None):
        errors.setdefault("lng", "经纬度须同时填写")
    return cleaned, errors


def _village_in_scope(actor: Any, unit_code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise ValidationError({"unit_code": "村（社区）代码不存在"})
    if not unit.is_village_level:
        raise ValidationError({"unit_code": "应选择村（社区）一级的单位"})
    if actor is not None and not can_see_unit(actor, unit.code):
        raise ValidationError({"unit_code": "该村（社区）不在您的管辖范围内"})
    return unit


@transaction.atomic
def create_household(*, actor: Any, unit_code: str, data: Mapping[str, Any]) -> Household:
    """登记一户: the household's unit must be a village-level unit in the actor's scope."""
    unit = _village_in_scope(actor, unit_code)
    cleaned, errors = _clean_household({"number": "", **data}, unit=unit)
    if not errors and Household.objects.filter(unit=unit, number=cleaned["number"]).exists():
        errors["number"] = "本村（社区）已有该户编号"
    if errors:
        raise ValidationError(errors)
    household = Household.objects.create(unit=unit, **cleaned)
    audit.record(actor=actor, action="people.household_create", obj=household)
    return household


@transaction.atomic
def update_household(*, actor: Any, household: Household, data: Mapping[str, Any]) -> Household:
    _require_visible(actor, household.unit_id)
    household = Household.objects.select_for_update().get(pk=household.pk)
    cleaned, errors = _clean_household({k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS}, unit=None)
    if "number" in cleaned and not errors and Household.objects.filter(
            unit_id=household.unit_id, number=cleaned["number"]).exclude(pk=household.pk).exists():  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
        errors["number"] = "本村（社区）已有该户编号"
    head_id = data.get("head_id", household.head_id) if "head_id" in data else household.head_id
    if head_id and not Resident.objects.filter(pk=head_id, household=household).exists():
        errors["head_id"] = "户主须为本户成员"
    if errors:
        raise ValidationError(errors)
    changed = [k for k, v in cleaned.items() if getattr(household, k) != v]
    for key in changed:
        setattr(household, key, cleaned[key])
    if head_id != household.head_id:
        household.head_id = head_id or None
        changed.append("head")
    if changed:
        household.save(update_fields=[*changed, "updated_at"])
        audit.record(actor=actor, action="people.household_update", obj=household, detail={"fields": changed})
    return household


# ---------------------------------------------------------------- residents

def _household_for(actor: Any, household_id: Any, unit_code: str) -> Household | None:
    if household_id in (None, ""):
        return None
    try:
        household = Household.objects.select_for_update().get(pk=int(household_id))
    except (Household.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"household_id": "未找到该户"}) from None
    if household.unit_id != unit_code:
        raise ValidationError({"household_id": "该户不在此居民所属的村（社区）"})
    return household


def _write_tags(resident: Resident, codes: list[str], details: Mapping[str, dict[str, Any]],
                *, actor: Any) -> tuple[list[str], list[str]]:
    """Set the resident's tags; restricted tags the actor may not see are left as they are.

    Returns the changes in words, split: (ordinary tags, restricted tags). A restricted tag's label is
    never written where a user without the right reads it (the history's summary, the audit detail).
    """
    restricted_ok = actor is None or can_see_restricted_tags(actor)
    current = {t.tag: t for t in resident.tags.all()}
    wanted = set(codes)
    changes: list[tuple[str, str]] = []
    for code, row in current.items():
        if code in wanted:
            detail = dict(details.get(code, {}))
            if row.detail != detail:
                row.detail = detail
                row.save(update_fields=["detail"])
                changes.append((code, f"修改{Tag(code).label}"))
        elif restricted_ok or code not in RESTRICTED_TAGS:
            row.delete()
            changes.append((code, f"取消{Tag(code).label}"))
    new = [ResidentTag(resident=resident, tag=code, detail=dict(details.get(code, {}))) for code in codes if code not in current]
    ResidentTag.objects.bulk_create(new)
    changes += [(t.tag, f"添加{Tag(t.tag).label}") for t in new]
    return ([text for code, text in changes if code not in RESTRICTED_TAGS],
            [text for code, text in changes if code in RESTRICTED_TAGS])


def _raise(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


# ---------------------------------------------------------------- move-in look-ups (迁入查询)

MOVE_IN_LOOKUP = "people.move_in_lookup"


def move_in_lookups_per_day() -> int:
    """How many records outside their scope one user may look up in 24 hours (PEOPLE_MOVE_IN_LOOKUPS_PER_DAY)."""
    return int(getattr(settings, "PEOPLE_MOVE_IN_LOOKUPS_PER_DAY", 20))


def lookup_limit_message() -> str:
    return f"今日迁入查询次数已达上限（每人每24小时{move_in_lookups_per_day()}次），请明天再试，或请上级单位办理。"


@transaction.atomic
def record_move_in_lookups(*, actor: Any, purpose: str, count: int = 1) -> int:
    """Count and audit look-ups of records outside the actor's scope; returns how many of `count` are allowed.

    A look-up is a move-in attempt (迁入) or a registration refused because the number lives elsewhere. Each is an
    audit row (`people.move_in_lookup`, purpose, allowed and refused counts, never the number); the user's row is
    locked so that parallel requests cannot both take the last one. The command line (actor None) is not limited.
    """
    if actor is None or not actor.pk:
        return count
    from accounts.models import AuditEntry, User

    list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
    since = timezone.now() - dt.timedelta(days=1)
    used = sum(int(detail.get("count", 0)) for detail in AuditEntry.objects.filter(
        actor=actor, action=MOVE_IN_LOOKUP, at__gte=since).values_list("detail", flat=True))
    allowed = max(0, min(count, move_in_lookups_per_day() - used))
    audit.record(actor=actor, action=MOVE_IN_LOOKUP, detail={"purpose": purpose, "count": allowed,
                                                             "refused": count - allowed})
    return allowed


def _counted_as_lookup(exc: ValidationError, *, actor: Any, purpose: str) -> ValidationError:
    """A registration refused because the number lives outside the actor's scope is a look-up: count it."""
    if not hasattr(exc, "error_dict") or REGISTERED_ELSEWHERE not in exc.message_dict.get("id_number", []):
        return exc
    if record_move_in_lookups(actor=actor, purpose=purpose):
        return exc
    return ValidationError({**exc.message_dict, "id_number": lookup_limit_message()})


def _duplicate_on_save(id_hash: str | None, *, actor: Any, exclude_pk: int | None = None) -> ValidationError:
    """A concurrent registration of the same number took it between the check and the save."""
    return ValidationError({"id_number": duplicate_message(id_hash, actor=actor, exclude_pk=exclude_pk)
                            or REGISTERED_ELSEWHERE})


def create_resident(*, actor: Any, data: Mapping[str, Any]) -> Resident:
    """登记居民: full validation (see people.validation), one person one record city-wide.

    Not itself atomic: a refusal because the number is registered outside the actor's scope is counted and
    audited as a move-in look-up after the registration's own transaction has rolled back.
    """
    try:
        return _create_resident(actor=actor, data=data)
    except ValidationError as exc:
        raise _counted_as_lookup(exc, actor=actor, purpose="register") from None


@transaction.atomic
def _create_resident(*, actor: Any, data: Mapping[str, Any]) -> Resident:
    cleaned, errors = clean_resident_fields(data, actor=actor)
    if not errors:
        duplicate = duplicate_message(cleaned["id_number_hash"], actor=actor)
        if duplicate:
            errors["id_number"] = duplicate
    household = None
    if not errors:
        try:
            household = _household_for(actor, data.get("household_id"), cleaned["unit_code"])
        except ValidationError as exc:
            errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
    _raise(errors)
    resident = Resident(**resident_columns(cleaned), household=household)
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:  # a concurrent registration of the same number
        raise _duplicate_on_save(cleaned["id_number_hash"], actor=actor) from None
    _write_tags(resident, cleaned["tags"], cleaned["tag_details"], actor=actor)
    if household is not None and cleaned["relation"] == Resident.Relation.HEAD and household.head_id is None:
        household.head = resident
        household.save(update_fields=["head", "updated_at"])
    _event(resident, ResidentEvent.Kind.CREATED, actor=actor, summary="登记")
    audit.record(actor=actor, action="people.resident_create", obj=resident)
    return resident


def current_values(resident: Resident) -> dict[str, Any]:
    """The resident's fields in the shape clean_resident_fields takes (decrypts ID and phone: server side only)."""
    return {
        "name": resident.name, "gender": resident.gender, "birth_date": resident.birth_date,
        "id_type": resident.id_type, "id_number": crypto.decrypt(resident.id_number_enc),
        "phone": crypto.decrypt(resident.phone_enc), "unit_code": resident.unit_id, "relation": resident.relation,
        "current_address": resident.current_address, "hukou_address": resident.hukou_address,
        "registered_here": resident.registered_here,
        "tags": [t.tag for t in resident.tags.all()],
        "tag_details": {t.tag: t.detail for t in resident.tags.all()},
    }


def update_resident(*, actor: Any, resident: Resident, data: Mapping[str, Any]) -> Resident:
    """修改居民信息: the keys given replace the current values; all rules are checked again.

    A new ID number registered outside the actor's scope counts as a move-in look-up (see create_resident).
    """
    try:
        return _update_resident(actor=actor, resident=resident, data=data)
    except ValidationError as exc:
        raise _counted_as_lookup(exc, actor=actor, purpose="update") from None


@transaction.atomic
def _update_resident(*, actor: Any, resident: Resident, data: Mapping[str, Any]) -> Resident:
    _require_visible(actor, resident.unit_id)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.anonymised_at is not None:
        raise ValidationError("该记录已匿名化，不能修改")
    if "unit_code" in data and str(data["unit_code"]) != resident.unit_id:
        raise ValidationError({"unit_code": "变更所属村（社区）请使用“迁移”功能"})
    before = current_values(resident)
    restricted_ok = actor is None or can_see_restricted_tags(actor)
    merged = {**before, **{k: v for k, v in data.items() if k in RESIDENT_FIELDS}}
    if not restricted_ok and "tags" not in data:
        # Restricted tags the actor cannot see are kept by _write_tags and not validated against them.
        merged["tags"] = [t for t in before["tags"] if t not in RESTRICTED_TAGS]
    cleaned, errors = clean_resident_fields(merged, actor=actor)
    if not errors and cleaned["id_number_hash"] != resident.id_number_hash:
        duplicate = duplicate_message(cleaned["id_number_hash"], actor=actor, exclude_pk=resident.pk)
        if duplicate:
            errors["id_number"] = duplicate
    household = resident.household
    if not errors and "household_id" in data:
        try:
            household = _household_for(actor, data.get("household_id"), resident.unit_id)
        except ValidationError as exc:
            errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
    _raise(errors)
    changed: list[str] = []
    columns = resident_columns({k: v for k, v in cleaned.items() if k != "unit_code"})
    for key in ("name", "gender", "birth_date", "id_type", "relation", "current_address", "hukou_address", "registered_here"):
        if getattr(resident, key) != columns[key]:
            setattr(resident, key, columns[key])
            changed.append(key)
    if cleaned["id_number"] != before["id_number"]:
        for key in ("id_number_enc", "id_number_hash", "id_number_masked"):
            setattr(resident, key, columns[key])
        changed += ["id_number_enc", "id_number_hash", "id_number_masked"]
    if cleaned["phone"] != before["phone"]:
        for key in ("phone_enc", "phone_hash", "phone_masked"):
            setattr(resident, key, columns[key])
        changed += ["phone_enc", "phone_hash", "phone_masked"]
    old_household_id = resident.household_id
    if (household.pk if household is not None else None) != old_household_id:
        resident.household = household
        changed.append("household")
    if changed:
        try:
            with transaction.atomic():
                resident.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            raise _duplicate_on_save(cleaned["id_number_hash"], actor=actor, exclude_pk=resident.pk) from None
    tag_changes, restricted_changes = (_write_tags(resident, cleaned["tags"], cleaned["tag_details"], actor=actor)
                                       if "tags" in data else ([], []))
    if "household" in changed and old_household_id:
        Household.objects.filter(pk=old_household_id, head=resident).update(head=None)
    if household is not None and resident.relation == Resident.Relation.HEAD and household.head_id is None:
        household.head = resident
        household.save(update_fields=["head", "updated_at"])
    labels = {f.name: str(f.verbose_name) for f in Resident._meta.fields}
    shown = sorted({labels.get(c.removesuffix("_enc").removesuffix("_hash").removesuffix("_masked"), "") or
                    ("证件号码" if c.startswith("id_number") else "联系电话" if c.startswith("phone") else c) for c in changed})
    if changed or tag_changes or restricted_changes:
        # The restricted part is kept apart (shown only with the right); the summary holds what anyone may read.
        summary = "修改：" + "、".join([*shown, *tag_changes]) if shown or tag_changes else ""
        _event(resident, ResidentEvent.Kind.UPDATED, actor=actor, summary=summary,
               restricted_summary="修改：" + "、".join(restricted_changes) if restricted_changes else "")
        audit.record(actor=actor, action="people.resident_update", obj=resident,
                     detail={"fields": sorted(set(changed)), "tags": tag_changes,
                             "restricted_tags_changed": len(restricted_changes)})
    return resident


@transaction.atomic
def move_resident(*, actor: Any, resident: Resident, to_unit_code: str, moved_on: dt.date,
                  household_id: Any = None, current_address: str | None = None) -> ResidentMove:
    """迁移: the record moves to another community with its history; the old community keeps a dated trace."""
    _require_visible(actor, resident.unit_id)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    return _move(actor=actor, resident=resident, to_unit_code=to_unit_code, moved_on=moved_on,
                 household_id=household_id, current_address=current_address)


def move_in(*, actor: Any, id_number: str, name: str, to_unit_code: str, moved_on: dt.date,
            household_id: Any = None, current_address: str | None = None) -> ResidentMove:
    """迁入: the receiving community takes over a record registered elsewhere in the city.

    It must give the person's full ID number and name (as on the 准迁证); the record moves
    with its history, the old community keeps its dated trace and its workers are notified.
    Every attempt is a look-up, counted and audited first (its own transaction, kept when the
    move is refused) and refused beyond PEOPLE_MOVE_IN_LOOKUPS_PER_DAY.
    """
    if not record_move_in_lookups(actor=actor, purpose="move_in"):
        raise ValidationError({"id_number": lookup_limit_message()})
    return _move_in(actor=actor, id_number=id_number, name=name, to_unit_code=to_unit_code, moved_on=moved_on,
                    household_id=household_id, current_address=current_address)


@transaction.atomic
def _move_in(*, actor: Any, id_number: str, name: str, to_unit_code: str, moved_on: dt.date,
             household_id: Any, current_address: str | None) -> ResidentMove:
    try:
        _village_in_scope(actor, str(to_unit_code or "").strip())
    except ValidationError as exc:
        raise ValidationError({"to_unit_code": exc.message_dict.get("unit_code", exc.messages)}) from None
    id_hash = search_hash_of_id(id_number)
    resident = Resident.objects.select_for_update().filter(id_number_hash=id_hash).first() if id_hash else None
    if resident is None or resident.name != str(name or "").strip():
        raise ValidationError({"id_number": "未找到与该证件号码和姓名相符的登记记录"})
    if actor is not None and can_see_unit(actor, resident.unit_id):
        raise ValidationError({"id_number": "该居民已在您的辖区内，请在其详情页使用“迁移”"})
    old_unit = resident.unit_id
    move = _move(actor=actor, resident=resident, to_unit_code=to_unit_code, moved_on=moved_on,
                 household_id=household_id, current_address=current_address)
    from accounts.models import User
    from accounts.roles import Role
    from web.notify import notify_users

    workers = User.objects.filter(role=Role.COMMUNITY_WORKER, unit_id=old_unit, is_active=True)  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
    notify_users(workers, "居民迁出通知", f"{mask_name(resident.name)} 已于 {moved_on:%Y-%m-%d} 迁往本市其他村（社区）。",
                 url="/people/moves/", kind="people.move")
    return move


def search_hash_of_id(id_number: str) -> str:
    from people.validation import normalise_id

    number = normalise_id(id_number)
    return crypto.search_hash(number) if number else ""


def _move(*, actor: Any, resident: Resident, to_unit_code: str, moved_on: dt.date,
          household_id: Any, current_address: str | None) -> ResidentMove:
    errors: dict[str, str] = {}
    if resident.status != Resident.Status.PRESENT:
        raise ValidationError("只有在住居民可以迁移")
    target = OrgUnit.objects.filter(code=str(to_unit_code or "").strip()).first()
    if target is None:
        errors["to_unit_code"] = "迁入村（社区）代码不存在"
    elif not target.is_village_level:
        errors["to_unit_code"] = "应选择村（社区）一级的单位"
    elif target.code == resident.unit_id:
        errors["to_unit_code"] = "迁入地与现所属村（社区）相同"
    today = timezone.localdate()
    if not isinstance(moved_on, dt.date):
        errors["moved_on"] = "请填写迁移日期"
    elif moved_on > today:
        errors["moved_on"] = "迁移日期不能晚于今天"
    elif moved_on < resident.birth_date:
        errors["moved_on"] = "迁移日期不能早于出生日期"
    household = None
    if not errors and household_id not in (None, ""):
        if actor is not None and not can_see_unit(actor, target.code):  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
            raise ValidationError({"household_id": "迁入地不在您的管辖范围内，请由迁入地工作人员编入户"})
        try:
            household = _household_for(None, household_id, target.code)  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
        except ValidationError as exc:
            errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
    if current_address is not None and len(current_address) > 200:
        errors["current_address"] = "现住址不能超过200个字"
    _raise(errors)
    assert target is not None
    old_unit = resident.unit_id
    old_household_id = resident.household_id
    move = ResidentMove.objects.create(resident=resident, from_unit_id=old_unit, to_unit=target, moved_on=moved_on,
                                       recorded_by=actor if actor is not None and actor.pk else None)
    resident.unit = target
    resident.household = household
    fields = ["unit", "household", "updated_at"]
    resident.current_address = (current_address or "").strip()
    fields.append("current_address")
    if household is None:
        resident.relation = Resident.Relation.OTHER
        fields.append("relation")
    resident.save(update_fields=fields)
    if old_household_id:
        Household.objects.filter(pk=old_household_id, head=resident).update(head=None)
    from_name = OrgUnit.objects.filter(code=old_unit).values_list("name", flat=True).first() or old_unit
    _event(resident, ResidentEvent.Kind.MOVED, actor=actor, summary=f"自{from_name}迁入{target.name}（{moved_on:%Y-%m-%d}）")
    audit.record(actor=actor, action="people.resident_move", obj=resident, unit_code=old_unit,
                 detail={"from": old_unit, "to": target.code, "moved_on": moved_on.isoformat()})
    return move


@transaction.atomic
def set_status(*, actor: Any, resident: Resident, status: str, on: dt.date | None) -> Resident:
    """状态变更: moved out of the city or deceased (with the date), or back to present."""
    _require_visible(actor, resident.unit_id)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.anonymised_at is not None:
        raise ValidationError("该记录已匿名化，不能修改")
    errors: dict[str, str] = {}
    if status not in Resident.Status.values:
        errors["status"] = "状态应为：在住、已迁出、已故"
    elif status == resident.status:
        errors["status"] = "状态未改变"
    elif resident.status == Resident.Status.DECEASED and status != Resident.Status.PRESENT:
        errors["status"] = "已故人员只能更正为在住"
    if status != Resident.Status.PRESENT:
        if on is None:
            errors["on"] = "请填写日期"
        elif on > timezone.localdate():
            errors["on"] = "日期不能晚于今天"
        elif on < resident.birth_date:
            errors["on"] = "日期不能早于出生日期"
    _raise(errors)
    old = resident.get_status_display()
    resident.status = status
    resident.status_date = on if status != Resident.Status.PRESENT else None
    resident.save(update_fields=["status", "status_date", "updated_at"])
    if status == Resident.Status.MOVED_OUT:
        assert on is not None
        ResidentMove.objects.create(resident=resident, from_unit_id=resident.unit_id, to_unit=None, moved_on=on,
                                    recorded_by=actor if actor is not None and actor.pk else None)
    when = f"（{on:%Y-%m-%d}）" if on and status != Resident.Status.PRESENT else ""
    _event(resident, ResidentEvent.Kind.STATUS, actor=actor, summary=f"{old}→{resident.get_status_display()}{when}")
    audit.record(actor=actor, action="people.resident_status", obj=resident,
                 detail={"status": status, "on": on.isoformat() if on else None})
    return resident


@transaction.atomic
def reveal(*, actor: Any, resident: Resident, reason: str) -> dict[str, str]:
    """查看完整证件号码与电话: needs the right and a stated reason; audit-logged with the reason."""
    _require_visible(actor, resident.unit_id)
    if not can_reveal(actor):
        raise PermissionError("您没有查看完整信息的权限")
    reason = (reason or "").strip()
    if len(reason) < REVEAL_REASON_MIN:
        raise ValidationError({"reason": f"请说明查看理由（至少{REVEAL_REASON_MIN}个字）"})
    if len(reason) > 300:
        raise ValidationError({"reason": "理由不能超过300个字"})
    if resident.anonymised_at is not None:
        raise ValidationError("该记录已匿名化，没有可查看的信息")
    _event(resident, ResidentEvent.Kind.REVEAL, actor=actor, summary="查看完整证件号码与电话", reason=reason)
    audit.record(actor=actor, action="people.reveal", obj=resident, detail={"reason": reason})
    return {"id_number": crypto.decrypt(resident.id_number_enc), "phone": crypto.decrypt(resident.phone_enc)}


# ---------------------------------------------------------------- rights (security admin)

RIGHTS = {right.removeprefix("people."): label for right, label in DATA_RIGHTS.items() if right.startswith("people.")}


@transaction.atomic
def set_right(*, actor: Any, user: Any, right: str, granted: bool) -> None:
    """Ask for (the unit leader approves, accounts.rights) or withdraw one of the register's three rights."""
    from accounts import services as account_services
    from accounts.roles import Role

    if actor is None or getattr(actor, "role", None) != Role.SECURITY_ADMIN:
        raise PermissionError("只有安全管理员可以授权")
    if right not in RIGHTS:
        raise ValidationError("未知的权限")
    if granted:
        account_services.request_right(actor=actor, user=user, right=f"people.{right}")
    else:
        account_services.revoke_right(actor=actor, user=user, right=f"people.{right}")


# ---------------------------------------------------------------- retention

def retention_years() -> dict[str, int]:
    return {
        Resident.Status.DECEASED: int(getattr(settings, "PEOPLE_RETENTION_DECEASED_YEARS", 5)),
        Resident.Status.MOVED_OUT: int(getattr(settings, "PEOPLE_RETENTION_MOVED_OUT_YEARS", 3)),
    }


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def retention_due(today: dt.date | None = None) -> Any:
    """Deceased and moved-out records whose retention period has ended and that still hold identity data."""
    from django.db.models import Q

    today = today or timezone.localdate()
    rule = Q()
    for status, years in retention_years().items():
        rule |= Q(status=status, status_date__lte=_years_before(today, years))
    return Resident.objects.filter(rule, anonymised_at__isnull=True)


def anonymise(resident: Resident, *, actor: Any = None) -> None:
    """Reduce a record to a statistical tombstone: unit, gender, birth year, status and its date."""
    with transaction.atomic():
        resident.name = mask_name(resident.name)
        resident.birth_date = resident.birth_date.replace(month=7, day=1)
        for key in ("id_number_enc", "id_number_masked", "phone_enc", "phone_hash", "phone_masked",
                    "hukou_address", "current_address"):
            setattr(resident, key, "")
        resident.id_number_hash = None
        resident.account = None
        resident.household = None
        resident.anonymised_at = timezone.now()
        resident.save(update_fields=["name", "birth_date", "id_number_enc", "id_number_masked", "id_number_hash",
                                     "phone_enc", "phone_hash", "phone_masked", "hukou_address", "current_address",
                                     "account", "household", "anonymised_at", "updated_at"])
        Household.objects.filter(head=resident).update(head=None)
        resident.tags.all().delete()
        ResidentEvent.objects.filter(resident=resident, kind=ResidentEvent.Kind.REVEAL).update(reason="（已匿名化）")
        ResidentEvent.objects.filter(resident=resident).exclude(restricted_summary="").update(restricted_summary="")
        _event(resident, ResidentEvent.Kind.ANONYMISED, actor=actor, summary="保存期满，身份信息已清除")


def apply_retention(*, actor: Any = None, today: dt.date | None = None, batch: int = 500) -> int:
    """Anonymise every record whose retention period has ended; returns how many. One transaction per record."""
    count = 0
    while True:
        rows = list(retention_due(today).order_by("pk")[:batch])
        if not rows:
            break
        for resident in rows:
            anonymise(resident, actor=actor)
            count += 1
    audit.record(actor=actor, action="people.retention", detail={"anonymised": count},
                 username="" if actor is not None else "system")
    return count

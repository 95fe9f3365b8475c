"""Every write of the care module: one function each, in a transaction, audited."""

import heapq
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts import audit
from accounts.models import User
from accounts.roles import Role
from accounts.scoping import can_see_unit, scope_prefix
from care.models import (
    CHECKLIST,
    SHELTER_FACILITIES,
    DisasterOfficer,
    Drill,
    DueVisit,
    EmergencyNotice,
    EmergencyOptIn,
    EmergencyShelter,
    Frequency,
    Method,
    NoticeKind,
    NoticeRecipient,
    Rating,
    Referral,
    ShelterKind,
    Visit,
    VisitPhoto,
    VisitRule,
)
from care.periods import periods_in_month, today
from people.models import Resident, ResidentTag
from people.tags import Tag
from places.codes import within
from places.models import OrgUnit

NOTICE_SENDER_ROLES = {Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.CITY_STAFF}
# Clock skew allowed between a phone and the server when stamping "now".
FUTURE_TOLERANCE = timedelta(minutes=5)


def _require_scope(actor: Any, unit_code: str) -> None:
    if not can_see_unit(actor, unit_code):
        raise ValidationError("该对象不在您的管辖范围内。")


# ---- Visit rules -------------------------------------------------------------------

@transaction.atomic
def set_visit_rule(*, actor: User, tag: str, frequency: str, active: bool = True) -> VisitRule:
    """City staff set how often a group is visited (探访规则)."""
    if actor.role != Role.CITY_STAFF:
        raise ValidationError("只有市级工作人员可以设置探访规则。")
    if tag not in Tag.values:
        raise ValidationError("未知的人员类别。")
    if frequency not in Frequency.values:
        raise ValidationError("探访频次应为每周、每月、每季度或每半年。")
    rule, created = VisitRule.objects.get_or_create(tag=tag, defaults={"frequency": frequency, "active": active})
    if not created:
        rule.frequency, rule.active = frequency, active
        rule.save(update_fields=["frequency", "active", "updated_at"])
    audit.record(actor=actor, action="care.rule_set", obj=rule, detail={"tag": tag, "frequency": frequency, "active": active})
    return rule


# ---- Plan generation ---------------------------------------------------------------

def _dropouts(rows: Any, on: date) -> list[tuple[int, date, str]]:
    """Unvisited due rows whose resident no longer qualifies, with the day they dropped out."""
    has_tag = Exists(ResidentTag.objects.filter(resident_id=OuterRef("resident_id"), tag=OuterRef("tag")))
    gone = rows.filter(visited_on__isnull=True, removed_on__isnull=True).annotate(tagged=has_tag).filter(
        ~Q(resident__status=Resident.Status.PRESENT) | ~Q(resident__unit_id=F("unit_id")) | Q(tagged=False)
    ).values_list("id", "period_start", "period_end", "resident__status", "resident__status_date", "resident__unit_id",
                  "unit_id")
    gone = list(gone)
    moved_on = _move_dates([(r[0], r[6]) for r in gone if r[3] == Resident.Status.PRESENT and r[5] != r[6]], rows)
    out = []
    for pk, start, end, status, status_date, resident_unit, unit in gone:
        if status != Resident.Status.PRESENT:
            day, reason = status_date or on, str(status)
        elif resident_unit != unit:
            day, reason = moved_on.get(pk, on), "moved_out"
        else:
            day, reason = on, "left_group"
        out.append((pk, min(max(day, start), end), reason))
    return out


def _move_dates(rows: list[tuple[int, str]], qs: Any) -> dict[int, date]:
    """Due-row id → the date its resident moved out of that row's community (people.ResidentMove), when recorded."""
    try:
        from people.models import ResidentMove
    except ImportError:  # pragma: no cover
        return {}
    if not rows:
        return {}
    resident_of = dict(qs.filter(pk__in=[pk for pk, _ in rows]).values_list("id", "resident_id"))
    moves: dict[tuple[int, str], date] = {}
    for resident_id, from_unit, moved_on in ResidentMove.objects.filter(resident_id__in=set(resident_of.values())).values_list(
            "resident_id", "from_unit_id", "moved_on"):
        key = (resident_id, str(from_unit))
        moves[key] = max(moves.get(key, moved_on), moved_on)
    return {pk: moves[(resident_of[pk], unit)] for pk, unit in rows if (resident_of.get(pk), unit) in moves}


CITY_PREFIX = "1311"


def _changed_unit(rows: Any) -> str:
    """The one community the rows belong to, or the city when they span several (for the audit row's unit code)."""
    units = set(rows.values_list("unit_id", flat=True).distinct()[:2])
    return str(next(iter(units))) if len(units) == 1 else CITY_PREFIX.ljust(12, "0")


@transaction.atomic
def reconcile_due_visits(*, on: date | None = None, actor: User | None = None) -> int:
    """Drop residents who died, moved or left the group from the open periods (persisting removed_on)."""
    on = on or today()
    open_rows = DueVisit.objects.filter(period_end__gte=on - timedelta(days=1), period_start__lte=on)
    dropped = _dropouts(open_rows, on)
    updates = [DueVisit(pk=pk, removed_on=day, removed_reason=reason) for pk, day, reason in dropped]
    DueVisit.objects.bulk_update(updates, ["removed_on", "removed_reason"], batch_size=2000)
    if dropped:
        audit.record(actor=actor, action="care.plans_reconciled", unit_code=_changed_unit(open_rows.filter(pk__in=[d[0] for d in dropped])),
                     detail={"dropped": len(dropped), "on": on.isoformat()}, username="system")
    return len(dropped)


def _workers_by_unit(prefix: str = "") -> dict[str, list[int]]:
    workers: dict[str, list[int]] = defaultdict(list)
    qs = User.objects.filter(role=Role.COMMUNITY_WORKER, is_active=True, unit__isnull=False)
    if prefix:
        qs = qs.filter(within("unit_id", prefix))
    for pk, unit in qs.order_by("id").values_list("id", "unit_id"):
        workers[str(unit)].append(pk)
    return workers


def _generate_period(rule: VisitRule, start: date, end: date, workers: dict[str, list[int]], prefix: str) -> int:
    base = DueVisit.objects.filter(rule=rule, period_start=start)
    if prefix:
        base = base.filter(within("unit_id", prefix))
    # Drop-outs first, so a resident who moved gets a row in the new community.
    dropped = _dropouts(base, max(min(today(), end), start))
    DueVisit.objects.bulk_update([DueVisit(pk=pk, removed_on=d, removed_reason=r) for pk, d, r in dropped],
                                 ["removed_on", "removed_reason"], batch_size=2000)
    existing: set[int] = set()
    load: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for resident_id, assignee_id, unit_code in base.filter(removed_on__isnull=True).values_list("resident_id", "assignee_id", "unit_id"):
        existing.add(resident_id)
        if assignee_id:
            load[str(unit_code)][assignee_id] += 1
    # Keep last period's assignment (an edited assignment carries over) while the worker is still there.
    previous: dict[int, tuple[int | None, str]] = {}
    prev_rows = DueVisit.objects.filter(rule=rule, period_end=start - timedelta(days=1), removed_on__isnull=True)
    if prefix:
        prev_rows = prev_rows.filter(within("unit_id", prefix))
    for resident_id, assignee_id, volunteer, unit_code in prev_rows.values_list("resident_id", "assignee_id", "volunteer_name", "unit_id"):
        if volunteer or assignee_id in workers.get(str(unit_code), []):
            previous[resident_id] = (assignee_id, volunteer)
    eligible = Resident.objects.filter(status=Resident.Status.PRESENT, tags__tag=rule.tag)
    if prefix:
        eligible = eligible.filter(within("unit_id", prefix))
    pending: list[tuple[int, str, int | None, str]] = []
    for resident_id, unit_code in eligible.order_by("unit_id", "id").values_list("id", "unit_id").iterator(chunk_size=20000):
        if resident_id in existing:
            continue
        assignee, volunteer = previous.get(resident_id, (None, ""))
        if assignee is not None:
            load[str(unit_code)][assignee] += 1
        pending.append((resident_id, str(unit_code), assignee, volunteer))
    # Even spread: each unassigned resident goes to the community's least-loaded worker.
    heaps: dict[str, list[tuple[int, int]]] = {}
    rows: list[tuple[Any, ...]] = []
    for resident_id, unit, assignee, volunteer in pending:
        if assignee is None and not volunteer and workers.get(unit):
            heap = heaps.get(unit)
            if heap is None:
                heap = heaps[unit] = [(load[unit].get(w, 0), w) for w in workers[unit]]
                heapq.heapify(heap)
            count, assignee = heap[0]
            heapq.heapreplace(heap, (count + 1, assignee))
        rows.append((rule.pk, rule.tag, resident_id, unit, start, end, assignee, volunteer))
    _insert_due_rows(rows)
    return len(rows)


DUE_COLUMNS = "rule_id, tag, resident_id, unit_code, period_start, period_end, assignee_id, volunteer_name"


def insert_many(table: str, columns: str, rows: Sequence[tuple[Any, ...]], *, suffix: str = "", batch: int = 1000) -> None:
    """Plain bulk INSERT: executemany of one prepared statement on SQLite (fastest there), multi-row
    VALUES (…), (…) with 1,000 rows a statement on PostgreSQL (one round trip per batch)."""
    if not rows:
        return
    width = len(rows[0])
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {placeholder} {suffix}", rows)  # noqa: S608
            return
        for i in range(0, len(rows), batch):
            chunk = rows[i:i + batch]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(chunk))} {suffix}"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])


def _insert_due_rows(rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows already generated (same rule, resident and period) are skipped."""
    insert_many("care_duevisit", DUE_COLUMNS + ", removed_reason", [(*r, "") for r in rows], suffix="ON CONFLICT DO NOTHING")


@transaction.atomic
def generate_visit_plans(*, month: date, actor: User | None = None, prefix: str = "") -> dict[str, int]:
    """Create the due visits of every active rule for the periods of a month (idempotent).

    Each resident the rule selects (status present, carrying the tag) gets one row per period,
    assigned to last period's visitor if still valid, else to the least-loaded worker of the
    community. Existing rows are kept; residents who dropped out are marked removed.
    """
    month = month.replace(day=1)
    workers = _workers_by_unit(prefix)
    created: dict[str, int] = {}
    for rule in VisitRule.objects.filter(active=True).order_by("id"):
        created[rule.tag] = sum(_generate_period(rule, s, e, workers, prefix) for s, e in periods_in_month(rule.frequency, month))
    # The unit code tells the planning module which indicator values to refresh (the whole city for a full run).
    audit.record(actor=actor, action="care.plans_generated", unit_code=(prefix or CITY_PREFIX).ljust(12, "0"),
                 detail={"month": month.isoformat(), "created": created}, username="system")
    return created


@transaction.atomic
def assign_unassigned(*, on: date | None = None) -> int:
    """Spread open, unassigned due visits over the community's workers (e.g. a community that had none at generation)."""
    on = on or today()
    rows = DueVisit.objects.filter(period_start__lte=on, period_end__gte=on, assignee__isnull=True, volunteer_name="",
                                   visited_on__isnull=True, removed_on__isnull=True)
    units = set(rows.values_list("unit_id", flat=True).distinct())
    if not units:
        return 0
    workers: dict[str, list[int]] = defaultdict(list)
    for pk, unit in User.objects.filter(role=Role.COMMUNITY_WORKER, is_active=True, unit__in=units).order_by("id").values_list("id", "unit_id"):
        workers[str(unit)].append(pk)
    if not workers:
        return 0
    load: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    current = DueVisit.objects.filter(period_start__lte=on, period_end__gte=on, assignee__isnull=False, unit__in=list(workers))
    for assignee_id, unit in current.values_list("assignee_id", "unit_id"):
        load[str(unit)][assignee_id] += 1
    heaps = {unit: [(load[unit].get(w, 0), w) for w in ids] for unit, ids in workers.items()}
    for heap in heaps.values():
        heapq.heapify(heap)
    updates = []
    for pk, unit in rows.filter(unit__in=list(workers)).order_by("unit_id", "id").values_list("id", "unit_id"):
        heap = heaps[str(unit)]
        count, worker = heap[0]
        heapq.heapreplace(heap, (count + 1, worker))
        updates.append(DueVisit(pk=pk, assignee_id=worker))
    DueVisit.objects.bulk_update(updates, ["assignee"], batch_size=2000)
    if updates:
        audit.record(actor=None, action="care.plans_assigned", unit_code=_changed_unit(DueVisit.objects.filter(pk__in=[u.pk for u in updates])),
                     detail={"rows": len(updates), "on": on.isoformat()}, username="system")
    return len(updates)


@transaction.atomic
def assign_due_visit(*, actor: User, due: DueVisit, worker: User | None = None, volunteer_name: str = "") -> DueVisit:
    """Reassign one due visit to a worker of the same community or to a named volunteer."""
    _require_scope(actor, due.unit_id)
    volunteer_name = volunteer_name.strip()
    if worker is None and not volunteer_name:
        raise ValidationError("请选择社区工作人员或填写志愿者姓名。")
    if worker is not None and (worker.role != Role.COMMUNITY_WORKER or worker.unit_id != due.unit_id or not worker.is_active):
        raise ValidationError("只能分配给本村（社区）的工作人员。")
    due.assignee, due.volunteer_name = worker, volunteer_name[:50]
    due.save(update_fields=["assignee", "volunteer_name"])
    audit.record(actor=actor, action="care.due_assigned", obj=due,
                 detail={"assignee": worker.pk if worker else None, "volunteer": bool(volunteer_name)})
    return due


# ---- Visits ------------------------------------------------------------------------

@transaction.atomic
def record_visit(
    *, actor: User, resident: Resident, visited_at: datetime, method: str, health: str, home_safety: str, living: str,
    mood: str, needs: str = "", needs_action: bool = False, notes: str = "", visitor_name: str = "",
    lat: float | None = None, lng: float | None = None, photos: Iterable[Any] = (),
) -> Visit:
    """探访记录: not in the future, only for someone in the visitor's scope, only while they live there."""
    resident = Resident.objects.select_related("unit").get(pk=resident.pk)  # the register's current state
    if actor.role not in (Role.COMMUNITY_WORKER, Role.TOWNSHIP_STAFF) or not can_see_unit(actor, resident.unit_id):
        raise ValidationError("该居民不在您的管辖范围内。")
    if visited_at is None:
        raise ValidationError("请填写探访时间。")
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    if visited_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError("探访时间不能晚于当前时间。")
    day = timezone.localtime(visited_at).date()
    if resident.status != Resident.Status.PRESENT and (resident.status_date is None or day > resident.status_date):
        raise ValidationError(f"该居民已{resident.get_status_display()}，不能再记录之后的探访。")
    if method not in Method.values:
        raise ValidationError("探访方式应为入户、电话或视频。")
    for field, label in CHECKLIST:
        if locals()[field] not in Rating.values:
            raise ValidationError(f"请选择“{label}”。")
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= float(lng or 0) <= 180)):
        raise ValidationError("位置坐标无效。")
    visit = Visit.objects.create(
        resident=resident, unit_id=resident.unit_id, visited_at=visited_at, visitor=actor, visitor_name=visitor_name.strip()[:50],
        method=method, health=health, home_safety=home_safety, living=living, mood=mood, needs=needs.strip()[:200],
        needs_action=needs_action, notes=notes.strip(), lat=lat, lng=lng,
    )
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, image=photo)
    # The first visit in a period satisfies every due row of that resident there (any rule).
    DueVisit.objects.filter(
        resident=resident, unit=resident.unit, period_start__lte=day, period_end__gte=day, visited_on__isnull=True,
    ).filter(Q(removed_on__isnull=True) | (Q(removed_on__gt=day) & ~Q(removed_reason="moved_out"))).update(
        visited_on=day, visit=visit, removed_on=None, removed_reason="",
    )
    audit.record(actor=actor, action="care.visit_recorded", obj=visit, detail={"resident": resident.pk, "method": method})
    return visit


REFERRAL_CATEGORIES = [
    ("elderly_care", "养老服务"), ("disability", "助残服务"), ("minors", "未成年人关爱"), ("health", "医疗卫生"),
    ("social_assistance", "社会救助"), ("emergency", "应急防灾"), ("other", "其他"),
]


def appeals_available() -> bool:
    """A finding can become a service request (接诉即办) when the appeals module is installed."""
    if not apps.is_installed("appeals"):
        return False
    try:
        from appeals import services as appeal_services
    except ImportError:
        return False
    return hasattr(appeal_services, "file_appeal")


def _file_request(*, actor: User, visit: Visit, category: str, reason: str) -> Any:
    from appeals import services as appeal_services

    resident = visit.resident
    household = getattr(resident, "household", None)
    address = resident.current_address or (household.address if household is not None else "") or visit.unit.name
    return appeal_services.file_appeal(
        actor=actor, category_code=category, description=f"【探访发现】{reason}", unit_code=visit.unit_id, channel="in_person",
        resident=resident, contact_name=resident.name, location_kind="address", address=address, lat=visit.lat, lng=visit.lng,
    )


@transaction.atomic
def refer_finding(*, actor: User, visit: Visit, service: str = "", reason: str, category: str = "") -> Referral:
    """转介: hand a visit's finding to a named service, or (category given, appeals installed) file a service request."""
    _require_scope(actor, visit.unit_id)
    service, reason = service.strip(), reason.strip()
    if not reason:
        raise ValidationError("请填写转介事由。")
    if category:
        if category not in dict(REFERRAL_CATEGORIES):
            raise ValidationError("未知的诉求类别。")
        if not appeals_available():
            raise ValidationError("接诉即办模块未启用，请填写转介的服务或部门。")
        service = service or f"接诉即办·{dict(REFERRAL_CATEGORIES)[category]}"
    if not service:
        raise ValidationError("请填写转介的服务或部门。")
    referral = Referral.objects.create(visit=visit, unit_id=visit.unit_id, service=service[:100], reason=reason[:300], created_by=actor)
    if category:
        appeal = _file_request(actor=actor, visit=visit, category=category, reason=reason)
        referral.appeal_id = appeal.pk
        referral.save(update_fields=["appeal_id"])
    audit.record(actor=actor, action="care.referral_created", obj=referral,
                 detail={"visit": visit.pk, "service": service, "appeal": referral.appeal_id})
    return referral


# ---- Emergency readiness -----------------------------------------------------------

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

    _require_scope(actor, unit_code)
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
    _require_scope(actor, officer.unit_id)
    officer.ended_on = on or today()
    officer.save(update_fields=["ended_on"])
    audit.record(actor=actor, action="care.officer_ended", obj=officer)
    return officer


@transaction.atomic
def add_shelter(*, actor: User, unit_code: str, name: str, kind: str, capacity: int, address: str = "",
                lat: float | None = None, lng: float | None = None, facilities: Sequence[str] = ()) -> EmergencyShelter:
    _require_scope(actor, unit_code)
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
    _require_scope(actor, unit_code)
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


@transaction.atomic
def set_opt_in(*, actor: User, resident: Resident, opted_in: bool) -> bool:
    """A resident (or a worker on their behalf) subscribes to emergency notices."""
    own = getattr(actor, "resident_record", None) is not None and actor.resident_record.pk == resident.pk
    if not own:
        _require_scope(actor, resident.unit_id)
    if opted_in:
        EmergencyOptIn.objects.update_or_create(resident=resident, defaults={"unit_id": resident.unit_id})
    else:
        EmergencyOptIn.objects.filter(resident=resident).delete()
    audit.record(actor=actor, action="care.opt_in" if opted_in else "care.opt_out", obj=resident)
    return opted_in


def _new_token() -> str:
    return secrets.token_urlsafe(18)[:24]


def deliver(notice: EmergencyNotice, recipients: Sequence[NoticeRecipient], *, again: bool = False) -> None:
    """In-app message to recipients with an account, SMS to the others with a phone number."""
    from people.crypto import decrypt
    from web.models import Notification
    from web.notify import send_sms

    prefix = "【再次提醒】" if again else ""
    users = {r.user_id: r for r in recipients if r.user_id}
    by_user = User.objects.in_bulk(list(users))
    rows = [
        Notification(user=by_user[uid], title=f"{prefix}应急通知：{notice.title}"[:200], body=notice.body,
                     url=f"/care/ack/{r.token}/", kind="care.notice")
        for uid, r in users.items() if uid in by_user
    ]
    # One bulk insert (web.notify.notify_users cannot carry a per-recipient link).
    Notification.objects.bulk_create(rows, batch_size=5000)
    sms = [r for r in recipients if not r.user_id]
    if sms:
        officers = DisasterOfficer.objects.in_bulk([r.officer_id for r in sms if r.officer_id])
        residents = Resident.objects.only("phone_enc").in_bulk([r.resident_id for r in sms if r.resident_id])
        for r in sms:
            source = officers.get(r.officer_id) if r.officer_id else residents.get(r.resident_id) if r.resident_id else None
            phone = decrypt(source.phone_enc) if source is not None and source.phone_enc else ""
            send_sms(phone, f"{prefix}【应急通知】{notice.title}。请确认收到：/care/ack/{r.token}/")


@transaction.atomic
def send_notice(*, actor: User, unit_code: str, kind: str, title: str, body: str) -> EmergencyNotice:
    """应急通知: every worker and officer in the subtree and opted-in residents, one recipient row each."""
    if actor.role not in NOTICE_SENDER_ROLES:
        raise ValidationError("只有市、县、乡镇（街道）工作人员可以发送应急通知。")
    _require_scope(actor, unit_code)
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise ValidationError("单位不存在。")
    if kind not in NoticeKind.values:
        raise ValidationError("请选择通知类别。")
    if not title.strip() or not body.strip():
        raise ValidationError("请填写通知标题和内容。")
    notice = EmergencyNotice.objects.create(unit=unit, kind=kind, title=title.strip()[:100], body=body.strip(), sender=actor,
                                            sent_at=timezone.now())
    prefix = unit.prefix
    # (unit_code, kind, user_id, officer_id, resident_id, name): one row per person, a person reached once.
    recipients: list[tuple[Any, ...]] = []
    seen_users: set[int] = set()
    workers = User.objects.filter(within("unit_id", prefix), is_active=True, role=Role.COMMUNITY_WORKER)
    for pk, code, name in workers.values_list("id", "unit_id", "display_name"):
        seen_users.add(pk)
        recipients.append((code, "worker", pk, None, None, name))
    officers = DisasterOfficer.objects.filter(within("unit_id", prefix), ended_on__isnull=True)
    for pk, code, user_id, name in officers.values_list("id", "unit_id", "user_id", "name"):
        if user_id in seen_users:
            continue
        if user_id:
            seen_users.add(user_id)
        recipients.append((code, "officer", user_id, pk, None, name))
    residents = EmergencyOptIn.objects.filter(within("unit_id", prefix), resident__status=Resident.Status.PRESENT)
    for resident_id, code, account_id, name in residents.values_list("resident_id", "unit_id", "resident__account_id", "resident__name"):
        if account_id in seen_users:
            continue
        recipients.append((code, "resident", account_id, None, resident_id, name))
    _insert_recipients(notice.pk, recipients)
    notice.recipient_count = len(recipients)
    notice.save(update_fields=["recipient_count"])
    transaction.on_commit(lambda: _deliver_later(notice.pk, again=False))
    audit.record(actor=actor, action="care.notice_sent", obj=notice, detail={"recipients": len(recipients)})
    return notice


RECIPIENT_COLUMNS = "notice_id, unit_code, kind, user_id, officer_id, resident_id, name, token, send_count"


def _insert_recipients(notice_id: int, rows: Sequence[tuple[Any, ...]]) -> None:
    """At 100,000 recipients the ORM's per-object work would dominate: plain multi-row inserts."""
    insert_many("care_noticerecipient", RECIPIENT_COLUMNS, [(notice_id, *r, _new_token(), 1) for r in rows])


def _deliver_later(notice_id: int, *, again: bool) -> None:
    from care.tasks import deliver_notice

    deliver_notice.enqueue(notice_id, again)


@transaction.atomic
def resend_notice(*, actor: User, notice: EmergencyNotice) -> int:
    """Send again to everyone who has not acknowledged."""
    _require_scope(actor, notice.unit_id)
    if actor.role not in NOTICE_SENDER_ROLES:
        raise ValidationError("只有市、县、乡镇（街道）工作人员可以重发应急通知。")
    pending = NoticeRecipient.objects.filter(notice=notice, acknowledged_at__isnull=True)
    count = pending.update(send_count=F("send_count") + 1)
    transaction.on_commit(lambda: _deliver_later(notice.pk, again=True))
    audit.record(actor=actor, action="care.notice_resent", obj=notice, detail={"recipients": count})
    return count


@transaction.atomic
def acknowledge(*, token: str, actor: Any = None) -> NoticeRecipient:
    recipient = NoticeRecipient.objects.select_for_update().filter(token=token).first()
    if recipient is None:
        raise ValidationError("链接无效。")
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at = timezone.now()
        recipient.save(update_fields=["acknowledged_at"])
        who = actor if getattr(actor, "is_authenticated", False) else None
        audit.record(actor=who, action="care.notice_acknowledged", obj=recipient.notice, unit_code=recipient.unit_code,
                     detail={"recipient": recipient.pk}, username="link")
    return recipient


def can_send_notices(user: Any) -> bool:
    return getattr(user, "role", None) in NOTICE_SENDER_ROLES and scope_prefix(user) is not None

"""Every write on a request: filing, the state machine, dispatch, deadlines, ratings. One function each, audited."""

import re
import secrets
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Field, QuerySet
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEntry, User
from accounts.roles import STAFF_ROLES, UNIT_ROLE_LEVEL, Role
from accounts.scoping import scope_prefix
from appeals import conf, notifications, workcal
from appeals.importers import category_by_code
from appeals.models import (
    ApiClient,
    Appeal,
    AppealFollower,
    Assist,
    Category,
    Channel,
    DailyCounter,
    Deadline,
    Event,
    EventAction,
    Extension,
    LocationKind,
    Photo,
    Rating,
    RatingAppeal,
    Rectification,
    State,
)
from appeals.photos import CleanPhoto, clean_photos
from people.crypto import decrypt, encrypt, search_hash
from people.masking import mask_phone
from places.codes import is_valid_code
from places.models import Department, OrgUnit
from shequ import one_statement
from shequ.rows import saving

CITY_CODE = "131100000000"
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$")

# The state machine: which transitions each action may make.
TRANSITIONS: dict[str, dict[str, str]] = {
    EventAction.ACCEPT: {State.SUBMITTED: State.ACCEPTED},
    EventAction.START: {State.ACCEPTED: State.IN_PROGRESS, State.REOPENED: State.IN_PROGRESS},
    EventAction.REPLY: {State.ACCEPTED: State.REPLIED, State.IN_PROGRESS: State.REPLIED, State.REOPENED: State.REPLIED},
    EventAction.CLOSE: {State.REPLIED: State.CLOSED},
    EventAction.REOPEN: {State.REPLIED: State.REOPENED, State.CLOSED: State.REOPENED},
}
MOVABLE = [State.SUBMITTED, State.ACCEPTED, State.IN_PROGRESS, State.REOPENED]


def _label(state: str) -> str:
    return str(State(state).label)


def next_state(appeal: Appeal, action: str) -> str:
    """The state `action` leads to from the appeal's state; a clear refusal when it is not allowed."""
    allowed = TRANSITIONS[action]
    if appeal.state not in allowed:
        raise ValidationError(
            f"当前状态为「{_label(appeal.state)}」，不能{EventAction(action).label}"
            f"（只有「{'、'.join(_label(s) for s in allowed)}」状态可以）。"
        )
    return allowed[appeal.state]


# ---- who may do what -------------------------------------------------------------------------------

def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in STAFF_ROLES)


def can_handle(user: Any, appeal: Appeal) -> bool:
    """The handling (承办) unit's or department's own staff."""
    if not is_staff(user):
        return False
    if appeal.department_id:
        return user.role == Role.DEPARTMENT_STAFF and user.department_id == appeal.department_id
    return bool(user.role in UNIT_ROLE_LEVEL and user.unit_id == appeal.unit_id)


def is_level_above(user: Any, unit_code: str, department_id: int | None = None) -> bool:
    """Staff of a unit strictly above the handling unit (city staff for a department)."""
    if not is_staff(user) or user.role == Role.DEPARTMENT_STAFF:
        return False
    if department_id:
        return bool(user.role == Role.CITY_STAFF)
    prefix = scope_prefix(user)
    return prefix is not None and unit_code.startswith(prefix) and user.unit_id != unit_code


def _require_handler(user: Any, appeal: Appeal) -> None:
    if not can_handle(user, appeal):
        raise ValidationError("只有承办单位的工作人员可以办理此诉求。")


def parent_code(unit_code: str) -> str:
    unit = OrgUnit.objects.only("parent_id").get(code=unit_code)
    return unit.parent_id or unit_code


def _handler_users(appeal: Appeal) -> QuerySet[User]:
    """Lazy: notify_users turns it into one INSERT … SELECT."""
    if appeal.department_id:
        return User.objects.filter(department_id=appeal.department_id, role=Role.DEPARTMENT_STAFF, is_active=True)
    return _unit_handlers(appeal.unit_id)


def _unit_handlers(unit_code: str) -> QuerySet[User]:
    """The unit's active staff, who handle what lands there."""
    return User.objects.filter(unit_id=unit_code, role__in=list(UNIT_ROLE_LEVEL), is_active=True)  # type: ignore[misc]


def _unit_handlers_select(unit_code: str) -> tuple[str, list[Any]]:
    """_unit_handlers as SQL, for the filing statement (building the queryset costs more than the insert)."""
    def column(name: str) -> str:
        return connection.ops.quote_name(cast("Field[Any, Any]", User._meta.get_field(name)).column)

    roles = list(UNIT_ROLE_LEVEL)
    marks = ", ".join(["%s"] * len(roles))
    sql = (f"SELECT {column('id')} AS pk FROM {connection.ops.quote_name(User._meta.db_table)} "  # noqa: S608
           f"WHERE {column('unit')} = %s AND {column('role')} IN ({marks}) AND {column('is_active')}")
    return sql, [unit_code, *roles]


def _unit_users(unit_code: str) -> list[User]:
    return list(_unit_handlers(unit_code))


# ---- small pieces ------------------------------------------------------------------------------------

def _now() -> datetime:
    return timezone.now()


def _text(value: str | None, label: str, *, required: bool = True, limit: int = 2000) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError(f"请填写{label}。")
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 字。")
    return text


def _actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return "居民"
    where = ""
    if actor.role == Role.DEPARTMENT_STAFF and actor.department_id:
        where = actor.department.name
    elif actor.unit_id:
        where = actor.unit.name
    if actor.role == Role.RESIDENT:
        return "居民"
    return f"{where} {actor}".strip()


def _event_row(appeal: Appeal, action: str, actor: Any, *, note: str = "", from_state: str = "", to_state: str = "",
               public: bool = True, from_unit: str = "", to_unit: str = "", at: datetime | None = None) -> Event:
    """A timeline entry, not yet saved."""
    return Event(
        appeal=appeal, at=at or _now(), actor=actor if getattr(actor, "pk", None) else None, actor_label=_actor_label(actor),
        action=action, note=note, from_state=from_state, to_state=to_state, public=public,
        from_unit=from_unit, to_unit=to_unit,
    )


_event = saving(_event_row)


def _store_photos(appeal: Appeal, event: Event | None, photos: list[CleanPhoto]) -> None:
    for photo in photos:
        row = Photo(appeal=appeal, event=event, width=photo.width, height=photo.height)
        row.image.save(f"{uuid.uuid4().hex}.{photo.extension}", ContentFile(photo.content), save=False)
        row.save()


@transaction.atomic
def attach_photos(*, appeal: Appeal, actor: Any, photos: list[CleanPhoto]) -> None:
    """Attach already checked photos to the actor's latest step on the request."""
    if not photos:
        return
    event = Event.objects.filter(appeal=appeal, actor=actor).order_by("-at", "-id").first()
    _store_photos(appeal, event, photos)
    audit.record(actor=actor, action="appeals.attach", obj=appeal, detail={"photos": len(photos)})


# Day sequences this process created outside any transaction: committed, so they cannot vanish
# with a rollback, and nextval alone is enough.
_committed_sequences: set[str] = set()


def _sequence_name(now: datetime) -> str:
    return f"appeals_serial_{timezone.localdate(now):%Y%m%d}"


def prepare_tracking_no(now: datetime) -> None:
    """PostgreSQL: make sure the day's sequence exists before a filing takes a number from it.

    Outside a transaction it is created once per process and day. Inside one (a test, a visit
    finding) it is asked for on every filing: a rollback would take a new sequence away again.
    """
    name = _sequence_name(now)
    if connection.vendor != "postgresql" or name in _committed_sequences:
        return
    in_transaction = connection.in_atomic_block
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
    except (IntegrityError, DatabaseError):
        if in_transaction:
            raise
        # otherwise: created at the same moment by another process
    if not in_transaction:
        _committed_sequences.add(name)


def next_tracking_no(now: datetime) -> str:
    """YYYYMMDD + a four-digit serial of the day in Asia/Shanghai (more digits after 9,999).

    PostgreSQL: one sequence per day (appeals_serial_YYYYMMDD, made by prepare_tracking_no), so
    concurrent filings never wait on each other (a rolled-back filing leaves a gap). SQLite
    serialises writers anyway: a DailyCounter row, UPDATE … RETURNING.
    """
    day = timezone.localdate(now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{_sequence_name(now)}')")
            return f"{day:%Y%m%d}{cursor.fetchone()[0]:04d}"
    table = connection.ops.quote_name(DailyCounter._meta.db_table)
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE day = %s RETURNING last", [day])  # noqa: S608
            row = cursor.fetchone()
        if row is not None:
            return f"{day:%Y%m%d}{row[0]:04d}"
        try:
            with transaction.atomic():
                DailyCounter.objects.create(day=day, last=0)
        except IntegrityError:
            continue
    raise ValidationError("受理编号生成失败，请重试。")


def _new_ids_sql(now: datetime) -> tuple[str, list[Any]]:
    """The filing statement's first part: the new request's id, and its tracking number as next_tracking_no makes it."""
    serial = "serial.n::text"
    # Table and sequence names are the project's own; the date is bound.
    return (f"SELECT nextval(pg_get_serial_sequence('{Appeal._meta.db_table}', 'id')) AS id, "  # noqa: S608
            f"%s || lpad({serial}, greatest(4, length({serial})), '0') AS tracking_no "
            f"FROM (SELECT nextval('{_sequence_name(now)}') AS n) serial", [f"{timezone.localdate(now):%Y%m%d}"])


def ip_hash(ip: str) -> str:
    return search_hash(f"ip:{ip}") if ip else ""


def check_rate_limit(*, ip: str = "", phone: str = "") -> None:
    """A flood from one address or one phone is refused before anything is written."""
    now = _now()
    if ip and Appeal.objects.filter(ip_hash=ip_hash(ip), created_at__gte=now - timedelta(hours=1)).count() >= conf.RATE_PER_IP_HOUR:
        raise ValidationError(f"提交过于频繁：同一网络每小时最多提交 {conf.RATE_PER_IP_HOUR} 件诉求，请稍后再试或拨打 12345。",
                              code="rate_limited")
    if phone:
        recent = Appeal.objects.filter(phone_hash=search_hash(phone), created_at__gte=now - timedelta(days=1)).count()
        if recent >= conf.RATE_PER_PHONE_DAY:
            raise ValidationError(f"提交过于频繁：同一手机号每天最多提交 {conf.RATE_PER_PHONE_DAY} 件诉求。", code="rate_limited")


def _deadline(appeal: Appeal, kind: str, unit_code: str, due_at: datetime) -> Deadline:
    return Deadline.objects.create(appeal=appeal, kind=kind, unit_id=unit_code, due_at=due_at)


def _accept_due(category: Category, urgent: bool, start: datetime) -> datetime:
    if urgent:
        return start + timedelta(hours=category.urgent_hours)
    return workcal.add_working_hours(start, category.accept_hours)


def _contact_due(category: Category, urgent: bool, start: datetime) -> datetime:
    return start + timedelta(hours=category.urgent_hours if urgent else category.contact_hours)


def _cancel_open(appeal: Appeal, kinds: list[str], now: datetime) -> None:
    Deadline.objects.filter(appeal=appeal, kind__in=kinds, met_at__isnull=True, cancelled_at__isnull=True).update(cancelled_at=now)


def _meet(appeal: Appeal, kinds: list[str], now: datetime) -> None:
    Deadline.objects.filter(appeal=appeal, kind__in=kinds, met_at__isnull=True, cancelled_at__isnull=True).update(
        met_at=now, paused_at=None)


# ---- filing -------------------------------------------------------------------------------------------

def file_appeal(
    *, actor: Any, category_code: str = "", description: str, unit_code: str, channel: str = Channel.WEB,
    category: Category | None = None, unit: OrgUnit | None = None,
    resident: Any = None, contact_name: str = "", phone: str = "", public_name: bool = False,
    location_kind: str = LocationKind.ADDRESS, address: str = "", lat: float | None = None, lng: float | None = None,
    photos: list[Any] | None = None, ip: str = "", api_client: ApiClient | None = None, rate_limit: bool = True,
) -> Appeal:
    """提交诉求. The request lands at `unit_code` (the resident's community when known).

    Validates everything first (bad input writes nothing), then writes in one transaction.
    """
    category = category or category_by_code((category_code or "").strip())
    if category is None:
        raise ValidationError("未知的诉求类别，请从列表中选择。")
    description = _text(description, "诉求内容")
    contact_name = _text(contact_name, "联系人", required=False, limit=50)
    address = _text(address, "地址", required=False, limit=200)
    phone = re.sub(r"[\s]", "", phone or "")
    if phone and not PHONE_RE.match(phone):
        raise ValidationError("联系电话格式不正确（手机号为 11 位数字）。")
    if channel not in Channel.values:
        raise ValidationError("未知的受理渠道。")
    staff_channel = channel in (Channel.PHONE, Channel.IN_PERSON, Channel.HOTLINE)
    if staff_channel and not is_staff(actor):
        raise ValidationError("电话、来访和 12345 转办的诉求只能由工作人员代为登记。")
    account = actor if getattr(actor, "is_authenticated", False) and actor.role == Role.RESIDENT else None
    if account is None and not phone and not staff_channel and api_client is None:
        raise ValidationError("未登录提交诉求时请留下手机号码，以便联系和查询办理进度。")
    if resident is None and account is not None:
        resident = getattr(account, "resident_record", None)
    if not unit_code and resident is not None:
        unit_code = resident.unit_id
    code = unit.code if unit is not None else str(unit_code or "")
    if not is_known_unit(code):
        raise ValidationError("未知的村（社区），请重新选择所在地。")
    if staff_channel and scope_prefix(actor) is not None and not code.startswith(scope_prefix(actor) or "-"):
        raise ValidationError("只能为本辖区的居民代为登记诉求。")
    if location_kind not in LocationKind.values:
        raise ValidationError("请选择诉求发生的位置。")
    if location_kind == LocationKind.HOME:
        household = getattr(resident, "household", None) if resident is not None else None
        home = (getattr(household, "address", "") or getattr(resident, "current_address", "")) if resident is not None else ""
        if not home:
            raise ValidationError("登记信息中没有您的住址，请填写地址或在地图上选点。")
        address = address or home
        if household is not None and lat is None and household.lat is not None:
            lat, lng = household.lat, household.lng
    elif location_kind == LocationKind.ADDRESS and not address:
        raise ValidationError("请填写诉求发生的地址。")
    if (lat is None) != (lng is None):
        raise ValidationError("请同时提供纬度和经度。")
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError("地图位置无效。")
    if location_kind == LocationKind.POINT and lat is None:
        raise ValidationError("请在地图上选择位置。")
    cleaned = clean_photos(photos or [])
    if rate_limit and not staff_channel:
        check_rate_limit(ip=ip if api_client is None else "", phone=phone)

    now = _now()
    token = secrets.token_hex(16)
    appeal = Appeal(
        tracking_no="", token=token, category=category, description=description,
        channel=channel, urgent=category.urgent, home_unit_id=code, unit_id=code,
        submitter=account, resident=resident, registered_by=actor if staff_channel else None, api_client=api_client,
        contact_name=contact_name or (resident.name if resident is not None else ""),
        phone_enc=encrypt(phone), phone_hash=search_hash(phone), phone_masked=mask_phone(phone), public_name=public_name,
        location_kind=location_kind, address=address, lat=lat, lng=lng, ip_hash=ip_hash(ip) if api_client is None else "",
        created_at=now,
    )
    calendar = workcal.adjustments_from(now)
    appeal.accept_due_at = (now + timedelta(hours=category.urgent_hours) if appeal.urgent
                            else workcal.add_working_hours(now, category.accept_hours, calendar))
    appeal.reply_due_at = workcal.add_working_days(now, category.reply_days, calendar)
    who = _Filer(event_actor=actor if staff_channel or account else None, channel_label=str(Channel(channel).label),
                 audit_actor=actor if getattr(actor, "pk", None) else None, audit_name=api_client.name if api_client else "")
    prepare_tracking_no(now)
    if FILE_IN_ONE_STATEMENT and connection.vendor == "postgresql" and not cleaned:
        _write_in_one_statement(appeal, now, who)
    else:
        _write_with_orm(appeal, now, who, cleaned)
    notifications.to_resident(appeal, f"您的诉求已受理，编号 {appeal.tracking_no}，可凭编号查询办理进度。", phone=phone,
                              followers=False)
    return appeal


# PostgreSQL files a request without photos in one statement (shequ.one_statement): at 32 concurrent
# clients the ORM's seven statements cost nearly four times a bare insert (bench/appeals_open311.py).
# Both writers write the same rows; appeals/tests/test_filing_writers.py compares them.
FILE_IN_ONE_STATEMENT = True


class _Filer(NamedTuple):
    event_actor: Any
    channel_label: str
    audit_actor: User | None
    audit_name: str


def _filing_rows(appeal: Appeal, now: datetime, who: _Filer) -> tuple[list[Deadline], Event, AuditEntry]:
    """What a new request writes beside itself: its three deadlines, the timeline's first entry, the audit row."""
    category, code = appeal.category, appeal.unit_id
    accept_due, reply_due = cast(datetime, appeal.accept_due_at), cast(datetime, appeal.reply_due_at)  # set by file_appeal
    deadlines = [
        Deadline(appeal=appeal, kind=Deadline.Kind.ACCEPT, unit_id=code, due_at=accept_due),
        Deadline(appeal=appeal, kind=Deadline.Kind.CONTACT, unit_id=code, due_at=_contact_due(category, appeal.urgent, now)),
        Deadline(appeal=appeal, kind=Deadline.Kind.REPLY, unit_id=code, due_at=reply_due),
    ]
    event = _event_row(appeal, EventAction.SUBMIT, who.event_actor, to_state=State.SUBMITTED, note=who.channel_label,
                       to_unit=code, at=now)
    entry = audit.entry(actor=who.audit_actor, action="appeals.file", obj=appeal,
                        detail={"channel": appeal.channel, "category": category.code}, username=who.audit_name)
    return deadlines, event, entry


def _write_with_orm(appeal: Appeal, now: datetime, who: _Filer, photos: list[CleanPhoto]) -> None:
    # Everything before this only read; the writes take one short transaction (on SQLite the write lock is
    # held from its first statement, so nothing slow such as photo re-encoding happens inside).
    with transaction.atomic():
        # The day's serial as late as possible: its row lock lasts until commit (a few inserts from here).
        appeal.tracking_no = next_tracking_no(now)
        appeal.save()
        deadlines, event, entry = _filing_rows(appeal, now, who)
        Deadline.objects.bulk_create(deadlines)
        event.save()
        _store_photos(appeal, event, photos)
        entry.save()
        notifications.new_for_handlers(appeal, _handler_users(appeal))


def _write_in_one_statement(appeal: Appeal, now: datetime, who: _Filer) -> None:
    """PostgreSQL: every row in one statement, which also takes the request's id and tracking number."""
    deadlines, event, entry = _filing_rows(appeal, now, who)
    new_id = {"appeal_id": "ids.id"}
    appeal.pk, appeal.tracking_no = one_statement.write({
        "ids": _new_ids_sql(now),
        "appeal": one_statement.insert_sql([appeal], computed={"id": "ids.id", "tracking_no": "ids.tracking_no"}, joined="ids"),
        "deadlines": one_statement.insert_sql(deadlines, computed=new_id, joined="ids"),
        "event": one_statement.insert_sql([event], computed=new_id, joined="ids"),
        "audit": one_statement.insert_sql([entry], computed={"object_id": "ids.id::text"}, joined="ids"),
        "notices": notifications.new_for_handlers_sql(appeal, _unit_handlers_select(appeal.unit_id), ids="ids"),
    }, result="SELECT id, tracking_no FROM ids")
    appeal._state.adding, appeal._state.db = False, connection.alias


# ---- the state machine --------------------------------------------------------------------------------

@transaction.atomic
def accept(*, appeal: Appeal, actor: Any, note: str = "") -> Appeal:
    """签收. A conditional UPDATE: of two staff accepting at once, exactly one succeeds."""
    _require_handler(actor, appeal)
    target = next_state(appeal, EventAction.ACCEPT)
    now = _now()
    changed = Appeal.objects.filter(pk=appeal.pk, state=State.SUBMITTED, unit_id=appeal.unit_id,  # type: ignore[misc]
                                    department_id=appeal.department_id).update(
        state=target, accepted_by=actor, updated_at=now)
    if not changed:
        raise ValidationError("该诉求已被他人签收或已转办，请刷新后查看。")
    if appeal.first_accepted_at is None:
        Appeal.objects.filter(pk=appeal.pk).update(
            first_accepted_at=now, accept_seconds=int((now - appeal.created_at).total_seconds()))
    appeal.refresh_from_db()
    _meet(appeal, [Deadline.Kind.ACCEPT], now)
    _event(appeal, EventAction.ACCEPT, actor, note=_text(note, "说明", required=False), from_state=State.SUBMITTED, to_state=target)
    audit.record(actor=actor, action="appeals.accept", obj=appeal)
    notifications.to_resident(appeal, f"您的诉求 {appeal.tracking_no} 已由{_unit_name(appeal)}签收办理。")
    return appeal


def _unit_name(appeal: Appeal) -> str:
    return appeal.department.name if appeal.department_id else appeal.unit.name  # type: ignore[union-attr]


def _guarded_update(appeal: Appeal, from_state: str, **fields: Any) -> None:
    if not Appeal.objects.filter(pk=appeal.pk, state=from_state).update(updated_at=_now(), **fields):
        raise ValidationError("诉求状态已变化，请刷新后重试。")
    appeal.refresh_from_db()


@transaction.atomic
def record_contact(*, appeal: Appeal, actor: Any, note: str) -> Appeal:
    """首次联系 (or a later one): the handler called or visited the resident."""
    _require_handler(actor, appeal)
    note = _text(note, "联系情况")
    now = _now()
    if appeal.first_contact_at is None:
        Appeal.objects.filter(pk=appeal.pk).update(first_contact_at=now)
        appeal.first_contact_at = now
    _meet(appeal, [Deadline.Kind.CONTACT], now)
    _event(appeal, EventAction.CONTACT, actor, note=note)
    audit.record(actor=actor, action="appeals.contact", obj=appeal)
    return appeal


@transaction.atomic
def start(*, appeal: Appeal, actor: Any, note: str = "") -> Appeal:
    _require_handler(actor, appeal)
    before = appeal.state
    target = next_state(appeal, EventAction.START)
    _guarded_update(appeal, before, state=target)
    _event(appeal, EventAction.START, actor, note=_text(note, "说明", required=False), from_state=before, to_state=target)
    audit.record(actor=actor, action="appeals.start", obj=appeal)
    return appeal


@transaction.atomic
def reply(*, appeal: Appeal, actor: Any, text: str, photos: list[Any] | None = None) -> Appeal:
    """答复: tells the resident what was done; asks them to rate it."""
    _require_handler(actor, appeal)
    before = appeal.state
    target = next_state(appeal, EventAction.REPLY)
    text = _text(text, "答复内容")
    cleaned = clean_photos(photos or [])
    now = _now()
    fields: dict[str, Any] = {"state": target, "reply": text, "replied_at": now}
    if appeal.reply_seconds is None:
        fields["reply_seconds"] = int((now - appeal.created_at).total_seconds())
    if appeal.first_contact_at is None:
        fields["first_contact_at"] = now
    _guarded_update(appeal, before, **fields)
    _meet(appeal, [Deadline.Kind.REPLY, Deadline.Kind.CONTACT, Deadline.Kind.RECTIFY], now)
    Rectification.objects.filter(appeal=appeal, done_at__isnull=True).update(done_at=now)
    event = _event(appeal, EventAction.REPLY, actor, note=text, from_state=before, to_state=target)
    _store_photos(appeal, event, cleaned)
    audit.record(actor=actor, action="appeals.reply", obj=appeal)
    notifications.to_resident(appeal, f"您的诉求 {appeal.tracking_no} 已答复，请查看并评价。")
    return appeal


@transaction.atomic
def close(*, appeal: Appeal, actor: Any, resolved: bool, note: str = "") -> Appeal:
    """办结 by staff (e.g. the resident did not rate); resolved says whether the problem was solved."""
    _require_handler(actor, appeal)
    target = next_state(appeal, EventAction.CLOSE)
    _guarded_update(appeal, State.REPLIED, state=target, closed_at=_now(), resolved=resolved)
    _event(appeal, EventAction.CLOSE, actor, note=_text(note, "说明", required=False) or ("已解决" if resolved else "未解决"),
           from_state=State.REPLIED, to_state=target)
    audit.record(actor=actor, action="appeals.close", obj=appeal, detail={"resolved": resolved})
    notifications.to_resident(appeal, f"您的诉求 {appeal.tracking_no} 已办结。")
    return appeal


# ---- dispatch: transfer up, dispatch down, return, assist ---------------------------------------------------

def _move(appeal: Appeal, actor: Any, action: str, *, unit_code: str, department: Department | None, note: str) -> Appeal:
    now = _now()
    from_unit = f"dept:{appeal.department.code}" if appeal.department_id else appeal.unit_id  # type: ignore[union-attr]
    to_unit = f"dept:{department.code}" if department else unit_code
    before = appeal.state
    if not Appeal.objects.filter(pk=appeal.pk, state=before, unit_id=appeal.unit_id, department_id=appeal.department_id).update(  # type: ignore[misc]
            state=State.SUBMITTED, unit_id=unit_code, department=department, updated_at=now):
        raise ValidationError("诉求状态已变化，请刷新后重试。")
    appeal.refresh_from_db()
    _cancel_open(appeal, [Deadline.Kind.ACCEPT], now)
    _deadline(appeal, Deadline.Kind.ACCEPT, unit_code, _accept_due(appeal.category, appeal.urgent, now))
    Deadline.objects.filter(appeal=appeal, met_at__isnull=True, cancelled_at__isnull=True).exclude(
        kind=Deadline.Kind.CALLBACK).update(unit_id=unit_code)
    _event(appeal, action, actor, note=note, from_state=before, to_state=State.SUBMITTED, from_unit=from_unit, to_unit=to_unit)
    audit.record(actor=actor, action=f"appeals.{action}", obj=appeal, detail={"from": from_unit, "to": to_unit})
    notifications.new_for_handlers(appeal, _handler_users(appeal))
    return appeal


@transaction.atomic
def transfer(*, appeal: Appeal, actor: Any, note: str) -> Appeal:
    """转办 one step up: community → township → county → the category's lead department."""
    _require_handler(actor, appeal)
    if appeal.state not in MOVABLE:
        raise ValidationError(f"当前状态为「{_label(appeal.state)}」，不能转办。")
    note = _text(note, "转办理由")
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
    note = _text(note, "派单说明")
    prefix = scope_prefix(actor)
    target = OrgUnit.objects.filter(code=unit_code).first()
    if target is None:
        raise ValidationError("未知的单位。")
    if prefix is None or not target.code.startswith(prefix) or target.code == actor.unit_id:
        raise ValidationError("只能派发给本辖区内的下级单位。")
    if not (can_handle(actor, appeal) or is_level_above(actor, appeal.unit_id)):
        raise ValidationError("只有承办单位或其上级可以派单。")
    if appeal.state not in MOVABLE:
        raise ValidationError(f"当前状态为「{_label(appeal.state)}」，不能派单。")
    return _move(appeal, actor, EventAction.DISPATCH, unit_code=target.code, department=None, note=note)


@transaction.atomic
def return_appeal(*, appeal: Appeal, actor: Any, reason: str) -> Appeal:
    """退回 to the unit that sent it, with a reason (the first receiving unit cannot return: 首接负责)."""
    _require_handler(actor, appeal)
    reason = _text(reason, "退回理由")
    if appeal.state not in MOVABLE:
        raise ValidationError(f"当前状态为「{_label(appeal.state)}」，不能退回。")
    here = f"dept:{appeal.department.code}" if appeal.department_id else appeal.unit_id  # type: ignore[union-attr]
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
    _require_handler(actor, appeal)
    if not appeal.is_open:
        raise ValidationError("诉求已答复或办结，不能再发起协办。")
    note = _text(note, "协办事项")
    unit = OrgUnit.objects.filter(code=unit_code).first() if unit_code else None
    department = Department.objects.filter(code=department_code).first() if department_code else None
    if unit is None and department is None:
        raise ValidationError("请选择协办单位或部门。")
    if unit is not None and unit.code == appeal.unit_id and not appeal.department_id:
        raise ValidationError("协办单位不能是承办单位本身。")
    assist = Assist.objects.create(appeal=appeal, unit=unit, department=department, note=note)
    who = department.name if department else unit.name  # type: ignore[union-attr]
    _event(appeal, EventAction.ASSIST, actor, note=f"{who}：{note}", public=False,
           to_unit=f"dept:{department.code}" if department else unit.code)  # type: ignore[union-attr]
    audit.record(actor=actor, action="appeals.assist", obj=appeal, detail={"assist": assist.pk})
    users = (list(User.objects.filter(department=department, role=Role.DEPARTMENT_STAFF, is_active=True)) if department
             else _unit_users(unit.code))  # type: ignore[union-attr]
    notifications.new_for_handlers(appeal, users, title=f"请协办诉求 {appeal.tracking_no}")
    return assist


@transaction.atomic
def assist_reply(*, assist: Assist, actor: Any, opinion: str) -> Assist:
    ok = (assist.department_id and actor.role == Role.DEPARTMENT_STAFF and actor.department_id == assist.department_id) or (
        assist.unit_id and actor.role in UNIT_ROLE_LEVEL and actor.unit_id == assist.unit_id)
    if not ok:
        raise ValidationError("只有协办单位的工作人员可以填写协办意见。")
    assist.opinion = _text(opinion, "协办意见")
    assist.done_at = _now()
    assist.save(update_fields=["opinion", "done_at"])
    _event(assist.appeal, EventAction.ASSIST_REPLY, actor, note=assist.opinion, public=False)
    audit.record(actor=actor, action="appeals.assist_reply", obj=assist.appeal)
    return assist


@transaction.atomic
def merge(*, appeal: Appeal, into: Appeal, actor: Any) -> Appeal:
    """合并 a duplicate into the original; its resident follows the original from now on."""
    _require_handler(actor, appeal)
    if appeal.pk == into.pk:
        raise ValidationError("不能与自身合并。")
    if appeal.category_id != into.category_id:
        raise ValidationError("只能合并同一类别的诉求。")
    if not appeal.is_open or not into.is_open or into.merged_into_id:
        raise ValidationError("只能合并两件尚未答复的诉求。")
    before = appeal.state
    _guarded_update(appeal, before, state=State.CLOSED, closed_at=_now(), merged_into=into, resolved=False)
    _cancel_open(appeal, list(Deadline.Kind.values), _now())
    AppealFollower.objects.get_or_create(appeal=into, source=appeal,
                                         defaults={"user": appeal.submitter, "phone_enc": appeal.phone_enc})
    _event(appeal, EventAction.MERGE, actor, note=f"与诉求 {into.tracking_no} 合并办理，办理进度请见该诉求。",
           from_state=before, to_state=State.CLOSED)
    _event(into, EventAction.MERGE, actor, note=f"合并了诉求 {appeal.tracking_no}", public=False)
    audit.record(actor=actor, action="appeals.merge", obj=appeal, detail={"into": into.pk})
    notifications.to_resident(appeal, f"您的诉求 {appeal.tracking_no} 与 {into.tracking_no} 为同一问题，已合并办理。")
    return appeal


# ---- deadlines: extensions, escalation ---------------------------------------------------------------------

@transaction.atomic
def request_extension(*, appeal: Appeal, actor: Any, days: int, reason: str) -> Extension:
    """申请延期: pauses the clock until the level above decides."""
    _require_handler(actor, appeal)
    reason = _text(reason, "延期理由")
    if not 1 <= int(days) <= 30:
        raise ValidationError("延期天数应为 1–30 个工作日。")
    deadline = (Deadline.objects.select_for_update().filter(appeal=appeal, kind__in=[Deadline.Kind.REPLY, Deadline.Kind.RECTIFY],
                                                            met_at__isnull=True, cancelled_at__isnull=True).first())
    if deadline is None:
        raise ValidationError("没有可延期的办理时限。")
    if deadline.paused_at is not None:
        raise ValidationError("已有延期申请待审批。")
    now = _now()
    deadline.paused_at = now
    deadline.save(update_fields=["paused_at"])
    ext = Extension.objects.create(appeal=appeal, deadline=deadline, days=days, reason=reason, requested_by=actor,
                                   requested_at=now)
    _event(appeal, EventAction.EXTEND_REQUEST, actor, note=f"申请延期 {days} 个工作日：{reason}", public=False)
    audit.record(actor=actor, action="appeals.extension_request", obj=appeal, detail={"days": days})
    notifications.to_staff(_unit_users(parent_code(appeal.unit_id)) if not appeal.department_id
                           else list(User.objects.filter(unit_id=CITY_CODE, role=Role.CITY_STAFF)),  # type: ignore[misc]
                           f"延期申请待审批：{appeal.tracking_no}", appeal)
    return ext


@transaction.atomic
def decide_extension(*, extension: Extension, actor: Any, approve: bool, note: str = "") -> Extension:
    appeal = extension.appeal
    if not is_level_above(actor, appeal.unit_id, appeal.department_id):
        raise ValidationError("延期申请须由上一级审批。")
    if extension.decision != Extension.Decision.PENDING:
        raise ValidationError("该延期申请已审批。")
    now = _now()
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
    extension.decided_by, extension.decided_at, extension.decision_note = actor, now, _text(note, "审批意见", required=False)
    extension.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    _event(appeal, EventAction.EXTEND_DECIDE, actor, public=False,
           note=f"{extension.get_decision_display()}，新时限 {timezone.localtime(due):%Y-%m-%d %H:%M}。{extension.decision_note}")
    audit.record(actor=actor, action="appeals.extension_decide", obj=appeal, detail={"approved": approve})
    notifications.to_staff(_handler_users(appeal), f"延期申请{extension.get_decision_display()}：{appeal.tracking_no}", appeal)
    return extension


def escalate_overdue(*, now: datetime | None = None) -> int:
    """逾期督办: every open, unpaused deadline past due escalates once to the level above and reminds the handler."""
    now = now or _now()
    count = 0
    due = Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True, escalated_at__isnull=True,
                                  paused_at__isnull=True, due_at__lt=now).values_list("pk", flat=True)
    for pk in list(due[:5000]):
        if _escalate_one(pk, now):
            count += 1
    return count


@transaction.atomic
def _escalate_one(pk: int, now: datetime) -> bool:
    if not Deadline.objects.filter(pk=pk, escalated_at__isnull=True, met_at__isnull=True, cancelled_at__isnull=True,
                                   paused_at__isnull=True).update(escalated_at=now):
        return False  # another worker got there first
    deadline = Deadline.objects.select_related("appeal", "appeal__category", "appeal__unit").get(pk=pk)
    appeal = deadline.appeal
    above = CITY_CODE if appeal.department_id else parent_code(deadline.unit_id)
    Appeal.objects.filter(pk=appeal.pk).update(overdue_count=F("overdue_count") + 1, supervisor_unit_id=above)
    label = Deadline.Kind(deadline.kind).label
    _event(appeal, EventAction.OVERDUE, None, public=False, at=now,
           note=f"{label}逾期（时限 {timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}），已报上一级督办。")
    audit.record(actor=None, action="appeals.overdue", obj=appeal, detail={"deadline": deadline.kind}, username="system")
    notifications.to_staff(_handler_users(appeal), f"【催办】诉求 {appeal.tracking_no} {label}已逾期，请尽快办理", appeal)
    notifications.to_staff(_unit_users(above), f"【督办】下级诉求 {appeal.tracking_no} {label}逾期", appeal)
    return True


# ---- 好差评 ------------------------------------------------------------------------------------------------

def _owns(user: Any, appeal: Appeal) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.pk and appeal.submitter_id == user.pk)


@transaction.atomic
def rate(*, appeal: Appeal, actor: Any, level: int, comment: str = "", on_behalf: bool = False,
         phone: str = "") -> Rating:
    """评价 a reply. 不满意/非常不满意 reopens it with a 整改 (rectification); one re-rating after that.

    The filer rates: signed in (their own request), or without an account by giving the phone that filed it.
    """
    if phone:
        if not appeal.phone_hash or search_hash(re.sub(r"\s", "", phone)) != appeal.phone_hash:
            raise ValidationError("手机号码与提交诉求时不一致。")
        actor = None
    elif on_behalf:
        if not is_staff(actor):
            raise ValidationError("只有工作人员可以代录回访评价。")
    elif not _owns(actor, appeal):
        raise ValidationError("只有提交诉求的居民可以评价。")
    if appeal.state != State.REPLIED:
        raise ValidationError(f"当前状态为「{_label(appeal.state)}」，答复后才能评价。")
    try:
        level = int(level)
    except (TypeError, ValueError) as exc:
        raise ValidationError("请选择评价等级。") from exc
    if level not in (1, 2, 3, 4, 5):
        raise ValidationError("请选择评价等级。")
    comment = _text(comment, "评价内容", required=False, limit=1000)
    done = appeal.ratings.count()
    if done >= 2:
        raise ValidationError("每件诉求只能重新评价一次。")
    now = _now()
    rating = Rating.objects.create(appeal=appeal, round=done + 1, level=level, comment=comment,
                                   by=actor if getattr(actor, "pk", None) else None, at=now)
    satisfied = level >= 3
    if satisfied or rating.round == 2:
        _guarded_update(appeal, State.REPLIED, state=State.CLOSED, closed_at=now, resolved=satisfied,
                        final_rating=level, rated_at=now)
        _event(appeal, EventAction.RATE, actor, note=f"{rating.get_level_display()} {comment}".strip(),
               from_state=State.REPLIED, to_state=State.CLOSED)
    else:
        _guarded_update(appeal, State.REPLIED, state=State.REOPENED, final_rating=level, rated_at=now)
        callback_unit = CITY_CODE if appeal.department_id else parent_code(appeal.unit_id)
        Rectification.objects.create(appeal=appeal, rating=rating, unit_id=appeal.unit_id, callback_unit_id=callback_unit,
                                     opened_at=now)
        _deadline(appeal, Deadline.Kind.RECTIFY, appeal.unit_id, workcal.add_working_days(now, conf.RECTIFY_DAYS))
        _deadline(appeal, Deadline.Kind.CALLBACK, callback_unit, workcal.add_working_days(now, conf.CALLBACK_DAYS))
        _event(appeal, EventAction.RATE, actor, note=f"{rating.get_level_display()} {comment}".strip(),
               from_state=State.REPLIED, to_state=State.REOPENED)
        _event(appeal, EventAction.RECTIFY, None, note=f"启动整改，{conf.RECTIFY_DAYS} 个工作日内重新答复；上一级将回访。")
        notifications.to_staff(_handler_users(appeal), f"【整改】诉求 {appeal.tracking_no} 居民评价为{rating.get_level_display()}", appeal)
        notifications.to_staff(_unit_users(callback_unit), f"【回访】请回访诉求 {appeal.tracking_no}", appeal)
    audit.record(actor=actor if getattr(actor, "pk", None) else None, action="appeals.rate", obj=appeal,
                 detail={"level": level, "round": rating.round}, username="" if actor else "resident-by-phone")
    return rating


@transaction.atomic
def record_callback(*, rectification: Rectification, actor: Any, note: str) -> Rectification:
    """回访 by the level above, within one working day of a bad rating."""
    appeal = rectification.appeal
    if not is_level_above(actor, appeal.unit_id, appeal.department_id):
        raise ValidationError("回访须由上一级工作人员进行。")
    if rectification.callback_at:
        raise ValidationError("已回访。")
    rectification.callback_note = _text(note, "回访记录")
    rectification.callback_at, rectification.callback_by = _now(), actor
    rectification.save(update_fields=["callback_note", "callback_at", "callback_by"])
    _meet(appeal, [Deadline.Kind.CALLBACK], rectification.callback_at)
    _event(appeal, EventAction.CALLBACK, actor, note=rectification.callback_note)
    audit.record(actor=actor, action="appeals.callback", obj=appeal)
    return rectification


@transaction.atomic
def contest_rating(*, rating: Rating, actor: Any, reason: str) -> RatingAppeal:
    """评价申诉 by the handling unit; decided by the level above."""
    appeal = rating.appeal
    _require_handler(actor, appeal)
    if rating.voided or rating.appeals.filter(decision=RatingAppeal.Decision.PENDING).exists():
        raise ValidationError("该评价已撤销或申诉正在裁定。")
    if rating.appeals.exists():
        raise ValidationError("每条评价只能申诉一次。")
    contest = RatingAppeal.objects.create(rating=rating, reason=_text(reason, "申诉理由"), filed_by=actor, filed_at=_now())
    _event(appeal, EventAction.RATING_APPEAL, actor, note=contest.reason, public=False)
    audit.record(actor=actor, action="appeals.rating_appeal", obj=appeal)
    return contest


@transaction.atomic
def decide_rating_appeal(*, contest: RatingAppeal, actor: Any, void: bool, note: str = "") -> RatingAppeal:
    rating = contest.rating
    appeal = rating.appeal
    if not is_level_above(actor, appeal.unit_id, appeal.department_id):
        raise ValidationError("评价申诉须由上一级裁定。")
    if contest.decision != RatingAppeal.Decision.PENDING:
        raise ValidationError("该申诉已裁定。")
    contest.decision = RatingAppeal.Decision.VOIDED if void else RatingAppeal.Decision.UPHELD
    contest.decided_by, contest.decided_at, contest.decision_note = actor, _now(), _text(note, "裁定意见", required=False)
    contest.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    if void:
        rating.voided = True
        rating.save(update_fields=["voided"])
        latest = appeal.ratings.order_by("-round").first()
        if latest is not None and latest.pk == rating.pk:
            Appeal.objects.filter(pk=appeal.pk).update(final_rating=None)
    _event(appeal, EventAction.RATING_DECIDE, actor, note=f"{contest.get_decision_display()} {contest.decision_note}".strip(),
           public=False)
    audit.record(actor=actor, action="appeals.rating_decide", obj=appeal, detail={"void": void})
    return contest


# ---- Open311 clients -----------------------------------------------------------------------------------

@transaction.atomic
def issue_api_client(*, actor: Any, name: str, contact: str = "") -> tuple[ApiClient, str]:
    name = _text(name, "客户端名称", limit=100)
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationError("同名客户端已存在。")
    raw = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(name=name, contact=contact, key_hash=hash_key(raw), key_hint=raw[:6])
    audit.record(actor=actor, action="appeals.api_client_issue", obj=client)
    return client, raw


@transaction.atomic
def revoke_api_client(*, actor: Any, client: ApiClient) -> ApiClient:
    client.revoked_at = _now()
    client.save(update_fields=["revoked_at"])
    _client_cache.clear()
    audit.record(actor=actor, action="appeals.api_client_revoke", obj=client)
    return client


def hash_key(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()


_client_cache: dict[str, tuple[float, ApiClient | None]] = {}
CLIENT_CACHE_SECONDS = 10


def client_for_key(raw: str) -> ApiClient | None:
    """The client owning an Open311 api_key. Remembered for 10 s per process: a revocation reaches every
    server process within 10 seconds (this one at once)."""
    if not raw:
        return None
    digest = hash_key(raw)
    now = time.monotonic()
    hit = _client_cache.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1]
    client = ApiClient.objects.filter(key_hash=digest, revoked_at__isnull=True).first()
    if len(_client_cache) > 1000:
        _client_cache.clear()
    _client_cache[digest] = (now + CLIENT_CACHE_SECONDS, client)
    return client


_unit_codes: tuple[float, frozenset[str]] = (0.0, frozenset())


def is_known_unit(code: str) -> bool:
    """Whether a unit code exists; the few thousand codes are kept per process for ten minutes."""
    global _unit_codes
    if not is_valid_code(code):
        return False
    now = time.monotonic()
    expires, codes = _unit_codes
    if expires <= now:
        codes = frozenset(OrgUnit.objects.values_list("code", flat=True))
        _unit_codes = (now + 600, codes)
        return code in codes
    return code in codes or OrgUnit.objects.filter(code=code).exists()


def reveal_phone(*, appeal: Appeal, actor: Any) -> str:
    """The full phone number, for the handler who must call the resident; every reveal is audited."""
    if not (can_handle(actor, appeal) or is_level_above(actor, appeal.unit_id, appeal.department_id)):
        raise ValidationError("只有承办单位及其上级可以查看完整联系电话。")
    audit.record(actor=actor, action="appeals.reveal_phone", obj=appeal)
    return decrypt(appeal.phone_enc)

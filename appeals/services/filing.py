"""提交诉求: validating a new request, the flood limits, and writing it (by the ORM or in one statement)."""

import secrets
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts import audit
from accounts.models import AuditEntry, User
from accounts.roles import Role
from accounts.scoping import scope_prefix
from appeals import caching, conf, notifications, throttle, workcal
from appeals.importers import category_by_code
from appeals.models import (
    ApiClient,
    Appeal,
    Category,
    Channel,
    Deadline,
    Event,
    EventAction,
    LocationKind,
    State,
)
from appeals.photos import CleanPhoto, clean_photos
from appeals.services import common
from appeals.services.common import (
    clean_text,
    contact_due,
    event_row,
    phone_hash,
    store_photos,
)
from appeals.services.numbering import new_ids_sql, next_tracking_no, prepare_tracking_no
from appeals.services.permissions import (
    handler_users,
    is_staff,
    unit_handlers_select,
)
from people.crypto import decrypt, encrypt, search_hash
from people.masking import mask_phone
from places.codes import is_valid_code
from places.models import OrgUnit
from shequ import one_statement, phones


def ip_hash(ip: str) -> str:
    return search_hash(f"ip:{ip}") if ip else ""


def check_rate_limit(*, ip: str = "", phone: str = "") -> None:
    """A flood from one address or one phone is refused before anything is written. Each filing that passes takes one
    from its address's clock hour and its phone's day (appeals.throttle: exact under parallel requests)."""
    if ip and not throttle.take(f"file:ip:{ip_hash(ip)}", limit=conf.RATE_PER_IP_HOUR, window=throttle.HOUR):
        raise ValidationError(f"提交过于频繁：同一网络每小时最多提交 {conf.RATE_PER_IP_HOUR} 件诉求，请稍后再试或拨打 12345。",
                              code="rate_limited")
    if phone and not throttle.take(f"file:phone:{phone_hash(phone)}", limit=conf.RATE_PER_PHONE_DAY, window=throttle.DAY):
        raise ValidationError(f"提交过于频繁：同一手机号每天最多提交 {conf.RATE_PER_PHONE_DAY} 件诉求。", code="rate_limited")


def refuse_repeat(*, phone: str, account: Any, description: str, unit_code: str) -> None:
    """The same text for the same place from the same phone (or account) within APPEALS_REPEAT_MINUTES is the request
    already filed — a reload, a double tap, a second try — not a new one."""
    if not phone and account is None:
        return
    since = common.now() - timedelta(minutes=conf.REPEAT_MINUTES)
    same = Appeal.objects.filter(description=description, home_unit__code=unit_code, created_at__gte=since)
    same = same.filter(phone_hash=phone_hash(phone)) if phone else same.filter(submitter=account)
    if same.exists():
        raise ValidationError(f"您在 {conf.REPEAT_MINUTES} 分钟内已提交过内容和地点相同的诉求，它已经受理，无需重复提交。"
                              "受理编号已通过短信发送，也可在“查询办理进度”中查看。", code="repeat")


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
    # Every problem at once, each under the filing form's field it belongs to (FileForm's names; "__all__" otherwise).
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    def text(field: str, value: str, label: str, **kwargs: Any) -> str:
        try:
            return clean_text(value, label, **kwargs)
        except ValidationError as exc:
            for message in exc.messages:
                refuse(field, message)
            return ""

    category = category or category_by_code((category_code or "").strip())
    if category is None:
        refuse("category", "未知的诉求类别，请从列表中选择。" if (category_code or "").strip() else "请选择诉求类别。")
    description = text("description", description, "诉求内容")
    contact_name = text("contact_name", contact_name, "联系人", required=False, limit=50)
    address = text("address", address, "地址", required=False, limit=200)
    try:
        phone = phones.clean(phone)
    except ValueError as exc:
        refuse("phone", f"联系电话格式不正确：{exc}。")
        phone = ""
    if channel not in Channel.values:
        raise ValidationError("未知的受理渠道。")
    staff_channel = channel in (Channel.PHONE, Channel.IN_PERSON, Channel.HOTLINE)
    if staff_channel and not is_staff(actor):
        raise ValidationError("电话、来访和 12345 转办的诉求只能由工作人员代为登记。")
    account = actor if getattr(actor, "is_authenticated", False) and actor.role == Role.RESIDENT else None
    if resident is None and account is not None:
        resident = getattr(account, "resident_record", None)
    if not phone and "phone" not in errors and account is not None:
        # A signed-in resident who leaves it empty is reached at the register's number; without one it is asked for,
        # since the 首次联系 deadline runs from now.
        phone = decrypt(resident.phone_enc) if resident is not None and resident.phone_enc else ""
        if not phone:
            refuse("phone", "请留下手机号码：登记信息中没有您的手机号码，工作人员需要按时联系您。")
    if account is None and not phone and "phone" not in errors and not staff_channel and api_client is None:
        refuse("phone", "未登录提交诉求时请留下手机号码，以便联系和查询办理进度。")
    if not unit_code and resident is not None:
        unit_code = resident.unit_id
    code = unit.code if unit is not None else str(unit_code or "")
    if not is_known_unit(code):
        refuse("community", "未知的村（社区），请重新选择所在地。")
    elif staff_channel and scope_prefix(actor) is not None and not code.startswith(scope_prefix(actor) or "-"):
        refuse("community", "只能为本辖区的居民代为登记诉求。")
    if location_kind not in LocationKind.values:
        refuse("location_kind", "请选择诉求发生的位置。")
    if location_kind == LocationKind.HOME:
        household = getattr(resident, "household", None) if resident is not None else None
        home = (getattr(household, "address", "") or getattr(resident, "current_address", "")) if resident is not None else ""
        if not home:
            refuse("location_kind", "登记信息中没有您的住址，请填写地址或在地图上选点。")
        address = address or home
        if household is not None and lat is None and household.lat is not None:
            lat, lng = household.lat, household.lng
    elif location_kind == LocationKind.ADDRESS and not address and "address" not in errors:
        refuse("address", "请填写诉求发生的地址。")
    if (lat is None) != (lng is None):
        refuse("address", "请同时提供纬度和经度。")
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        refuse("address", "地图位置无效。")
    if location_kind == LocationKind.POINT and lat is None:
        refuse("address", "请在地图上选择位置。")
    if errors or category is None:
        raise ValidationError(errors)
    if rate_limit:
        refuse_repeat(phone=phone, account=account, description=description, unit_code=code)
    cleaned = clean_photos(photos or [])
    if rate_limit and not staff_channel:
        check_rate_limit(ip=ip if api_client is None else "", phone=phone)

    now = common.now()
    token = secrets.token_hex(16)
    appeal = Appeal(
        tracking_no="", token=token, category=category, description=description,
        channel=channel, urgent=category.urgent, home_unit_id=code, unit_id=code,
        submitter=account, resident=resident, registered_by=actor if staff_channel else None, api_client=api_client,
        contact_name=contact_name or (resident.name if resident is not None else ""),
        phone_enc=encrypt(phone), phone_hash=phone_hash(phone), phone_masked=mask_phone(phone), public_name=public_name,
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
        Deadline(appeal=appeal, kind=Deadline.Kind.CONTACT, unit_id=code, due_at=contact_due(category, appeal.urgent, now)),
        Deadline(appeal=appeal, kind=Deadline.Kind.REPLY, unit_id=code, due_at=reply_due),
    ]
    event = event_row(appeal, EventAction.SUBMIT, who.event_actor, to_state=State.SUBMITTED, note=who.channel_label,
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
        store_photos(appeal, event, photos)
        entry.save()
        notifications.new_for_handlers(appeal, handler_users(appeal))


def _write_in_one_statement(appeal: Appeal, now: datetime, who: _Filer) -> None:
    """PostgreSQL: every row in one statement, which also takes the request's id and tracking number."""
    deadlines, event, entry = _filing_rows(appeal, now, who)
    new_id = {"appeal_id": "ids.id"}
    appeal.pk, appeal.tracking_no = one_statement.write({
        "ids": new_ids_sql(now),
        "appeal": one_statement.insert_sql([appeal], computed={"id": "ids.id", "tracking_no": "ids.tracking_no"}, joined="ids"),
        "deadlines": one_statement.insert_sql(deadlines, computed=new_id, joined="ids"),
        "event": one_statement.insert_sql([event], computed=new_id, joined="ids"),
        "audit": one_statement.insert_sql([entry], computed={"object_id": "ids.id::text"}, joined="ids"),
        "notices": notifications.new_for_handlers_sql(appeal, unit_handlers_select(appeal.unit_id), ids="ids"),
    }, result="SELECT id, tracking_no FROM ids")
    appeal._state.adding, appeal._state.db = False, connection.alias


def is_known_unit(code: str) -> bool:
    """Whether a unit code exists; a known code is remembered (appeals.caching, ten minutes): units are never deleted."""
    if not is_valid_code(code):
        return False
    store, key = caching.cache(), f"appeals:unit:{code}"
    if store.get(key):
        return True
    known = OrgUnit.objects.filter(code=code).exists()
    if known:
        store.set(key, True, caching.UNIT_SECONDS)
    return known


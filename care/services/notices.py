"""Emergency notices (应急通知): residents' opt-in, sending, resending and acknowledging."""

import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import audit
from accounts.models import User
from accounts.roles import Role
from accounts.scoping import scope_prefix
from care.delivery import deliver_notice
from care.models import DisasterOfficer, EmergencyNotice, EmergencyOptIn, NoticeKind, NoticeRecipient
from care.services.scope import require_scope
from people.models import Resident
from places.codes import within
from places.models import OrgUnit
from shequ.bulk import BulkInserter

NOTICE_SENDER_ROLES = {Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.CITY_STAFF}


@transaction.atomic
def set_opt_in(*, actor: User, resident: Resident, opted_in: bool) -> bool:
    """A resident (or a worker on their behalf) subscribes to emergency notices."""
    own = getattr(actor, "resident_record", None) is not None and actor.resident_record.pk == resident.pk
    if not own:
        require_scope(actor, resident.unit_id)
    if opted_in:
        EmergencyOptIn.objects.update_or_create(resident=resident, defaults={"unit_id": resident.unit_id})
    else:
        EmergencyOptIn.objects.filter(resident=resident).delete()
    audit.record(actor=actor, action="care.opt_in" if opted_in else "care.opt_out", obj=resident)
    return opted_in


def _new_token() -> str:
    return secrets.token_urlsafe(18)[:24]


@transaction.atomic
def send_notice(*, actor: User, unit_code: str, kind: str, title: str, body: str) -> EmergencyNotice:
    """应急通知: every worker and officer in the subtree and opted-in residents, one recipient row each."""
    if actor.role not in NOTICE_SENDER_ROLES:
        raise ValidationError("只有市、县、乡镇（街道）工作人员可以发送应急通知。")
    require_scope(actor, unit_code)
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


RECIPIENT_FIELDS = ["notice_id", "unit_code", "kind", "user_id", "officer_id", "resident_id", "name", "token"]


def _insert_recipients(notice_id: int, rows: Sequence[tuple[Any, ...]]) -> None:
    """At 100,000 recipients the ORM's per-object work would dominate: the bulk writer (other columns: model defaults)."""
    BulkInserter(NoticeRecipient, RECIPIENT_FIELDS).write([(notice_id, *r, _new_token()) for r in rows])


def _deliver_later(notice_id: int, *, again: bool) -> None:
    deliver_notice.enqueue(notice_id, again)


@transaction.atomic
def resend_notice(*, actor: User, notice: EmergencyNotice) -> int:
    """Send again to everyone who has not acknowledged."""
    require_scope(actor, notice.unit_id)
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

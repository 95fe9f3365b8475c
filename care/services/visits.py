"""Visits (探访记录) and the referral (转介) of what a visit found."""

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import audit
from accounts.models import User
from accounts.roles import Role
from accounts.scoping import can_see_unit
from care.models import CHECKLIST, DueVisit, Method, Rating, Referral, Visit, VisitPhoto
from care.services.scope import require_scope
from people.models import Resident

# The visit form's one-time key (secrets.token_urlsafe): letters, digits, "-" and "_".
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]*")
# Clock skew allowed between a phone and the server when stamping "now".
FUTURE_TOLERANCE = timedelta(minutes=5)


@transaction.atomic
def record_visit(
    *, actor: User, resident: Resident, visited_at: datetime, method: str, health: str, home_safety: str, living: str,
    mood: str, needs: str = "", needs_action: bool = False, notes: str = "", visitor_name: str = "",
    lat: float | None = None, lng: float | None = None, photos: Iterable[Any] = (), submission_key: str = "",
) -> Visit:
    """探访记录: not in the future, only for someone in the visitor's scope, only while they live there.

    One visit per submission and due row: a submission_key already used by this visitor returns the visit it stored
    (a double-click, a resent request); two submissions racing to complete the same due row store one visit.
    """
    submission_key = submission_key.strip()
    if len(submission_key) > 40 or not SUBMISSION_KEY.fullmatch(submission_key):
        raise ValidationError("提交标识无效，请刷新页面后重新填写。")
    if submission_key:
        stored = Visit.objects.filter(visitor=actor, submission_key=submission_key).first()
        if stored is not None:
            return stored
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
    # The first visit in a period satisfies every due row of that resident there (any rule).
    open_rows = DueVisit.objects.filter(
        resident=resident, unit=resident.unit, period_start__lte=day, period_end__gte=day, visited_on__isnull=True,
    ).filter(Q(removed_on__isnull=True) | (Q(removed_on__gt=day) & ~Q(removed_reason="moved_out")))
    first_due = open_rows.order_by("id").values_list("id", flat=True).first()
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
            visit = Visit.objects.create(
                resident=resident, unit_id=resident.unit_id, visited_at=visited_at, visitor=actor,
                visitor_name=visitor_name.strip()[:50], method=method, health=health, home_safety=home_safety, living=living,
                mood=mood, needs=needs.strip()[:200], needs_action=needs_action, notes=notes.strip(), lat=lat, lng=lng,
                completes_id=first_due, submission_key=submission_key,
            )
    except IntegrityError:
        stored = Visit.objects.filter(visitor=actor, submission_key=submission_key).first() if submission_key else None
        if stored is not None:
            return stored
        raise ValidationError("该居民本周期的探访刚刚已有人记录，请勿重复提交。") from None
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, image=photo)
    open_rows.update(visited_on=day, visit=visit, removed_on=None, removed_reason="")
    audit.record(actor=actor, action="care.visit_recorded", obj=visit, detail={"resident": resident.pk, "method": method})
    return visit


REFERRAL_CATEGORIES = [
    ("elderly_care", "养老服务"), ("disability", "助残服务"), ("minors", "未成年人关爱"), ("health", "医疗卫生"),
    ("social_assistance", "社会救助"), ("emergency", "应急防灾"), ("other", "其他"),
]


def appeals_available() -> bool:
    """A finding can become a service request (接诉即办) when the appeals module is installed."""
    return apps.is_installed("appeals")


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
    require_scope(actor, visit.unit_id)
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


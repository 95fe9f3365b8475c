"""Scoped reads of requests, duplicate candidates, and the three rates (响应率, 解决率, 满意率) per subtree."""

import math
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from accounts.scoping import get_visible_or_404, scope_prefix
from appeals import conf
from appeals.models import (
    OPEN_STATES,
    SATISFIED_LEVELS,
    Appeal,
    Category,
    Event,
    Extension,
    RatingAppeal,
    Rectification,
    State,
)
from places.codes import within
from places.models import OrgUnit


def appeals_for(user: Any) -> QuerySet[Appeal]:
    return Appeal.objects.visible_to(user).select_related("category", "unit", "department", "home_unit")


def appeal_for_user(user: Any, pk: int) -> Appeal:
    return get_visible_or_404(appeals_for(user), pk=pk)


def inbox(user: Any, *, state: str = "", q: str = "", category: str = "") -> QuerySet[Appeal]:
    rows = appeals_for(user).filter(merged_into__isnull=True)
    if state == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif state in State.values:
        rows = rows.filter(state=state)
    if category:
        rows = rows.filter(category__code=category)
    if q:
        rows = rows.filter(Q(tracking_no__startswith=q.strip()) | Q(description__contains=q.strip()))
    return rows.order_by("-created_at", "-id")


def mine(user: Any) -> QuerySet[Appeal]:
    return Appeal.objects.visible_to(user).select_related("category", "unit", "department").order_by("-created_at")


def mine_detail(user: Any, tracking_no: str) -> Appeal:
    return get_visible_or_404(mine(user), tracking_no=tracking_no)


def tracked(no: str, phone: str) -> Appeal | None:
    """The request with this tracking number filed with this phone (both needed: a wrong phone reveals nothing)."""
    from appeals.services.common import phone_hash

    key = phone_hash(phone)
    if not no or not key:
        return None
    return Appeal.objects.filter(tracking_no=no, phone_hash=key).select_related("category").first()


def timeline(appeal: Appeal, *, public_only: bool) -> QuerySet[Event]:
    events = appeal.events.prefetch_related("photos")
    return events.filter(public=True) if public_only else events


def categories() -> QuerySet[Category]:
    from appeals.importers import ensure_categories

    ensure_categories()
    return Category.objects.filter(active=True).order_by("position", "code")


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def duplicates(appeal: Appeal, user: Any) -> list[tuple[Appeal, int]]:
    """Likely duplicates: same category, still open, within APPEALS_DUPLICATE_METRES, visible to the user."""
    if appeal.lat is None or appeal.lng is None or not appeal.is_open:
        return []
    metres = conf.DUPLICATE_METRES
    dlat = metres / 111_000
    dlng = metres / (111_000 * max(math.cos(math.radians(appeal.lat)), 0.01))
    rows = (appeals_for(user).filter(category_id=appeal.category_id, state__in=OPEN_STATES, merged_into__isnull=True,
                                     lat__range=(appeal.lat - dlat, appeal.lat + dlat),
                                     lng__range=(appeal.lng - dlng, appeal.lng + dlng))
            .exclude(pk=appeal.pk).order_by("created_at")[:20])
    found = []
    for other in rows:
        d = distance_m(appeal.lat, appeal.lng, other.lat, other.lng)  # type: ignore[arg-type]  # the query filters lat/lng ranges, so neither side is None here
        if d <= metres:
            found.append((other, round(d)))
    return found


def awaiting_level_above(user: Any) -> dict[str, list[Any]]:
    """What the level above must decide: extensions, call-backs, rating appeals of units below the user."""
    prefix = scope_prefix(user)
    if prefix is None:
        return {"extensions": [], "callbacks": [], "contests": []}
    below = within("appeal__unit_id", prefix) & ~Q(appeal__unit_id=user.unit_id)
    return {
        "extensions": list(Extension.objects.filter(below, decision=Extension.Decision.PENDING).select_related("appeal")),
        "callbacks": list(Rectification.objects.filter(within("callback_unit_id", prefix), callback_at__isnull=True)
                          .select_related("appeal")),
        "contests": list(RatingAppeal.objects.filter(within("rating__appeal__unit_id", prefix), ~Q(rating__appeal__unit_id=user.unit_id),
                                                     decision=RatingAppeal.Decision.PENDING).select_related("rating__appeal")),
    }


# ---- the three rates ---------------------------------------------------------------------------------------

def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Asia/Shanghai."""
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


def _measures(as_of: datetime) -> dict[str, Any]:
    due = Q(state=State.CLOSED) | Q(reply_due_at__lte=as_of)
    return {
        "total": Count("id"),
        "accepted_on_time": Count("id", filter=Q(first_accepted_at__isnull=False, first_accepted_at__lte=F("accept_due_at"))),
        "due": Count("id", filter=due),
        "resolved": Count("id", filter=due & Q(state=State.CLOSED, resolved=True)),
        "rated": Count("id", filter=Q(final_rating__isnull=False)),
        "satisfied": Count("id", filter=Q(final_rating__in=SATISFIED_LEVELS)),
        "overdue": Count("id", filter=Q(overdue_count__gt=0)),
        "avg_accept": Avg("accept_seconds"),
        "avg_reply": Avg("reply_seconds"),
    }


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    row["response_rate"] = _ratio(row["accepted_on_time"], row["total"])
    row["resolution_rate"] = _ratio(row["resolved"], row["due"])
    row["satisfaction_rate"] = _ratio(row["satisfied"], row["rated"])
    row["avg_accept_hours"] = round(row["avg_accept"] / 3600, 2) if row["avg_accept"] is not None else None
    row["avg_reply_hours"] = round(row["avg_reply"] / 3600, 2) if row["avg_reply"] is not None else None
    return row


def _cohort(prefix: str, start: date, end: date) -> QuerySet[Appeal]:
    low, high = period_bounds(start, end)
    return Appeal.objects.filter(within("home_unit_id", prefix), created_at__gte=low, created_at__lt=high,
                                 merged_into__isnull=True)


def rates(prefix: str, start: date, end: date, *, now: datetime | None = None) -> dict[str, Any]:
    """The rates of every request that arose in the subtree during [start, end] (see docs/appeals.md)."""
    _, high = period_bounds(start, end)
    as_of = min(high, now or timezone.now())
    return _finish(_cohort(prefix, start, end).aggregate(**_measures(as_of)))


def township_ranking(prefix: str, start: date, end: date, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Townships under prefix ranked by the mean of their three rates (missing rates count as 0), then by volume."""
    _, high = period_bounds(start, end)
    as_of = min(high, now or timezone.now())
    groups = (_cohort(prefix, start, end).annotate(township=Substr("home_unit_id", 1, 9))
              .exclude(township__endswith="000").values("township")
              .annotate(**_measures(as_of)).order_by("township"))
    rows = [_finish(dict(g)) for g in groups]
    names = dict(OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP, code__in=[r["township"] + "000" for r in rows])
                 .values_list("code", "name"))
    for row in rows:
        row["code"] = row["township"] + "000"
        row["name"] = names.get(row["code"], row["code"])
        parts = [row["response_rate"] or 0, row["resolution_rate"] or 0, row["satisfaction_rate"] or 0]
        row["score"] = round(sum(parts) / 3, 4)
    rows.sort(key=lambda r: (-r["score"], -r["total"], r["code"]))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    return rows

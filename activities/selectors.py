"""Scoped reads and the figures of the activities module (GROUP BY on code prefixes, no per-row queries)."""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from accounts.scoping import scope_prefix
from activities.models import (
    ArchiveEntry,
    Audience,
    CommunityActivity,
    Funding,
    FundingSource,
    JointMeeting,
    Kind,
    MeetingTask,
    Participation,
    Pilot,
    Project,
    ProjectKind,
    ProjectState,
    township_prefix,
)
from places.codes import within
from places.models import OrgUnit

# The plan's deadline for a comprehensive facility in every 空心村 relocation community (专栏3).
RELOCATION_DEADLINE = dt.date(2025, 12, 31)
ELDERLY_AGE, CHILD_AGE = 60, 18


def is_staff(user: Any) -> bool:
    return scope_prefix(user) is not None


def activities(user: Any, *, upcoming: bool = False) -> QuerySet[CommunityActivity]:
    rows = CommunityActivity.objects.visible_to(user).select_related("unit", "facility")
    if upcoming:
        rows = rows.filter(ends_at__gte=timezone.now())
    return rows.annotate(taken=Count("participations", filter=Q(participations__status="signed_up")))


def resident_feed(user: Any, limit: int = 20) -> list[CommunityActivity]:
    """Upcoming activities a resident may join: their own community first, then the rest of their township."""
    rows = list(activities(user, upcoming=True).order_by("starts_at", "pk")[:200])
    own = getattr(user, "unit_id", "")
    rows.sort(key=lambda a: (a.unit_id != own, a.starts_at))
    return rows[:limit]


def own_participations(user: Any) -> QuerySet[Participation]:
    return (Participation.objects.filter(account_id=getattr(user, "pk", None)).select_related("activity", "activity__unit")
            .order_by("-activity__starts_at", "pk"))


def projects(user: Any) -> QuerySet[Project]:
    return Project.objects.visible_to(user).select_related("unit", "facility").order_by("unit_id", "planned_start", "pk")


def pilots(user: Any) -> QuerySet[Pilot]:
    return Pilot.objects.visible_to(user).select_related("unit")


def meetings(user: Any) -> QuerySet[JointMeeting]:
    return JointMeeting.objects.visible_to(user).select_related("unit")


def tasks(user: Any) -> QuerySet[MeetingTask]:
    return MeetingTask.objects.visible_to(user).select_related("meeting")


def archive(user: Any, *, year: int | None = None, kind: str = "", query: str = "") -> QuerySet[ArchiveEntry]:
    rows = ArchiveEntry.objects.visible_to(user).select_related("unit")
    if year:
        rows = rows.filter(year=year)
    if kind:
        rows = rows.filter(kind=kind)
    if query:
        rows = rows.filter(Q(title__contains=query) | Q(file_name__contains=query))
    return rows


def _period(prefix: str, start: dt.date, end: dt.date) -> Q:
    tz = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return within("unit_id", prefix) & Q(starts_at__gte=low, starts_at__lt=high)


def activity_figures(prefix: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Per subtree and period: activities by kind and audience, sign-ups, attendance, 60+ and children shares."""
    held = CommunityActivity.objects.filter(_period(prefix, start, end), cancelled=False)
    by_kind = dict(held.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    by_audience = dict(held.values_list("audience").annotate(n=Count("id")).values_list("audience", "n"))
    joined = Participation.objects.filter(within("unit_id", prefix), status=Participation.Status.SIGNED_UP,
                                          activity__in=held.values("pk"))
    counts = joined.aggregate(signed=Count("id"), came=Count("id", filter=Q(attended=True)),
                              aged=Count("id", filter=Q(attended=True, age__isnull=False)),
                              elderly=Count("id", filter=Q(attended=True, age__gte=ELDERLY_AGE)),
                              children=Count("id", filter=Q(attended=True, age__lt=CHILD_AGE)),
                              rated=Count("id", filter=Q(rating__isnull=False)),
                              satisfied=Count("id", filter=Q(rating__gte=3)))
    aged = counts["aged"] or 0
    return {
        "activities": sum(by_kind.values()),
        "by_kind": [(label, by_kind.get(value, 0)) for value, label in Kind.choices],
        "by_audience": [(label, by_audience.get(value, 0)) for value, label in Audience.choices],
        "signed": counts["signed"], "attended": counts["came"],
        "elderly_share": (counts["elderly"] / aged) if aged else None,
        "children_share": (counts["children"] / aged) if aged else None,
        "satisfaction": (counts["satisfied"] / counts["rated"]) if counts["rated"] else None,
    }


def attendance_by_unit(prefix: str, start: dt.date, end: dt.date, depth: int) -> dict[str, tuple[int, int]]:
    """(activities, attendances) per unit of code depth `depth` (9: townships, 12: villages) under prefix.

    One GROUP BY over participations and one over activities; the bench compares it with hand-written SQL.
    """
    from django.db.models.functions import Substr

    held = CommunityActivity.objects.filter(_period(prefix, start, end), cancelled=False)
    part: Any = F("unit_id") if depth >= 12 else Substr("unit_id", 1, depth)
    acts = dict(held.annotate(part=part).values("part").annotate(n=Count("id")).values_list("part", "n"))
    came = dict(Participation.objects.filter(within("unit_id", prefix), attended=True, activity__in=held.values("pk"))
                .annotate(part=part).values("part").annotate(n=Count("id")).values_list("part", "n"))
    return {str(code): (int(acts.get(code, 0)), int(came.get(code, 0))) for code in set(acts) | set(came)}


def figures_all_units(start: dt.date, end: dt.date, prefix: str = "1311") -> dict[str, tuple[int, int]]:
    """(activities, attendances) for every unit of the tree under prefix (villages up to the city): one GROUP BY per
    table by village, summed up the tree by code in Python."""
    by_village = attendance_by_unit(prefix, start, end, 12)
    prefixes = {str(p): str(c) for p, c in OrgUnit.objects.filter(within("code", prefix)).values_list("prefix", "code")}
    out: dict[str, tuple[int, int]] = dict.fromkeys(prefixes.values(), (0, 0))
    for village, (acts, came) in by_village.items():
        for size in (12, 9, 6, 4):
            code = prefixes.get(village[:size])
            if code is not None:
                a, c = out.get(code, (0, 0))
                out[code] = (a + acts, c + came)
    return out


def facility_use(prefix: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Each open space of the subtree: hours booked (holding bookings) ÷ hours open over the period."""
    from facilities.models import HOLDING, Booking, Space

    tz = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    booked: dict[int, float] = {}
    for space_id, s, e in (Booking.objects.filter(within("unit_id", prefix), status__in=HOLDING, starts_at__gte=low,
                                                  starts_at__lt=high).values_list("space_id", "starts_at", "ends_at")):
        booked[space_id] = booked.get(space_id, 0.0) + (e - s).total_seconds() / 3600
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    out = []
    for space in Space.objects.filter(within("unit_id", prefix), is_active=True).select_related("unit", "facility"):
        daily = (dt.datetime.combine(start, space.closes_at) - dt.datetime.combine(start, space.opens_at)).total_seconds() / 3600
        open_hours = daily * sum(1 for d in days if str(d.weekday()) in space.weekdays)
        hours = booked.get(space.pk, 0.0)
        out.append({"space": space, "booked": hours, "open": open_hours, "share": (hours / open_hours) if open_hours else None})
    return out


def evidence(action_number: int, prefix: str) -> QuerySet[CommunityActivity]:
    """The activities a 专栏2 special action cites as evidence (held, not cancelled), in the subtree."""
    return (CommunityActivity.objects.filter(within("unit_id", prefix), action_number=action_number, cancelled=False,
                                             starts_at__lte=timezone.now())
            .select_related("unit").annotate(came=Count("participations", filter=Q(participations__attended=True)))
            .order_by("-starts_at", "pk"))


def programme(prefix: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """Per county (or any subtree): projects by kind and state, money by source, the villages still without a
    comprehensive facility in use with the projects that will close each gap, and relocation communities without one."""
    from facilities.models import CommunityProfile, Facility, FacilityKind, in_use_on

    as_of = as_of or timezone.localdate()
    rows = Project.objects.filter(within("unit_id", prefix))
    counts = {(k, s): n for k, s, n in rows.values_list("kind", "state").annotate(n=Count("id")).values_list("kind", "state", "n")}
    by_kind = [{"kind": label, "states": [counts.get((value, s), 0) for s in ProjectState.values]}
               for value, label in ProjectKind.choices]
    money = dict(Funding.objects.filter(within("project__unit_id", prefix)).values_list("source")
                 .annotate(total=Sum("amount")).values_list("source", "total"))
    has_facility = Exists(Facility.objects.filter(in_use_on(as_of), unit_id=OuterRef("code"), kind=FacilityKind.COMPREHENSIVE))
    gaps = list(OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.VILLAGE)
                .annotate(has=has_facility).filter(has=False).order_by("code").values_list("code", "name", "kind"))
    open_projects: dict[str, list[Project]] = {}
    for project in rows.exclude(state=ProjectState.COMPLETED).order_by("planned_end", "pk"):
        open_projects.setdefault(project.unit_id, []).append(project)
    relocation = set(CommunityProfile.objects.filter(within("unit_id", prefix), is_relocation_community=True)
                     .values_list("unit_id", flat=True))
    gap_rows: list[dict[str, Any]] = [{"code": code, "name": name, "kind": kind, "projects": open_projects.get(code, []),
                 "relocation": code in relocation} for code, name, kind in gaps]
    late = [g for g in gap_rows if g["relocation"]
            and not any(p.planned_end <= RELOCATION_DEADLINE for p in open_projects.get(g["code"], []))]
    return {"by_kind": by_kind, "states": ProjectState.choices,
            "money": [(label, money.get(value) or 0) for value, label in FundingSource.choices],
            "gaps": gap_rows, "relocation_gaps": [g for g in gap_rows if g["relocation"]], "relocation_late": late,
            "deadline": RELOCATION_DEADLINE}


def subtree_prefix(user: Any, code: str = "") -> str:
    """The prefix of a unit in the user's subtree (their own when code is empty or outside it)."""
    own = scope_prefix(user) or ""
    if code:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is not None and str(unit.prefix).startswith(own):
            return str(unit.prefix)
    return own


def resident_area(user: Any) -> str:
    return township_prefix(getattr(user, "unit_id", "") or "")

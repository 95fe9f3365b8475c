"""Scoped reads of the volunteers module."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.scoping import scope_prefix
from places.codes import within
from volunteers import hours
from volunteers.models import Activity, ServicePoint, ServiceRecord, SignUp, Team, Volunteer


def is_staff(user: Any) -> bool:
    return scope_prefix(user) is not None


def volunteers(user: Any, *, unit_prefix: str = "", query: str = "") -> QuerySet[Volunteer]:
    rows = Volunteer.objects.visible_to(user).select_related("unit")
    if unit_prefix:
        rows = rows.filter(within("unit_id", unit_prefix))
    if query:
        rows = rows.filter(name__contains=query)
    return rows.order_by("unit_id", "name", "pk")


def with_hours(rows: list[Volunteer]) -> list[dict[str, Any]]:
    """Each volunteer of a page with their confirmed hours (overlaps once) and star label."""
    found = hours.hours_of([v.pk for v in rows])
    return [{"volunteer": v, "hours": found.get(v.pk, 0.0), "stars": hours.star_label(found.get(v.pk, 0.0))}
            for v in rows]


def records_of(volunteer: Volunteer) -> QuerySet[ServiceRecord]:
    return volunteer.records.select_related("activity", "unit").order_by("-started_at", "pk")


def teams(user: Any) -> QuerySet[Team]:
    return Team.objects.visible_to(user).select_related("unit", "leader").annotate(size=Count("members")).order_by("unit_id", "name", "pk")


def points(user: Any) -> QuerySet[ServicePoint]:
    return ServicePoint.objects.visible_to(user).select_related("unit", "facility")


def activities(user: Any) -> QuerySet[Activity]:
    return (Activity.objects.visible_to(user).select_related("unit", "team")
            .annotate(taken=Count("signups", filter=Q(signups__status=SignUp.Status.CONFIRMED)))
            .order_by("-starts_at", "pk"))


def signups_of(activity: Activity) -> QuerySet[SignUp]:
    return activity.signups.select_related("volunteer").exclude(status=SignUp.Status.CANCELLED) \
        .order_by("status", "waitlist_position", "pk")


def records_to_confirm(activity: Activity) -> QuerySet[ServiceRecord]:
    return activity.records.select_related("volunteer").order_by("confirmed", "volunteer__name", "pk")


def party_members(user: Any) -> list[dict[str, Any]]:
    """Members the user sees (community: living in the subtree; work unit: its own), each with this year's report
    status and confirmed volunteer hours."""
    import datetime as dt

    from django.utils import timezone

    from volunteers.models import PartyMember, PartyReport

    year_start = dt.date(timezone.localdate().year, 1, 1)
    members = list(PartyMember.objects.visible_to(user).select_related("work_unit", "residence")
                   .order_by("residence_id", "name", "pk")[:500])
    reports: dict[int, list[PartyReport]] = {}
    for report in PartyReport.objects.filter(member__in=members, reported_on__gte=year_start).order_by("reported_on"):
        reports.setdefault(report.member_id, []).append(report)
    found = hours.hours_of([m.volunteer_id for m in members if m.volunteer_id])
    return [{"member": m, "reports": reports.get(m.pk, []),
             "reported": any(r.confirmed for r in reports.get(m.pk, [])),
             "hours": found.get(m.volunteer_id or 0, 0.0)} for m in members]

"""Scoped reads of the social-forces module and its figures per subtree."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.scoping import scope_prefix
from people.models import Resident
from places.codes import within
from socialorgs.models import (
    Case,
    Donation,
    FilingApplication,
    FiveSocialProject,
    IncubationBase,
    Organisation,
    OrgStatus,
    Purchase,
    Session,
    SocialWorker,
    SpaceAgreement,
)


def is_staff(user: Any) -> bool:
    return scope_prefix(user) is not None


def organisations(user: Any, *, query: str = "", status: str = "") -> QuerySet[Organisation]:
    rows = Organisation.objects.visible_to(user).select_related("unit")
    if query:
        rows = rows.filter(Q(name__contains=query) | Q(credit_code=query.upper()))
    if status in OrgStatus.values:
        rows = rows.filter(status=status)
    return rows


def public_filed(unit_prefix: str = "") -> QuerySet[Organisation]:
    """Filed and registered community organisations, not dissolved: listed publicly for residents."""
    rows = Organisation.objects.filter(dissolved_on__isnull=True).select_related("unit")
    return rows.filter(within("unit_id", unit_prefix)) if unit_prefix else rows


def filings(user: Any) -> QuerySet[FilingApplication]:
    return FilingApplication.objects.visible_to(user).select_related("unit", "organisation")


def bases(user: Any) -> QuerySet[IncubationBase]:
    """Bases belong to a county (or the city): county and city staff see them."""
    return (IncubationBase.objects.visible_to(user).select_related("unit", "operator", "facility")
            .annotate(active=Count("incubations", filter=Q(incubations__left_on__isnull=True))))


def workers(user: Any) -> QuerySet[SocialWorker]:
    return SocialWorker.objects.visible_to(user).select_related("unit", "station", "organisation")


def cases(user: Any) -> QuerySet[Case]:
    return Case.objects.visible_to(user).select_related("unit", "worker").annotate(n_sessions=Count("sessions"))


def purchases(user: Any) -> QuerySet[Purchase]:
    return Purchase.objects.visible_to(user).select_related("unit", "department", "awarded_to")


def donations(user: Any) -> QuerySet[Donation]:
    return Donation.objects.visible_to(user).select_related("unit")


def agreements(user: Any) -> QuerySet[SpaceAgreement]:
    return SpaceAgreement.objects.visible_to(user).select_related("unit").annotate(done=Count("fulfilments"))


def projects(user: Any) -> QuerySet[FiveSocialProject]:
    return FiveSocialProject.objects.visible_to(user).select_related("unit")


def social_work_figures(prefix: str, today: dt.date) -> dict[str, Any]:
    """Figures of a subtree: stations, social workers per station and per 10,000 residents, cases and sessions."""
    from facilities.models import Facility

    area = within("unit_id", prefix)
    stations = Facility.objects.filter(area, status="in_use").filter(
        Q(kind="social_work") | Q(services__service="social_work_room")).distinct().count()
    in_post = SocialWorker.objects.filter(area, joined_on__lte=today).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today)).count()
    residents = Resident.objects.filter(area, status=Resident.Status.PRESENT).count()
    month = today.replace(day=1)
    return {
        "stations": stations, "workers": in_post,
        "per_station": round(in_post / stations, 1) if stations else None,
        "per_10k": round(in_post / residents * 10_000, 1) if residents else None,
        "opened": Case.objects.filter(area, opened_on__year=today.year).count(),
        "closed": Case.objects.filter(area, closed_on__year=today.year).count(),
        "sessions_month": Session.objects.filter(within("case__unit_id", prefix), held_on__gte=month).count(),
    }


def forces_in(unit_code: str) -> dict[str, Any]:
    """Which social forces work in a community: organisations serving it, social workers, projects, donations."""
    return {
        "organisations": list(Organisation.objects.filter(Q(unit_id=unit_code) | Q(served_units=unit_code),
                                                          dissolved_on__isnull=True).distinct()),
        "workers": list(SocialWorker.objects.filter(Q(unit_id=unit_code), left_on__isnull=True)),
        "projects": list(FiveSocialProject.objects.filter(Q(unit_id=unit_code))),
        "donations": Donation.objects.filter(Q(unit_id=unit_code)).count(),
    }

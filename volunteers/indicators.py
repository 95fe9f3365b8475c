"""Indicator values this module holds, for planning (see docs/volunteers.md).

volunteer_service_point_coverage — per village-level unit: (1 if a volunteer service point (ServicePoint) is open on
`end`, else 0; 1). A point counts from its opened_on until the day before its closed_on. This is the one source of
the figure: the facilities module no longer computes it from its "volunteer station" flag.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Exists, F, OuterRef, Q

from places.codes import within
from places.models import OrgUnit
from volunteers.models import PartyMember, ServicePoint

Values = dict[str, tuple[float, float]]


def open_on(day: dt.date) -> Q:
    return Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def volunteer_service_point_coverage(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    units = OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE)
    if prefix:
        units = units.filter(within("code", prefix))
    having = Exists(ServicePoint.objects.filter(open_on(end), unit_id=OuterRef("code")))
    return {str(code): (1.0 if has else 0.0, 1.0) for code, has in units.annotate(has=having).values_list("code", "has")}


PROVIDES: dict[str, Callable[[dt.date, dt.date], Values]] = {
    "volunteer_service_point_coverage": volunteer_service_point_coverage,
}


def _reported_in_year(end: dt.date) -> Q:
    """A confirmed report to the member's residence community dated from 1 January of end's year to end."""
    return Q(reports__confirmed=True, reports__reported_on__gte=dt.date(end.year, 1, 1), reports__reported_on__lte=end,
             reports__unit_id=F("residence_id"))


def party_member_reporting_coverage(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    """Per residence village: (members on rosters who reported (confirmed) in the year, members on rosters)."""
    rows = PartyMember.objects.all()
    if prefix:
        rows = rows.filter(within("residence_id", prefix))
    counted = {str(code): (float(done), float(total)) for code, done, total in
               rows.values("residence_id").annotate(total=Count("id", distinct=True),
                                                     done=Count("id", filter=_reported_in_year(end), distinct=True))
               .values_list("residence_id", "done", "total")}
    return {code: counted.get(code, (0.0, 0.0)) for code in _villages(prefix)}


def reporting_by_work_unit(end: dt.date) -> dict[str, tuple[int, int]]:
    """The same rate by work unit (department code): (reported in the year, members on its roster)."""
    return {str(code): (int(done), int(total)) for code, done, total in
            PartyMember.objects.values("work_unit__code")
            .annotate(total=Count("id", distinct=True), done=Count("id", filter=_reported_in_year(end), distinct=True))
            .values_list("work_unit__code", "done", "total")}


def _villages(prefix: str) -> list[str]:
    units = OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE)
    if prefix:
        units = units.filter(within("code", prefix))
    return [str(code) for code in units.values_list("code", flat=True)]


PROVIDES["party_member_reporting_coverage"] = party_member_reporting_coverage

"""Indicator values this module holds, for planning (see docs/socialorgs.md).

social_org_incubation_base_county_coverage — per county-level unit: (1 if an incubation base of that county is
  operating on `end`, else 0; 1). A base counts from its opened_on until the day before its closed_on. A base of the
  city itself covers no county.
social_org_staff_per_10k_residents — (full-time staff of registered (登记) organisations active on `end`,
  present residents in the register / 10,000). An organisation is active from its registered_on until the day
  before its dissolved_on; its full-time staff are its declared 专职人员数. The figures are given at the level the
  organisation is registered at: a community's organisations and residents on the community, a township's or
  county's own organisations on that unit with denominator 0, so that every sum up to the city is exact.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Exists, OuterRef, Q, Sum

from people.models import Resident
from places.codes import within
from places.models import OrgUnit
from socialorgs.models import IncubationBase, Organisation, OrgStatus

Values = dict[str, tuple[float, float]]


def operating_on(day: dt.date) -> Q:
    return Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def social_org_incubation_base_county_coverage(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    counties = OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY)
    if prefix:
        counties = counties.filter(within("code", prefix))
    having = Exists(IncubationBase.objects.filter(operating_on(end), unit_id=OuterRef("code")))
    return {str(code): (1.0 if has else 0.0, 1.0)
            for code, has in counties.annotate(has=having).values_list("code", "has")}


def social_org_staff_per_10k_residents(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    area = within("unit_id", prefix) if prefix else Q()
    staff = {
        str(code): float(n or 0) for code, n in
        Organisation.objects.active_on(end).filter(area, status=OrgStatus.REGISTERED)
        .values("unit_id").annotate(n=Sum("full_time_staff")).values_list("unit_id", "n")
    }
    residents = {
        str(code): n for code, n in Resident.objects.filter(area, status=Resident.Status.PRESENT)
        .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    }
    villages = OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE)
    if prefix:
        villages = villages.filter(within("code", prefix))
    out: Values = {str(code): (staff.pop(str(code), 0.0), residents.get(str(code), 0) / 10_000)
                   for code in villages.values_list("code", flat=True)}
    out.update({code: (n, 0.0) for code, n in staff.items()})  # organisations of a township, county or the city
    return out


PROVIDES: dict[str, Callable[[dt.date, dt.date], Values]] = {
    "social_org_incubation_base_county_coverage": social_org_incubation_base_county_coverage,
    "social_org_staff_per_10k_residents": social_org_staff_per_10k_residents,
}

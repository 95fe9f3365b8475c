"""Indicator values this module holds, for planning (see docs/volunteers.md).

volunteer_service_point_coverage — per village-level unit: (1 if a volunteer service point (ServicePoint) is open on
`end`, else 0; 1). A point counts from its opened_on until the day before its closed_on. This is the one source of
the figure: the facilities module no longer computes it from its "volunteer station" flag.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q

from places.codes import within
from places.models import OrgUnit
from volunteers.models import ServicePoint

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

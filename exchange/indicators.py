"""Indicator values computed from the departments' datasets, for planning (see docs/exchange.md).

Each function is (start, end, prefix="") -> {unit code: (numerator, denominator)} as of `end`, from
selectors.values_on (the latest value of each unit on or before the period's end).

general_practitioners_per_10k_residents — per village-level unit: (its GPs, present residents / 10,000);
  per township: (the GPs of the township health centre's service area, 0) — they count in the township
  and above, against the residents of its villages.
villages_with_5g_share — per 行政村 (rural village-level unit): (1 if 通5G, 1); a village without a row counts as not covered.
villages_without_broadband — per 行政村: (1 unless 通宽带 is 是, 1); no row means no broadband on record.
elderly_friendly_communities_per_year — per village-level unit: (1 if designated in `end`'s year, 0); the city (0, 1),
  so the city's value is the count; a county's numerator is its count.
disabled_persons_association_coverage — per village-level unit: (1 if an association established on or before `end`, 1).
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Q

from exchange.selectors import values_on
from people.models import Resident
from places.codes import within
from places.models import OrgUnit

Values = dict[str, tuple[float, float]]
CITY = "131100000000"


def _units(prefix: str, level: str, kind: str | None = None) -> list[str]:
    units = OrgUnit.objects.filter(level=level)
    if kind:
        units = units.filter(kind=kind)
    if prefix:
        units = units.filter(within("code", prefix))
    return list(units.values_list("code", flat=True))


def general_practitioners_per_10k_residents(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    gps = values_on("general_practitioners", end, prefix)
    residents: dict[str, int] = {
        str(code): n for code, n in Resident.objects.filter(status=Resident.Status.PRESENT)
        .filter(within("unit_id", prefix) if prefix else Q())
        .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    }
    out: Values = {code: (float(gps.get(code, {}).get("count", 0)), residents.get(code, 0) / 10_000)
                   for code in _units(prefix, OrgUnit.Level.VILLAGE)}
    if len(prefix) <= 9:  # a township's own row is inside a township's or a wider prefix only
        out.update({code: (float(gps[code]["count"]), 0.0)
                    for code in _units(prefix, OrgUnit.Level.TOWNSHIP) if code in gps})
    return out


def villages_with_5g_share(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    rows = values_on("village_connectivity", end, prefix)
    return {code: (1.0 if rows.get(code, {}).get("has_5g") else 0.0, 1.0)
            for code in _units(prefix, OrgUnit.Level.VILLAGE, OrgUnit.Kind.RURAL)}


def villages_without_broadband(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    rows = values_on("village_connectivity", end, prefix)
    return {code: (0.0 if rows.get(code, {}).get("has_broadband") else 1.0, 1.0)
            for code in _units(prefix, OrgUnit.Level.VILLAGE, OrgUnit.Kind.RURAL)}


def elderly_friendly_communities_per_year(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    rows = values_on("elderly_friendly_communities", end, prefix)
    out: Values = {code: (1.0 if rows.get(code, {}).get("year") == end.year else 0.0, 0.0)
                   for code in _units(prefix, OrgUnit.Level.VILLAGE)}
    if not prefix or CITY.startswith(prefix):
        out[CITY] = (0.0, 1.0)
    return out


def disabled_persons_association_coverage(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    rows = values_on("disabled_persons_associations", end, prefix)
    return {code: (1.0 if code in rows else 0.0, 1.0) for code in _units(prefix, OrgUnit.Level.VILLAGE)}


PROVIDES: dict[str, Callable[[dt.date, dt.date], Values]] = {
    "general_practitioners_per_10k_residents": general_practitioners_per_10k_residents,
    "villages_with_5g_share": villages_with_5g_share,
    "villages_without_broadband": villages_without_broadband,
    "elderly_friendly_communities_per_year": elderly_friendly_communities_per_year,
    "disabled_persons_association_coverage": disabled_persons_association_coverage,
}

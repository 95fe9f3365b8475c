"""Indicator values this module holds, for planning (see docs/workforce.md).

workers_per_10k_urban_residents — per urban community (village-level unit of kind "urban"):
  (community workers in post on `end`, present residents in the register / 10,000).
  Community workers are the positions in models.COUNTED (两委 members and full-time workers).
secretary_director_training_rate — per village-level unit:
  (secretaries and directors in post at some time from 1 January of `end`'s year to `end` who
  completed a rotation training (轮训) that ended in that window, those post-holders).
  A person holding both posts (一人兼) counts once.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Q

from people.models import Resident
from places.codes import within
from places.models import OrgUnit
from workforce.models import COUNTED, LEADER_POSITIONS, CommunityWorker, TrainingKind, in_post_during, in_post_on

Values = dict[str, tuple[float, float]]


def _villages(prefix: str, kind: str | None = None) -> list[str]:
    units = OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE)
    if kind:
        units = units.filter(kind=kind)
    if prefix:
        units = units.filter(within("code", prefix))
    return list(units.values_list("code", flat=True))


def workers_per_10k_urban_residents(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    urban = Q(unit__kind=OrgUnit.Kind.URBAN, unit__level=OrgUnit.Level.VILLAGE)
    area = within("unit_id", prefix) if prefix else Q()
    workers: dict[str, int] = {
        str(code): n for code, n in CommunityWorker.objects.filter(urban, area, in_post_on(end), position__in=COUNTED)
        .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    }
    residents: dict[str, int] = {
        str(code): n for code, n in Resident.objects.filter(urban, area, status=Resident.Status.PRESENT)
        .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    }
    return {code: (float(workers.get(code, 0)), residents.get(code, 0) / 10_000)
            for code in _villages(prefix, OrgUnit.Kind.URBAN)}


def secretary_director_training_rate(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    first = dt.date(end.year, 1, 1)
    trained = Q(attendances__completed=True, attendances__training__kind=TrainingKind.ROTATION,
                attendances__training__ends_on__gte=first, attendances__training__ends_on__lte=end)
    rows = (
        CommunityWorker.objects.filter(in_post_during(first, end), position__in=LEADER_POSITIONS)
        .filter(within("unit_id", prefix) if prefix else Q())
        .values("unit_id")
        .annotate(holders=Count("id", distinct=True), trained=Count("id", filter=trained, distinct=True))
        .values_list("unit_id", "trained", "holders")
    )
    found: dict[str, tuple[float, float]] = {str(code): (float(n), float(d)) for code, n, d in rows}
    return {code: found.get(code, (0.0, 0.0)) for code in _villages(prefix)}


PROVIDES: dict[str, Callable[[dt.date, dt.date], Values]] = {
    "workers_per_10k_urban_residents": workers_per_10k_urban_residents,
    "secretary_director_training_rate": secretary_director_training_rate,
}

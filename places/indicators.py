"""Indicator values this module holds, for planning (see docs/DEVELOPING.md).

org_system_coverage: per village-level unit, (1 if its 六位一体/五位一体 system is complete
else 0, 1). The bodies carry no history, so the value is as of now whatever `end` is.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Q

from places.codes import within
from places.models import OrgUnit, bodies_for
from places.selectors import required_bodies_present


def org_system_coverage(start: dt.date, end: dt.date, prefix: str = "") -> dict[str, tuple[float, float]]:
    """prefix= narrows to a subtree (the planning engine asks for one unit when it updates incrementally)."""
    needed: dict[str, int] = {str(kind): len(bodies_for(kind)) for kind in (OrgUnit.Kind.URBAN, OrgUnit.Kind.RURAL)}
    rows = (
        OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE)
        .filter(within("code", prefix) if prefix else Q())
        .annotate(present=required_bodies_present())
        .values_list("code", "kind", "present")
    )
    return {code: (1.0 if present >= needed[kind] else 0.0, 1.0) for code, kind, present in rows}


PROVIDES: dict[str, Callable[[dt.date, dt.date], dict[str, tuple[float, float]]]] = {
    "org_system_coverage": org_system_coverage,
}

"""Reads on the tree: scoped to the user, aggregated by code prefix."""

from typing import Any

from django.db.models import Count, Q

from accounts.scoping import NOTHING, scope_prefix
from places.codes import within
from places.models import CommunityBody, OrgUnit, bodies_for


def units_visible_to(user: Any) -> Any:
    prefix = scope_prefix(user)
    return OrgUnit.objects.filter(NOTHING if prefix is None else within("code", prefix))


def unit_for_user(user: Any, code: str) -> OrgUnit:
    from accounts.scoping import get_visible_or_404

    return get_visible_or_404(units_visible_to(user).select_related("parent"), code=code)


def bodies_of(unit: OrgUnit) -> list[dict[str, Any]]:
    """Each body the unit's system should have, whether recorded or not."""
    recorded = {b.kind: b for b in unit.bodies.all()}
    rows = []
    for kind in bodies_for(unit.kind):
        body = recorded.get(kind)
        rows.append({
            "kind": kind,
            "label": CommunityBody.Kind(kind).label,
            "exists": bool(body and body.exists),
            "contact_name": body.contact_name if body else "",
            "contact_phone": body.contact_phone if body else "",
        })
    return rows


def required_bodies_present() -> Count:
    """Per unit: how many of the bodies its kind requires exist (a body of the other kind's system does not count)."""
    required = Q()
    for kind in (OrgUnit.Kind.URBAN, OrgUnit.Kind.RURAL):
        required |= Q(kind=kind, bodies__kind__in=bodies_for(kind))
    return Count("bodies", filter=Q(bodies__exists=True) & required)


def org_system_coverage(prefix: str) -> dict[str, int]:
    """Village-level units under prefix whose 六位一体/五位一体 system is complete.

    Complete: every body its kind requires exists (6 for urban, 5 for rural).
    """
    villages = OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.VILLAGE)
    counted = villages.annotate(present=required_bodies_present())
    complete = counted.filter(
        Q(kind=OrgUnit.Kind.URBAN, present__gte=len(bodies_for(OrgUnit.Kind.URBAN)))
        | Q(kind=OrgUnit.Kind.RURAL, present__gte=len(bodies_for(OrgUnit.Kind.RURAL)))
    ).count()
    return {"complete": complete, "total": villages.count()}


def level_counts(prefix: str) -> dict[str, int]:
    rows = OrgUnit.objects.filter(within("code", prefix)).values("level").annotate(n=Count("id"))
    return {row["level"]: row["n"] for row in rows}

"""Demo data for the organisation systems: most communities complete, some missing a body or two."""

import hashlib

from django.db import transaction

from places.models import CommunityBody, OrgUnit, bodies_for


def _draw(code: str) -> int:
    """A stable number 0–99 per unit, so every run builds the same demo."""
    return int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) % 100


@transaction.atomic
def seed_bodies() -> int:
    """Record bodies for every village-level unit that has none yet; returns how many rows were added."""
    done = set(CommunityBody.objects.values_list("unit_id", flat=True).distinct())
    rows = []
    for code, kind in OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE).values_list("code", "kind"):
        if code in done:
            continue
        kinds = bodies_for(kind)
        draw = _draw(code)
        missing = 0 if draw < 78 else (1 if draw < 93 else 2)
        for index, body in enumerate(kinds):
            rows.append(CommunityBody(unit_id=code, kind=body, exists=index < len(kinds) - missing))
    CommunityBody.objects.bulk_create(rows, batch_size=5000)
    return len(rows)

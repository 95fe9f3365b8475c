"""Map layer of emergency shelters, for any map page (the facilities map can add it: see docs/care.md)."""

from typing import Any

from django.conf import settings

from care.models import SHELTER_FACILITIES, EmergencyShelter
from places.codes import within
from shequ.env import env_str

FACILITY_LABEL = dict(SHELTER_FACILITIES)


def tile_url() -> str:
    """MAP_TILE_URL (shared with the facilities map): a Leaflet tile template; empty → no background tiles."""
    return str(getattr(settings, "MAP_TILE_URL", env_str("MAP_TILE_URL", ""))).strip()


def shelter_layer(user: Any, prefix: str, limit: int = 2000) -> list[dict[str, Any]]:
    """Shelters with coordinates in the user's visible part of the subtree named by prefix."""
    rows = (EmergencyShelter.objects.visible_to(user).filter(within("unit_id", prefix), lat__isnull=False, lng__isnull=False)
            .order_by("unit_id", "id")[:limit])
    return [{"name": s.name, "kind": s.get_kind_display(), "capacity": s.capacity, "lat": s.lat, "lng": s.lng,
             "facilities": [FACILITY_LABEL.get(f, f) for f in s.facilities]} for s in rows]

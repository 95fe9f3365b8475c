"""This app's settings: Django settings win (tests override them), else the environment."""

from typing import Any

from django.conf import settings

from shequ.env import env_int, env_str


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def circle_radius_m() -> int:
    """FIFTEEN_MINUTE_RADIUS_M: straight-line radius of a 15-minute circle, metres (default 1000)."""
    return int(_setting("FIFTEEN_MINUTE_RADIUS_M", env_int("FIFTEEN_MINUTE_RADIUS_M", 1000, minimum=1)))


def map_tile_url() -> str:
    """MAP_TILE_URL: a Leaflet tile URL template ({z}/{x}/{y}); empty → plain background."""
    return str(_setting("MAP_TILE_URL", env_str("MAP_TILE_URL", ""))).strip()


def map_tile_attribution() -> str:
    return str(_setting("MAP_TILE_ATTRIBUTION", env_str("MAP_TILE_ATTRIBUTION", ""))).strip()

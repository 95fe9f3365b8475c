"""Navigation links contributed by each domain app: <app>/nav.py defines items(user)."""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.conf import settings

DOMAIN_APPS = ("people", "facilities", "appeals", "care", "workforce", "exchange", "planning", "volunteers", "duties", "activities", "deliberation", "socialorgs", "safety")


def nav_items(user: Any) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    if not getattr(user, "is_authenticated", False):
        return items
    for app in DOMAIN_APPS:
        if app in settings.INSTALLED_APPS and find_spec(f"{app}.nav") is not None:
            items += import_module(f"{app}.nav").items(user)
    return items


def home_cards(user: Any) -> list[dict[str, Any]]:
    """Work counts for the home page: each app's nav.py may define cards(user) -> [{label, value, url}]."""
    cards: list[dict[str, Any]] = []
    if not getattr(user, "is_authenticated", False):
        return cards
    for app in DOMAIN_APPS:
        if app in settings.INSTALLED_APPS and find_spec(f"{app}.nav") is not None:
            module = import_module(f"{app}.nav")
            if hasattr(module, "cards"):
                cards += module.cards(user)
    return cards

"""The one scope check every care write makes before it changes a row."""

from typing import Any

from django.core.exceptions import ValidationError

from accounts.scoping import can_see_unit


def require_scope(actor: Any, unit_code: str) -> None:
    if not can_see_unit(actor, unit_code):
        raise ValidationError("该对象不在您的管辖范围内。")

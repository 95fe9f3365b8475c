"""The one rule for who sees what: a staff user sees the subtree of their unit.

Every domain queryset offers visible_to(user) built on scope_q(); views, API
endpoints, exports and jobs read through it. Anything else sees nothing.
"""

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from accounts.roles import UNIT_ROLE_LEVEL, Role
from places.codes import within

M = TypeVar("M", bound=models.Model)

NOTHING = Q(pk__in=[])


def scope_prefix(user: Any) -> str | None:
    """The significant prefix of the subtree a user may see, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role in UNIT_ROLE_LEVEL and user.unit_id:
        unit = user.unit
        if unit.level == UNIT_ROLE_LEVEL[Role(user.role)]:
            return str(unit.prefix)
    return None


def scope_q(user: Any, field: str = "unit") -> Q:
    """Rows whose unit code (field + "_id" for a foreign key to OrgUnit.code) is in the user's subtree."""
    prefix = scope_prefix(user)
    if prefix is None:
        return NOTHING
    return within(field if field.endswith("_id") or field.endswith("code") else f"{field}_id", prefix)


def can_see_unit(user: Any, unit_code: str) -> bool:
    prefix = scope_prefix(user)
    return prefix is not None and unit_code.startswith(prefix)


class ScopedQuerySet(models.QuerySet[M]):
    """Base queryset for any model that carries the code of the unit it belongs to."""

    scope_field = "unit"

    def visible_to(self, user: Any) -> "ScopedQuerySet[M]":
        return self.filter(scope_q(user, self.scope_field))


def get_visible_or_404(queryset: models.QuerySet[M], **lookup: Any) -> M:
    """Fetch one row from an already scoped queryset; 404 (not 403) when it is not visible."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404("未找到") from exc

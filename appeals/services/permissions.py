"""Who may do what on a request, and who is told: the handling unit's staff, the level above, the filer."""

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Field, QuerySet

from accounts.models import User
from accounts.roles import STAFF_ROLES, UNIT_ROLE_LEVEL, Role
from accounts.scoping import scope_prefix
from appeals.models import (
    Appeal,
)
from appeals.services.common import CITY_CODE, parent_code


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in STAFF_ROLES)


def can_handle(user: Any, appeal: Appeal) -> bool:
    """The handling (承办) unit's or department's own staff."""
    if not is_staff(user):
        return False
    if appeal.department_id:
        return user.role == Role.DEPARTMENT_STAFF and user.department_id == appeal.department_id
    return bool(user.role in UNIT_ROLE_LEVEL and user.unit_id == appeal.unit_id)


def is_level_above(user: Any, unit_code: str, department_id: int | None = None) -> bool:
    """Staff of a unit strictly above the handling unit (city staff for a department)."""
    if not is_staff(user) or user.role == Role.DEPARTMENT_STAFF:
        return False
    if department_id:
        return bool(user.role == Role.CITY_STAFF)
    prefix = scope_prefix(user)
    return prefix is not None and unit_code.startswith(prefix) and user.unit_id != unit_code


def require_handler(user: Any, appeal: Appeal) -> None:
    if not can_handle(user, appeal):
        raise ValidationError("只有承办单位的工作人员可以办理此诉求。")


def handler_users(appeal: Appeal) -> QuerySet[User]:
    """Lazy: notify_users turns it into one INSERT … SELECT."""
    if appeal.department_id:
        return User.objects.filter(department_id=appeal.department_id, role=Role.DEPARTMENT_STAFF, is_active=True)
    return unit_handlers(appeal.unit_id)


def unit_handlers(unit_code: str) -> QuerySet[User]:
    """The unit's active staff, who handle what lands there."""
    return User.objects.filter(unit_id=unit_code, role__in=list(UNIT_ROLE_LEVEL), is_active=True)  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User


def unit_handlers_select(unit_code: str) -> tuple[str, list[Any]]:
    """unit_handlers as SQL, for the filing statement (building the queryset costs more than the insert)."""
    def column(name: str) -> str:
        return connection.ops.quote_name(cast("Field[Any, Any]", User._meta.get_field(name)).column)

    roles = list(UNIT_ROLE_LEVEL)
    marks = ", ".join(["%s"] * len(roles))
    sql = (f"SELECT {column('id')} AS pk FROM {connection.ops.quote_name(User._meta.db_table)} "  # noqa: S608
           f"WHERE {column('unit')} = %s AND {column('role')} IN ({marks}) AND {column('is_active')}")
    return sql, [unit_code, *roles]


def unit_users(unit_code: str) -> list[User]:
    return list(unit_handlers(unit_code))


def owns(user: Any, appeal: Appeal) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.pk and appeal.submitter_id == user.pk)



def callback_unit_for(appeal: Appeal) -> str:
    """The unit that calls the resident back (回访): the one just above the handling unit; the city for a department."""
    return CITY_CODE if appeal.department_id else parent_code(appeal.unit_id)


def is_callback_user(user: Any, appeal: Appeal) -> bool:
    """Staff of the call-back unit, who are neither the handling unit nor an assisting one."""
    if not is_staff(user) or user.role == Role.DEPARTMENT_STAFF or can_handle(user, appeal):
        return False
    if appeal.assists.filter(unit_id=user.unit_id).exists():
        return False
    return bool(user.unit_id == callback_unit_for(appeal))

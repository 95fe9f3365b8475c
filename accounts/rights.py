"""Data rights (数据权限): which permissions need a second person, and who that person is.

A data right lets its holder see personal data in the clear. It is never held through
Django's user or group permissions: only an approved, unexpired DataRightGrant gives it
(accounts.backends.LockoutBackend). The security administrator asks for a grant; the
business owner of the grantee's scope approves it:

- for a unit-scoped staff member (community, township, county, city): an active account marked
  单位负责人 (is_unit_leader) in the grantee's own unit or in the unit directly above it;
- for department staff: an active 单位负责人 of the same department.

Never the grantee, never the one who asked. Marking an account 单位负责人 is itself a change that
needs two administrators (accounts.services.propose_change).
"""

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import DataRightGrant, User
from accounts.roles import UNIT_ROLE_LEVEL, Role

# permission ("app_label.codename") → label shown to the security administrator and the approver
DATA_RIGHTS = {
    "people.reveal_personal_data": "查看完整证件号码与电话",
    "people.export_unmasked": "导出未脱敏数据",
    "people.view_restricted_tags": "查看受限人员标签",
}


def grant_days() -> int:
    return int(settings.DATA_RIGHT_DAYS)


def active_rights(user: Any, now: Any = None) -> set[str]:
    """The data rights a user holds right now."""
    if not getattr(user, "pk", None):
        return set()
    rows = DataRightGrant.objects.filter(user_id=user.pk, ended_at__isnull=True, approved_at__isnull=False,
                                         expires_at__gt=now or timezone.now())
    return set(rows.values_list("right", flat=True))


def owners_q(grantee: User) -> Q:
    """The accounts that may approve a data right for this grantee (see the module docstring)."""
    base = Q(is_active=True, is_unit_leader=True) & ~Q(pk=grantee.pk)
    if grantee.role == Role.DEPARTMENT_STAFF and grantee.department_id:
        return base & Q(role=Role.DEPARTMENT_STAFF, department_id=grantee.department_id)
    if grantee.role in UNIT_ROLE_LEVEL and grantee.unit is not None:
        units = [grantee.unit.code] + ([grantee.unit.parent_id] if grantee.unit.parent_id else [])
        return base & Q(role__in=list(UNIT_ROLE_LEVEL), unit_id__in=units)
    return Q(pk__in=[])


def may_approve(approver: Any, grant: DataRightGrant) -> bool:
    if not getattr(approver, "is_authenticated", False) or approver.pk in (grant.user_id, grant.requested_by_id):
        return False
    return User.objects.filter(owners_q(grant.user), pk=approver.pk).exists()


def pending_for(approver: Any) -> list[DataRightGrant]:
    """The open requests this user may approve (may_approve: the one rule). Open requests are few at any time."""
    if not getattr(approver, "is_authenticated", False) or not approver.is_unit_leader or not approver.is_active:
        return []
    pending = DataRightGrant.objects.filter(approved_at__isnull=True, ended_at__isnull=True).select_related(
        "user", "user__unit", "user__department", "requested_by")
    return [grant for grant in pending if may_approve(approver, grant)]


def right_states(user_ids: list[int], *, prefix: str = "") -> dict[int, dict[str, DataRightGrant]]:
    """user id → {codename: the open grant (pending or active)} for the rights page."""
    now = timezone.now()
    found: dict[int, dict[str, DataRightGrant]] = {}
    for grant in DataRightGrant.objects.filter(user_id__in=user_ids, ended_at__isnull=True, right__startswith=prefix):
        if grant.state(now) in ("pending", "active"):
            found.setdefault(grant.user_id, {})[grant.right.removeprefix(prefix)] = grant
    return found

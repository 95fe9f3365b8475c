"""Who may see or export personal data in the clear. Rights are granted per user by the security admin."""

from typing import Any

from accounts.roles import STAFF_ROLES


def _staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in STAFF_ROLES)


def can_reveal(user: Any) -> bool:
    """May reveal one record's full ID/phone, stating a reason (audit-logged)."""
    return _staff(user) and user.has_perm("people.reveal_personal_data")


def can_export_unmasked(user: Any) -> bool:
    return _staff(user) and user.has_perm("people.export_unmasked")


def can_see_restricted_tags(user: Any) -> bool:
    return _staff(user) and user.has_perm("people.view_restricted_tags")

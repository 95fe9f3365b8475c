"""Writes on accounts: each one function, in a transaction, audited."""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import ApiToken, User, hash_token
from accounts.roles import ADMIN_ROLES, UNIT_ROLE_LEVEL, Role
from places.models import Department, OrgUnit


def check_scope(role: str, unit: OrgUnit | None, department: Department | None) -> None:
    """A role must come with the scope it needs, and with no other."""
    if role in UNIT_ROLE_LEVEL:
        wanted = UNIT_ROLE_LEVEL[Role(role)]
        if unit is None or unit.level != wanted or department is not None:
            raise ValidationError(f"角色「{Role(role).label}」须指定一个{OrgUnit.Level(wanted).label}级单位作为管辖范围。")
    elif role == Role.DEPARTMENT_STAFF:
        if department is None or unit is not None:
            raise ValidationError("部门工作人员须指定所属部门，且不能同时指定区划单位。")
    elif role in ADMIN_ROLES:
        if unit is not None or department is not None:
            raise ValidationError("管理员岗位不关联区划单位或部门。")
    elif role == Role.RESIDENT:
        if department is not None or (unit is not None and unit.level != OrgUnit.Level.VILLAGE):
            raise ValidationError("居民只能关联一个村（社区）。")


@transaction.atomic
def create_user(
    *, actor: User | None, username: str, password: str, role: str, display_name: str = "",
    unit: OrgUnit | None = None, department: Department | None = None,
) -> User:
    if actor is not None and actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("只有安全管理员可以创建账户")
    if User.objects.filter(username=username).exists():
        raise ValidationError("用户名已存在。")
    check_scope(role, unit, department)
    user = User(username=username, role=role, display_name=display_name, unit=unit, department=department)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action="account.create", obj=user, unit_code=unit.code if unit else "",
                 detail={"username": username, "role": role})
    return user


@transaction.atomic
def unlock_user(*, actor: User, user: User) -> User:
    if actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("只有安全管理员可以解锁账户")
    user.failed_logins, user.locked_until = 0, None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit.record(actor=actor, action="account.unlock", obj=user)
    return user


@transaction.atomic
def set_active(*, actor: User, user: User, active: bool) -> User:
    if actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("只有安全管理员可以停用或启用账户")
    if user.pk == actor.pk:
        raise ValidationError("不能停用自己的账户。")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(actor=actor, action="account.activate" if active else "account.deactivate", obj=user)
    return user


@transaction.atomic
def set_elder_mode(*, actor: User, enabled: bool) -> User:
    actor.elder_mode = enabled
    actor.save(update_fields=["elder_mode"])
    audit.record(actor=actor, action="account.elder_mode", obj=actor, detail={"enabled": enabled})
    return actor


@transaction.atomic
def issue_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token; the raw key is returned once and never stored."""
    raw = "sq_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name[:100] or "api", key_hash=hash_token(raw))
    audit.record(actor=actor, action="token.issue", obj=token)
    return token, raw


def user_for_token(raw: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk and actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("不能吊销他人的令牌")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="token.revoke", obj=token)

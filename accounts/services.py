"""Writes on accounts: each one function, in a transaction, audited; every account change tells the auditors."""

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit, rights
from accounts.models import AccountChange, ApiToken, DataRightGrant, User, hash_token
from accounts.roles import ADMIN_ROLES, UNIT_ROLE_LEVEL, Role
from accounts.usernames import clean_username
from places.models import Department, OrgUnit

TWO_PERSON = "须由两名管理员办理：请提交双人操作，由另一名管理员确认。"


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


def _check_leader(role: str, is_unit_leader: bool) -> None:
    if is_unit_leader and role not in UNIT_ROLE_LEVEL and role != Role.DEPARTMENT_STAFF:
        raise ValidationError("只有区划单位或部门的工作人员可以担任单位负责人。")


def tell_auditors(title: str, body: str = "") -> None:
    """Every account change lands in each active auditor's inbox (站内消息)."""
    from web.notify import notify_users

    notify_users(User.objects.filter(role=Role.AUDITOR, is_active=True), title, body,
                 url="/accounts/audit/?action=account", kind="account.change")


def _who(actor: User | None) -> str:
    return actor.username if actor is not None else "系统安装"


def _needs_two(role: str, is_unit_leader: bool) -> bool:
    return role in ADMIN_ROLES or is_unit_leader


def _require_security_admin(actor: User | None, what: str) -> None:
    if actor is not None and actor.role != Role.SECURITY_ADMIN:
        raise PermissionError(f"只有安全管理员可以{what}")


@transaction.atomic
def create_user(
    *, actor: User | None, username: str, password: str, role: str, display_name: str = "",
    unit: OrgUnit | None = None, department: Department | None = None, is_unit_leader: bool = False,
    must_change_password: bool = True,
) -> User:
    """One new account. actor=None is the installation (manage.py); the security administrator alone may not
    create an administrator post or a unit leader (those go through propose_change)."""
    _require_security_admin(actor, "创建账户")
    if actor is not None and _needs_two(role, is_unit_leader):
        raise ValidationError(TWO_PERSON)
    user = _build_user(username=username, role=role, display_name=display_name, unit=unit, department=department,
                       is_unit_leader=is_unit_leader)
    validate_password(password, user)
    user.set_password(password)
    return _save_new_user(user, actor=actor, must_change_password=must_change_password)


def _build_user(*, username: str, role: str, display_name: str, unit: OrgUnit | None,
                department: Department | None, is_unit_leader: bool) -> User:
    username = clean_username(username)
    if User.objects.filter(username=username).exists():
        raise ValidationError("用户名已存在。")
    check_scope(role, unit, department)
    _check_leader(role, is_unit_leader)
    return User(username=username, role=role, display_name=display_name, unit=unit, department=department,
                is_unit_leader=is_unit_leader)


def _save_new_user(user: User, *, actor: User | None, must_change_password: bool, confirmed_by: User | None = None) -> User:
    user.must_change_password = must_change_password
    user.save()
    detail: dict[str, Any] = {"username": user.username, "role": user.role, "is_unit_leader": user.is_unit_leader}
    if confirmed_by is not None:
        detail["confirmed_by"] = confirmed_by.username
    audit.record(actor=actor, action="account.create", obj=user, unit_code=user.unit_id or "", detail=detail)
    tell_auditors(f"账户变更：新建账户 {user.username}（{user.get_role_display()}）",
                  f"由 {_who(actor)} 创建" + (f"，{confirmed_by.username} 确认" if confirmed_by else "") + "。")
    return user


@transaction.atomic
def unlock_user(*, actor: User, user: User) -> User:
    if actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("只有安全管理员可以解锁账户")
    user.failed_logins, user.locked_until = 0, None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit.record(actor=actor, action="account.unlock", obj=user)
    tell_auditors(f"账户变更：解锁账户 {user.username}", f"由 {actor.username} 解锁。")
    return user


@transaction.atomic
def set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate or activate an account; an administrator post only with a second administrator (propose_change)."""
    if actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("只有安全管理员可以停用或启用账户")
    if user.role in ADMIN_ROLES:
        raise ValidationError(TWO_PERSON)
    return _set_active(actor=actor, user=user, active=active)


def _set_active(*, actor: User, user: User, active: bool, confirmed_by: User | None = None) -> User:
    if user.pk == actor.pk:
        raise ValidationError("不能停用自己的账户。")
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        _revoke_all_tokens(user, reason="deactivated")
    detail = {"confirmed_by": confirmed_by.username} if confirmed_by else {}
    audit.record(actor=actor, action="account.activate" if active else "account.deactivate", obj=user, detail=detail)
    tell_auditors(f"账户变更：{'启用' if active else '停用'}账户 {user.username}",
                  f"由 {actor.username} 办理" + (f"，{confirmed_by.username} 确认" if confirmed_by else "") + "。")
    return user


# ---------------------------------------------------------------- two-administrator changes (双人操作)

@transaction.atomic
def propose_change(*, actor: User, kind: str, target: User | None = None, username: str = "", password: str = "",
                   role: str = "", display_name: str = "", unit: OrgUnit | None = None,
                   department: Department | None = None, is_unit_leader: bool = False) -> AccountChange:
    """The first signature of a change that needs two administrators; nothing changes until another confirms."""
    if actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("只有安全管理员可以提交账户变更")
    change = AccountChange(kind=kind, target=target, proposed_by=actor)
    if kind == AccountChange.Kind.CREATE:
        user = _build_user(username=username, role=role, display_name=display_name, unit=unit, department=department,
                           is_unit_leader=is_unit_leader)
        validate_password(password, user)
        change.password_hash = make_password(password)
        change.payload = {"username": user.username, "role": role, "display_name": display_name,
                          "unit_code": unit.code if unit else None, "department_id": department.pk if department else None,
                          "is_unit_leader": is_unit_leader}
    elif target is None:
        raise ValidationError("请指定账户。")
    elif kind in (AccountChange.Kind.LEADER, AccountChange.Kind.UNLEADER):
        _check_leader(target.role, kind == AccountChange.Kind.LEADER)
    elif kind not in (AccountChange.Kind.DEACTIVATE, AccountChange.Kind.ACTIVATE):
        raise ValidationError("未知的操作。")
    elif target.pk == actor.pk:
        raise ValidationError("不能停用自己的账户。")
    change.save()
    audit.record(actor=actor, action="account.change_proposed", obj=change,
                 detail={"kind": kind, "target": change.describe()})
    tell_auditors(f"账户变更待确认：{change.describe()}", f"由 {actor.username} 提交，须另一名管理员确认。")
    return change


def may_decide(actor: Any, change: AccountChange) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active and actor.pk != change.proposed_by_id
                and actor.role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN) and change.decided_at is None
                and (change.target_id is None or change.target_id != actor.pk))


@transaction.atomic
def decide_change(*, actor: User, change: AccountChange, confirm: bool) -> AccountChange:
    """The second signature: another system or security administrator confirms (the change happens) or refuses."""
    change = AccountChange.objects.select_for_update().get(pk=change.pk)
    if not may_decide(actor, change):
        raise PermissionError("须由提交人以外的另一名系统管理员或安全管理员确认")
    change.decided_by, change.decided_at, change.confirmed = actor, timezone.now(), confirm
    change.save(update_fields=["decided_by", "decided_at", "confirmed"])
    audit.record(actor=actor, action="account.change_confirmed" if confirm else "account.change_refused", obj=change,
                 detail={"kind": change.kind, "target": change.describe(), "proposed_by": change.proposed_by.username})
    if not confirm:
        tell_auditors(f"账户变更被驳回：{change.describe()}", f"{actor.username} 驳回了 {change.proposed_by.username} 的提交。")
        return change
    proposer = change.proposed_by
    if change.kind == AccountChange.Kind.CREATE:
        data = change.payload
        user = _build_user(username=data["username"], role=data["role"], display_name=data["display_name"],
                           unit=OrgUnit.objects.filter(code=data["unit_code"]).first() if data["unit_code"] else None,
                           department=Department.objects.filter(pk=data["department_id"]).first() if data["department_id"] else None,
                           is_unit_leader=data["is_unit_leader"])
        user.password = change.password_hash
        _save_new_user(user, actor=proposer, must_change_password=True, confirmed_by=actor)
    elif change.kind in (AccountChange.Kind.DEACTIVATE, AccountChange.Kind.ACTIVATE):
        assert change.target is not None
        _set_active(actor=proposer, user=change.target, active=change.kind == AccountChange.Kind.ACTIVATE, confirmed_by=actor)
    else:
        target = change.target
        assert target is not None
        target.is_unit_leader = change.kind == AccountChange.Kind.LEADER
        target.save(update_fields=["is_unit_leader"])
        audit.record(actor=proposer, action="account.leader" if target.is_unit_leader else "account.unleader", obj=target,
                     detail={"confirmed_by": actor.username})
        tell_auditors(f"账户变更：{change.describe()}", f"由 {proposer.username} 提交，{actor.username} 确认。")
    return change


# ---------------------------------------------------------------- passwords

@transaction.atomic
def change_password(*, actor: User, old_password: str, new_password: str) -> User:
    """The user sets their own password; every API token they hold dies with the old one."""
    if not actor.check_password(old_password):
        raise ValidationError("当前密码不正确。")
    if old_password == new_password:
        raise ValidationError("新密码不能与当前密码相同。")
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.must_change_password = False
    actor.save(update_fields=["password", "must_change_password"])
    _revoke_all_tokens(actor, reason="password_changed")
    audit.record(actor=actor, action="account.password_change", obj=actor, unit_code=actor.unit_id or "")
    tell_auditors(f"账户变更：{actor.username} 修改了密码")
    return actor


@transaction.atomic
def set_elder_mode(*, actor: User, enabled: bool) -> User:
    actor.elder_mode = enabled
    actor.save(update_fields=["elder_mode"])
    audit.record(actor=actor, action="account.elder_mode", obj=actor, detail={"enabled": enabled})
    return actor


# ---------------------------------------------------------------- data rights (数据权限, see accounts.rights)

def _right_label(right: str) -> str:
    if right not in rights.DATA_RIGHTS:
        raise ValidationError("未知的权限")
    return rights.DATA_RIGHTS[right]


@transaction.atomic
def request_right(*, actor: User, user: User, right: str) -> DataRightGrant | None:
    """The security administrator asks for a data right; it holds only once the scope's owner approves."""
    _require_security_admin(actor, "申请授权")
    if actor is None:
        raise PermissionError("只有安全管理员可以申请授权")
    label = _right_label(right)
    if user.role not in UNIT_ROLE_LEVEL and user.role != Role.DEPARTMENT_STAFF:
        raise ValidationError("只能授权给工作人员账户")
    open_rows = DataRightGrant.objects.filter(user=user, right=right, ended_at__isnull=True)
    if any(g.state() in ("pending", "active") for g in open_rows):
        return None
    if not User.objects.filter(rights.owners_q(user)).exists():
        raise ValidationError(f"{user.username} 所在单位及上一级单位没有单位负责人账户，无法审批授权。")
    grant = DataRightGrant.objects.create(user=user, right=right, requested_by=actor)
    audit.record(actor=actor, action="account.right_request", obj=user, unit_code=user.unit_id or "",
                 detail={"right": right, "user": user.username, "grant": grant.pk})
    tell_auditors(f"账户变更：为 {user.username} 申请「{label}」", f"由 {actor.username} 申请，待单位负责人批准。")
    return grant


@transaction.atomic
def approve_right(*, actor: User, grant: DataRightGrant, approve: bool = True) -> DataRightGrant:
    """The business owner of the grantee's scope approves (the right holds for DATA_RIGHT_DAYS) or refuses."""
    grant = DataRightGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.state() != "pending":
        raise ValidationError("该申请已处理。")
    if not rights.may_approve(actor, grant):
        raise PermissionError("只有被授权人所在单位或上一级单位的负责人可以审批")
    now = timezone.now()
    if approve:
        grant.approved_by, grant.approved_at = actor, now
        grant.expires_at = now + timedelta(days=rights.grant_days())
    else:
        grant.ended_by, grant.ended_at = actor, now
    grant.save(update_fields=["approved_by", "approved_at", "expires_at", "ended_by", "ended_at"])
    label = rights.DATA_RIGHTS[grant.right]
    audit.record(actor=actor, action="account.right_grant" if approve else "account.right_refuse", obj=grant.user,
                 unit_code=grant.user.unit_id or "",
                 detail={"right": grant.right, "user": grant.user.username, "grant": grant.pk,
                         "expires_at": grant.expires_at.isoformat() if grant.expires_at else None})
    tell_auditors(f"账户变更：{grant.user.username} 的「{label}」{'已批准' if approve else '被驳回'}",
                  f"由 {actor.username} 审批" + (f"，有效至 {timezone.localtime(grant.expires_at):%Y-%m-%d %H:%M}。"
                                                 if grant.expires_at else "。"))
    return grant


@transaction.atomic
def revoke_right(*, actor: User, user: User, right: str) -> int:
    """Withdraw a data right (or its open request) at once; withdrawing needs no second person."""
    _require_security_admin(actor, "收回授权")
    label = _right_label(right)
    now = timezone.now()
    ended = DataRightGrant.objects.filter(user=user, right=right, ended_at__isnull=True).update(ended_by=actor, ended_at=now)
    if ended:
        audit.record(actor=actor, action="account.right_revoke", obj=user, unit_code=user.unit_id or "",
                     detail={"right": right, "user": user.username})
        tell_auditors(f"账户变更：收回 {user.username} 的「{label}」", f"由 {actor.username} 收回。")
    return ended


# ---------------------------------------------------------------- API tokens

@transaction.atomic
def issue_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token; the raw key is returned once and never stored."""
    if actor.must_change_password:
        raise PermissionError("请先登录网页修改初始密码")
    raw = "sq_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name[:100] or "api", key_hash=hash_token(raw))
    audit.record(actor=actor, action="token.issue", obj=token, detail={"name": token.name})
    return token, raw


def user_for_token(raw: str, *, path: str = "", method: str = "") -> tuple[User, ApiToken] | None:
    """The live token's owner. The first use, and then one use every API_TOKEN_AUDIT_MINUTES, is audit-logged."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw), revoked_at__isnull=True).first()
    now = timezone.now()
    if token is None or not token.user.is_active or token.user.must_change_password or not token.is_live(now):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    quiet = timedelta(minutes=settings.API_TOKEN_AUDIT_MINUTES)
    if token.audited_at is None or now - token.audited_at >= quiet:
        # Only one of two concurrent first uses writes the row.
        if ApiToken.objects.filter(pk=token.pk, audited_at=token.audited_at).update(audited_at=now):
            audit.record(actor=token.user, action="token.use", obj=token, unit_code=token.user.unit_id or "",
                         detail={"token": token.pk, "name": token.name, "method": method, "path": path[:200]})
    return token.user, token


def live_tokens(user: User) -> Any:
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.live().filter(user=user)


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk and actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("不能吊销他人的令牌")
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="token.revoke", obj=token, detail={"owner": token.user.username})
    if token.user_id != actor.pk:
        tell_auditors(f"账户变更：吊销 {token.user.username} 的 API 令牌「{token.name}」", f"由 {actor.username} 吊销。")


def _revoke_all_tokens(user: User, *, reason: str) -> None:
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit.record(actor=None, username=user.username, action="token.revoke_all", obj=user,
                     detail={"reason": reason, "count": revoked})

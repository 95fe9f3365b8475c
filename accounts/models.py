"""Users with a role and a scope, API tokens, and the append-only audit log."""

import hashlib
from datetime import timedelta
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from accounts.roles import Role


class User(AbstractUser):
    """A person who signs in: a resident, a worker at some level, or an administrator."""

    role = models.CharField("角色", max_length=30, choices=Role.choices, default=Role.RESIDENT)
    unit = models.ForeignKey(
        "places.OrgUnit", to_field="code", db_column="unit_code", null=True, blank=True,
        on_delete=models.PROTECT, related_name="users", verbose_name="所属单位",
    )
    department = models.ForeignKey(
        "places.Department", null=True, blank=True, on_delete=models.PROTECT,
        related_name="users", verbose_name="所属部门",
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    elder_mode = models.BooleanField("长辈模式", default=False)
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    # 单位负责人: the business owner of the unit's (or department's) data; approves data rights for its staff.
    is_unit_leader = models.BooleanField("单位负责人", default=False)
    # A new account signs in with the password someone else chose; it must set its own first.
    must_change_password = models.BooleanField("须修改初始密码", default=False)

    class Meta:
        verbose_name = "用户"
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=[r for r, _ in Role.choices]), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def is_locked(self, now: Any = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self, now: Any = None) -> "ApiTokenQuerySet":
        """Tokens neither revoked nor past their idle or absolute end (the same rule as ApiToken.is_live)."""
        from django.conf import settings

        now = now or timezone.now()
        idle_since = now - timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS)
        used = models.Q(last_used_at__gt=idle_since) | models.Q(last_used_at__isnull=True, created_at__gt=idle_since)
        return self.filter(used, revoked_at__isnull=True, created_at__gt=now - timedelta(days=settings.API_TOKEN_MAX_DAYS))


class ApiToken(models.Model):
    """A bearer token for API clients; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When the current use was last written to the audit log (at most once per API_TOKEN_AUDIT_MINUTES).
    audited_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API 令牌"
        ordering = ["-created_at", "-id"]

    def expires_at(self) -> Any:
        """The earlier of the idle and the absolute end; a token used after it is dead."""
        from django.conf import settings

        idle_end = (self.last_used_at or self.created_at) + timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS)
        return min(idle_end, self.created_at + timedelta(days=settings.API_TOKEN_MAX_DAYS))

    def is_live(self, now: Any = None) -> bool:
        return self.revoked_at is None and self.expires_at() > (now or timezone.now())


class DataRightGrant(models.Model):
    """数据权限授权 — one data right (reveal, unmasked export, restricted tags) for one user.

    The security administrator asks; the business owner of the grantee's scope (a unit leader,
    accounts.rights.may_approve) approves; the right then holds until expires_at.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_rights")
    right = models.CharField("权限", max_length=80)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField("撤销或驳回时间", null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "数据权限授权"
        indexes = [models.Index(fields=["user", "right"], name="data_right_user")]

    def state(self, now: Any = None) -> str:
        if self.ended_at is not None:
            return "ended"
        if self.approved_at is None:
            return "pending"
        return "active" if self.expires_at and self.expires_at > (now or timezone.now()) else "expired"


class AccountChange(models.Model):
    """双人操作 — an account change one administrator proposes and a second one confirms.

    Used for the administrator posts (creating, deactivating or activating a system administrator,
    security administrator or auditor) and for designating a unit leader.
    """

    class Kind(models.TextChoices):
        CREATE = "create", "创建账户"
        DEACTIVATE = "deactivate", "停用账户"
        ACTIVATE = "activate", "启用账户"
        LEADER = "leader", "设为单位负责人"
        UNLEADER = "unleader", "取消单位负责人"

    kind = models.CharField("操作", max_length=20, choices=Kind.choices)
    target = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # For CREATE: username, role, display_name, unit_code, department_id, is_unit_leader (never the password).
    payload = models.JSONField(default=dict, blank=True)
    password_hash = models.CharField(max_length=128, blank=True)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    confirmed = models.BooleanField(null=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = "双人操作"
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["create", "deactivate", "activate", "leader", "unleader"]),
                                   name="account_change_kind_valid"),
        ]

    def describe(self) -> str:
        if self.kind == self.Kind.CREATE:
            role = self.payload.get("role", "")
            label = Role(role).label if role in Role.values else role
            return f"{self.get_kind_display()} {self.payload.get('username', '')}（{label}）"
        return f"{self.get_kind_display()} {self.target.username if self.target else ''}"


M = TypeVar("M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[M]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("审计日志不可修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计日志不可删除")


class AppendOnlyModel(models.Model):
    """A row written once: the ORM refuses to change or delete it (the database's triggers refuse it too)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name}不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self._meta.verbose_name}不可删除")


class AuditEntry(AppendOnlyModel):
    """审计日志 — who did what, when, from where. Append-only (also enforced by DB triggers)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    unit_code = models.CharField(max_length=12, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet["AuditEntry"].as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计日志"


class AuditSeal(AppendOnlyModel):
    """审计封存 — a keyed hash chain over the audit rows, written by the periodic `seal_audit` job (accounts.seal).

    Seal k covers the audit rows with first_entry_id ≤ id ≤ last_entry_id: `chain` is the running HMAC over
    them in id order, starting from seal k−1's chain (`previous`). A row deleted, changed or slipped in later
    makes `verify_audit` disagree. Append-only like the log itself.
    """

    sealed_at = models.DateTimeField(default=timezone.now)
    first_entry_id = models.BigIntegerField()
    last_entry_id = models.BigIntegerField(unique=True)
    rows = models.PositiveIntegerField()
    previous = models.CharField(max_length=64)
    chain = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet["AuditSeal"].as_manager()

    class Meta:
        ordering = ["last_entry_id"]
        verbose_name = "审计封存"


class AuditArchiveEntry(AppendOnlyModel):
    """审计归档 — audit rows older than the online retention, moved here by `manage.py archive_audit` (accounts.archive)
    with their id and values unchanged, so the seal chain (accounts.seal) still verifies them and the auditor still
    searches them (/accounts/audit/?archive=1). Append-only like the log; nothing is ever deleted from it."""

    id = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    unit_code = models.CharField(max_length=12, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    archived_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet["AuditArchiveEntry"].as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计归档"

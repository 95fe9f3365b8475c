"""Department datasets (数据集), their versioned deliveries (批次) and the facts they land (事实).

One Fact table for all datasets: each row is one unit's value of one dataset from one batch,
dated by ``as_of`` (the day it is true on), its fields in ``values`` as validated by the
dataset's Spec (exchange/datasets.py). Only what a batch changes is written: a unit added or
changed gets a row with its values, a unit the batch no longer lists gets a row with
``removed=True``. A unit's value on a day is its latest row dated on or before that day.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.roles import Role
from accounts.scoping import NOTHING, ScopedQuerySet
from exchange.datasets import SPECS, Spec


class Frequency(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


def department_q(user: Any, field: str = "department") -> Q:
    """Rows of the user's own department (department staff only)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.role != Role.DEPARTMENT_STAFF or not user.department_id:
        return NOTHING
    return Q(**{f"{field}_id": user.department_id})


class DatasetQuerySet(models.QuerySet["Dataset"]):
    def visible_to(self, user: Any) -> "DatasetQuerySet":
        return self.filter(department_q(user))


class Dataset(models.Model):
    """数据集 — a dataset a department delivers; its schema is the Spec of the same code."""

    code = models.SlugField("数据集代码", max_length=40, unique=True, choices=[(c, s.name) for c, s in SPECS.items()])
    name = models.CharField("名称", max_length=100)
    department = models.ForeignKey("places.Department", on_delete=models.PROTECT, related_name="datasets",
                                   verbose_name="提供部门")
    frequency = models.CharField("更新频率", max_length=10, choices=Frequency.choices)
    # 职责范围: empty = the whole city; a county-level bureau's dataset is limited to its county.
    remit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="remit_code", on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+", verbose_name="职责范围")

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "数据集"
        constraints = [models.CheckConstraint(condition=Q(frequency__in=["month", "quarter", "year"]),
                                              name="dataset_frequency_valid")]

    def __str__(self) -> str:
        return self.name

    @property
    def spec(self) -> Spec:
        return SPECS[self.code]


class BatchQuerySet(models.QuerySet["Batch"]):
    def visible_to(self, user: Any) -> "BatchQuerySet":
        return self.filter(department_q(user, "dataset__department"))


class Batch(models.Model):
    """批次 — one delivery of a dataset: validated whole, landed whole or rejected whole."""

    class Status(models.TextChoices):
        LANDED = "landed", "已入库"
        REJECTED = "rejected", "已拒收"

    class Channel(models.TextChoices):
        UPLOAD = "upload", "页面上传"
        API = "api", "接口推送"
        COMMAND = "command", "命令导入"

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="batches", verbose_name="数据集")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name="报送人")
    sent_at = models.DateTimeField("报送时间", auto_now_add=True)
    channel = models.CharField("方式", max_length=10, choices=Channel.choices)
    source_name = models.CharField("来源文件", max_length=200, blank=True)
    row_count = models.PositiveIntegerField("行数", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    added = models.PositiveIntegerField("新增", default=0)
    changed = models.PositiveIntegerField("变更", default=0)
    removed = models.PositiveIntegerField("删除", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    # {"added": [unit codes], "changed": [...], "removed": [...]}; for a rejected batch, errors instead.
    diff = models.JSONField("差异", default=dict, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "批次"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["landed", "rejected"]), name="batch_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=["upload", "api", "command"]), name="batch_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} #{self.pk}"


class FactQuerySet(ScopedQuerySet["Fact"]):
    pass


class Fact(models.Model):
    """事实 — one unit's value of a dataset, true from ``as_of`` until a later row of the unit."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="facts")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="facts")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+")
    as_of = models.DateField("统计日期")
    values = models.JSONField("取值", default=dict)
    removed = models.BooleanField("已删除", default=False)

    objects = FactQuerySet.as_manager()

    class Meta:
        ordering = ["dataset_id", "unit_id", "as_of", "batch_id"]
        verbose_name = "事实"
        indexes = [models.Index(fields=["dataset", "unit", "as_of"], name="fact_dataset_unit_asof")]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.unit_id} {self.as_of}"


# ---------------------------------------------------------------- sharing with departments (数据共享)


class AgreementQuerySet(models.QuerySet["SharingAgreement"]):
    def visible_to(self, user: Any) -> "AgreementQuerySet":
        """The requesting department's staff, and the approver's (市民政局)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active or user.role != Role.DEPARTMENT_STAFF \
                or not user.department_id:
            return self.none()
        if user.department.code == APPROVER_DEPARTMENT:
            return self.all()
        return self.filter(department_id=user.department_id)

    def usable_by(self, user: Any) -> "AgreementQuerySet":
        """The agreements whose data the user may read: the requesting department's (the approver reads none)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active or user.role != Role.DEPARTMENT_STAFF:
            return self.none()
        return self.filter(department_id=user.department_id)


APPROVER_DEPARTMENT = "civil_affairs"


class SharingAgreement(models.Model):
    """数据共享协议 — a department's access to a shared dataset of the register, approved by 市民政局."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"
        REVOKED = "revoked", "已撤销"

    department = models.ForeignKey("places.Department", on_delete=models.PROTECT, related_name="agreements",
                                   verbose_name="申请部门")
    dataset = models.CharField("共享数据集", max_length=40)
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="范围")
    purpose = models.CharField("用途", max_length=200)
    legal_basis = models.CharField("法律依据", max_length=200)
    # Fields served unmasked, each with its justification: {field: why}. Everything else is masked.
    unmasked = models.JSONField("非脱敏字段及理由", default=dict, blank=True)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "数据共享协议"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["requested", "approved", "rejected", "revoked"]),
                                   name="agreement_status_valid"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.dataset}"


class AgreementAccess(models.Model):
    """共享访问记录 — one read of an agreement's data: who, when, which page, how many rows."""

    agreement = models.ForeignKey(SharingAgreement, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField()
    page = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "共享访问记录"

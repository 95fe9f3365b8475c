"""The plan as data, its ledger (工作台账), and the indicator values measured against its targets."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.roles import Role
from accounts.scoping import ScopedQuerySet, scope_q

# §五(四): the civil-affairs bureau and the development-reform commission lead monitoring and evaluation.
MONITORING_LEADS = ("civil_affairs", "development_reform")


def is_monitoring_lead(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.DEPARTMENT_STAFF
        and user.department_id and user.department.code in MONITORING_LEADS
    )


class ReportPeriod(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    HALF = "half", "半年"
    YEAR = "year", "年度"


class PlanTask(models.Model):
    """附件1 任务分解表 — one of the 78 tasks."""

    number = models.PositiveSmallIntegerField("序号", unique=True)
    theme = models.CharField("主题", max_length=200)
    heading = models.CharField("任务", max_length=200)
    content = models.TextField("具体工作内容")
    target_text = models.CharField("工作目标", max_length=200)
    lead_names = models.JSONField("牵头单位", default=list)
    responsible_names = models.JSONField("责任单位", default=list)
    responsible_open_ended = models.BooleanField("责任单位含“等”", default=False)
    lead_departments = models.ManyToManyField("places.Department", related_name="plan_tasks_led", blank=True)
    responsible_departments = models.ManyToManyField("places.Department", related_name="plan_tasks_shared", blank=True)
    report_period = models.CharField("报送周期", max_length=10, choices=ReportPeriod.choices, default=ReportPeriod.QUARTER)

    class Meta:
        ordering = ["number"]
        verbose_name = "规划任务"
        constraints = [
            models.CheckConstraint(condition=Q(report_period__in=ReportPeriod.values), name="plantask_report_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.heading}"


class SpecialAction(models.Model):
    """附件2 专项行动 — one row (action, requirement, content, target, leads)."""

    number = models.PositiveSmallIntegerField("序号", unique=True)
    action = models.CharField("专项行动", max_length=200)
    requirement = models.CharField("具体要求", max_length=200)
    content = models.TextField("工作内容")
    target_text = models.CharField("工作目标", max_length=300)
    lead_names = models.JSONField("牵头单位", default=list)
    lead_departments = models.ManyToManyField("places.Department", related_name="special_actions_led", blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = "专项行动"

    def __str__(self) -> str:
        return f"{self.number}. {self.requirement}"


class MainIndicator(models.Model):
    """§三 主要指标 — the seven printed rows with their printed baseline and target."""

    order = models.PositiveSmallIntegerField(unique=True)
    code = models.CharField(max_length=60, unique=True)
    name = models.CharField("指标", max_length=200)
    baseline_text = models.CharField("2020年", max_length=40)
    target_text = models.CharField("2025年", max_length=40)
    property = models.CharField("属性", max_length=20)

    class Meta:
        ordering = ["order"]
        verbose_name = "主要指标"


class Indicator(models.Model):
    """指标 — one quantitative target of the plan, measured as numerator / denominator."""

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", "不低于"
        AT_MOST = "at_most", "不高于"
        RANGE = "range", "区间"

    class PeriodType(models.TextChoices):
        YEAR = "year", "年"
        QUARTER = "quarter", "季"
        MONTH = "month", "月"

    code = models.CharField("代码", max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField("名称", max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    section = models.CharField("出处", max_length=40)
    also_in = models.JSONField(default=list)
    unit = models.CharField("计量单位", max_length=30)
    period_type = models.CharField("周期", max_length=10, choices=PeriodType.choices)
    baseline_2020 = models.FloatField("2020年基数", null=True, blank=True)
    target = models.FloatField("目标值")
    target_max = models.FloatField("目标上限", null=True, blank=True)
    target_year = models.PositiveSmallIntegerField("目标年份", default=2025)
    target_text = models.CharField("目标表述", max_length=300)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices)
    source_module = models.CharField("数据来源模块", max_length=30)
    numerator = models.TextField("分子", blank=True)
    denominator = models.TextField("分母", blank=True)
    level = models.CharField("统计口径", max_length=60)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = "指标"
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=["at_least", "at_most", "range"]), name="indicator_direction_valid"),
            models.CheckConstraint(condition=Q(period_type__in=["year", "quarter", "month"]), name="indicator_period_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_rate(self) -> bool:
        return self.unit == "ratio"


# ---------------------------------------------------------------- ledger


class AssignmentQuerySet(ScopedQuerySet["Assignment"]):
    def visible_to(self, user: Any) -> "AssignmentQuerySet":
        q = scope_q(user)
        if getattr(user, "is_authenticated", False) and user.is_active:
            if user.role == Role.CITY_STAFF and user.unit_id:
                q |= Q(unit__isnull=True)
            if user.role == Role.DEPARTMENT_STAFF and user.department_id:
                q |= Q(department_id=user.department_id)
        return self.filter(q)


class Assignment(models.Model):
    """年度任务清单 — one task assigned for one year to a department or a county-level unit."""

    class Role(models.TextChoices):
        LEAD = "lead", "牵头单位"
        RESPONSIBLE = "responsible", "责任单位"
        COUNTY = "county", "县级单位"

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="assignments")
    year = models.PositiveSmallIntegerField("年度")
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    department = models.ForeignKey("places.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="plan_assignments")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="plan_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["year", "task__number", "role", "department_id", "unit_id"]
        verbose_name = "任务分配"
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["lead", "responsible", "county"]), name="assignment_role_valid"),
            models.CheckConstraint(
                condition=(Q(department__isnull=False, unit__isnull=True) | Q(department__isnull=True, unit__isnull=False)),
                name="assignment_department_xor_unit",
            ),
            models.UniqueConstraint(fields=["task", "year", "department"], condition=Q(department__isnull=False), name="one_assignment_per_department"),
            models.UniqueConstraint(fields=["task", "year", "unit"], condition=Q(unit__isnull=False), name="one_assignment_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.year} #{self.task.number} {self.assignee_name}"

    @property
    def assignee_name(self) -> str:
        if self.department is not None:
            return str(self.department.name)
        return str(self.unit.name) if self.unit is not None else ""


class ProgressReportQuerySet(ScopedQuerySet["ProgressReport"]):
    def visible_to(self, user: Any) -> "ProgressReportQuerySet":
        visible = Assignment.objects.visible_to(user).values("pk")
        q = Q(assignment__in=visible)
        if is_monitoring_lead(user):
            q |= ~Q(state=ProgressReport.State.DRAFT)
        return self.filter(q)


class ProgressReport(models.Model):
    """进展报告 — what an assignee reports for one period; reviewed by the monitoring leads."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送"
        ACCEPTED = "accepted", "已通过"
        RETURNED = "returned", "已退回"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField("报送期", max_length=10)
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    narrative = models.TextField("工作进展")
    percent = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    milestones = models.TextField("已完成节点", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["assignment_id", "period"]
        verbose_name = "进展报告"
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["draft", "submitted", "accepted", "returned"]), name="progressreport_state_valid"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="progressreport_percent_valid"),
            models.UniqueConstraint(fields=["assignment", "period"], name="one_report_per_assignment_period"),
        ]


class Evidence(models.Model):
    """佐证材料 — a file attached to a progress report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="planning/evidence/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class LedgerNotice(models.Model):
    """A reminder before a report deadline or an escalation after it, sent once per assignment and period."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "到期提醒"
        ESCALATION = "escalation", "逾期督办"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notices")
    period = models.CharField(max_length=10)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["reminder", "escalation"]), name="ledgernotice_kind_valid"),
            models.UniqueConstraint(fields=["assignment", "period", "kind"], name="one_notice_per_assignment_period_kind"),
        ]


# ---------------------------------------------------------------- indicator values


class ManualValueQuerySet(ScopedQuerySet["ManualValue"]):
    pass


class ManualValue(models.Model):
    """填报值 — a value entered by hand, with its source. Every entry is kept; the latest one counts."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="manual_values")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT, related_name="+")
    period = models.CharField("期间", max_length=10)
    numerator = models.FloatField("分子")
    denominator = models.FloatField("分母")
    source = models.CharField("数据来源", max_length=200)
    source_date = models.DateField("数据日期")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    objects = ManualValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator_id", "unit_id", "period", "-entered_at", "-id"]
        verbose_name = "填报值"
        indexes = [models.Index(fields=["indicator", "period", "unit"])]
        constraints = [models.CheckConstraint(condition=Q(denominator__gt=0), name="manualvalue_denominator_positive")]

    @property
    def value(self) -> float:
        return self.numerator / self.denominator


class IndicatorValue(models.Model):
    """Cached value of one indicator for one unit and period (kept fresh incrementally)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    unit_code = models.CharField(max_length=12)
    period = models.CharField(max_length=10)
    numerator = models.FloatField()
    denominator = models.FloatField()
    source = models.CharField(max_length=10)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "period", "unit_code"], name="one_cached_value")]


class DirtyUnit(models.Model):
    """A unit whose values must be recomputed (fed by invalidate() and by the audit log)."""

    unit_code = models.CharField(max_length=12)
    indicator_code = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit_code", "indicator_code"], name="one_dirty_row")]


class AuditCursor(models.Model):
    """How far the audit-log feed has been read."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)


class Snapshot(models.Model):
    """期末快照 — a period-end value, frozen. A later recomputation that differs adds a correction (revision + 1)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="snapshots")
    unit_code = models.CharField(max_length=12)
    period = models.CharField(max_length=10)
    revision = models.PositiveSmallIntegerField(default=1)
    numerator = models.FloatField()
    denominator = models.FloatField()
    source = models.CharField(max_length=10)
    frozen_at = models.DateTimeField()

    class Meta:
        ordering = ["indicator_id", "period", "unit_code", "revision"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period", "unit_code", "revision"], name="one_snapshot_revision")]

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None



class CachedPeriod(models.Model):
    """Marks that the cached values of one indicator for one period are complete, and since when."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    computed_at = models.DateTimeField()
    source = models.CharField(max_length=10)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="one_cached_period")]

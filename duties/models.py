"""减负增效 and 一站通办 (issue 23): the work-item admission list, tasks pushed to communities, admission requests,
the seal and certificate lists, certificates issued, the public service catalogue, proxy cases and the one assessment.

Who sees what: a task or a proxy case belongs to its community (the unit chain sees it) and, once addressed to a
department, to that department's staff; an admission request to the department that filed it and the city reviewers;
a certificate request to its community and the resident who asked. The lists and the catalogue are published data.
"""

from typing import Any

from django.db import models
from django.db.models import Q

from accounts.scoping import NOTHING, ScopedQuerySet, scope_prefix, scope_q

# The city bodies that publish the list and review admission requests (民政局 with 组织部).
REVIEWER_DEPARTMENTS = ("civil_affairs", "org_dept")


def is_reviewer(user: Any) -> bool:
    """City staff, or staff of 市民政局 / 市委组织部."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role == "city_staff" and scope_prefix(user) is not None:
        return True
    return bool(user.role == "department_staff" and user.department_id
                and user.department.code in REVIEWER_DEPARTMENTS)


def _department_id(user: Any) -> int | None:
    if getattr(user, "is_authenticated", False) and user.is_active and user.role == "department_staff":
        return user.department_id
    return None


# ---------------------------------------------------------------- 社区工作事项清单

class ListVersion(models.Model):
    """One published version of the list: every item as of that version; old versions stay readable."""

    number = models.PositiveIntegerField("版本号", unique=True)
    effective_on = models.DateField("生效日期")
    reason = models.CharField("调整原因", max_length=300)
    published_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="发布人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "社区工作事项清单版本"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"第{self.number}版（{self.effective_on}）"


class ItemKind(models.TextChoices):
    STATUTORY = "statutory", "依法履职事项"
    ASSIST = "assist", "协助政府事项"
    NEGATIVE = "negative", "负面清单事项"


class WorkItem(models.Model):
    """清单事项 — one item of one version of the list."""

    version = models.ForeignKey(ListVersion, on_delete=models.PROTECT, related_name="items", verbose_name="版本")
    code = models.CharField("事项编码", max_length=20)
    name = models.CharField("事项名称", max_length=100)
    kind = models.CharField("类别", max_length=20, choices=ItemKind.choices)
    department = models.ForeignKey("places.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="work_items", verbose_name="责任部门")
    funding = models.CharField("经费保障", max_length=200, blank=True, help_text="协助政府事项必填：部门提供的经费")
    conditions = models.CharField("工作条件", max_length=200, blank=True)
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "社区工作事项"
        ordering = ["version_id", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="duties_item_code_once_per_version"),
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="duties_item_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TaskKind(models.TextChoices):
    COLLECTION = "collection", "数据采集"
    CAMPAIGN = "campaign", "专项活动"
    INSPECTION = "inspection", "检查"
    FORM = "form", "填报表格"
    OTHER = "other", "其他"


class AdmissionQuerySet(models.QuerySet["AdmissionRequest"]):
    def visible_to(self, user: Any) -> "AdmissionQuerySet":
        """The city reviewers see every request; a department's staff their department's own."""
        if is_reviewer(user):
            return self.all()
        department = _department_id(user)
        if department:
            return self.filter(department_id=department)
        return self.filter(NOTHING)


class AdmissionRequest(models.Model):
    """准入申请 — a department asks the city to admit a task the list does not cover."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "准予（附条件）"
        REJECTED = "rejected", "不予准入"

    department = models.ForeignKey("places.Department", on_delete=models.PROTECT, related_name="admission_requests",
                                   verbose_name="申请部门")
    title = models.CharField("任务名称", max_length=100)
    kind = models.CharField("任务类型", max_length=20, choices=TaskKind.choices)
    reason = models.TextField("申请理由")
    funding = models.CharField("经费保障", max_length=200)
    hours_per_community = models.DecimalField("每个社区预计工时（小时）", max_digits=7, decimal_places=1)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    conditions = models.CharField("准入条件", max_length=300, blank=True)
    review_reason = models.CharField("审核意见", max_length=300, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    filed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="申请人")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AdmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "准入申请"
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "approved", "rejected"]),
                                   name="duties_admission_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class DeptOrUnitQuerySet(ScopedQuerySet[Any]):
    """Rows of a community: the unit chain sees them, and the department they are addressed to."""

    def visible_to(self, user: Any) -> Any:
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user))
        department = _department_id(user)
        if department:
            return self.filter(self.department_q(department))
        return self.filter(NOTHING)

    def department_q(self, department: int) -> Q:
        return Q(department_id=department)


class DutyTask(models.Model):
    """下派任务 — one task a department sends to one community, admitted by a list item or an approved request."""

    class Objection(models.TextChoices):
        NONE = "", "无"
        RAISED = "raised", "已提出异议"
        UPHELD = "upheld", "异议成立（任务撤回）"
        DISMISSED = "dismissed", "异议不成立"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="duty_tasks", verbose_name="村（社区）")
    department = models.ForeignKey("places.Department", on_delete=models.PROTECT, related_name="duty_tasks",
                                   verbose_name="下派部门")
    item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks",
                             verbose_name="清单事项")
    admission = models.ForeignKey(AdmissionRequest, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="tasks", verbose_name="准入申请")
    title = models.CharField("任务名称", max_length=100)
    kind = models.CharField("任务类型", max_length=20, choices=TaskKind.choices)
    deadline = models.DateField("完成期限")
    hours = models.DecimalField("预计工时（小时）", max_digits=7, decimal_places=1)
    funding = models.CharField("经费保障", max_length=200, blank=True)
    source = models.CharField("来源模块", max_length=40, default="duties")
    objection = models.CharField("异议", max_length=20, choices=Objection.choices, default="", blank=True)
    objection_text = models.CharField("异议理由", max_length=300, blank=True)
    objection_answer = models.CharField("异议答复", max_length=300, blank=True)
    withdrawn = models.BooleanField("已撤回", default=False)
    sent_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name="下派人")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeptOrUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "下派任务"
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(item__isnull=False) | Q(admission__isnull=False),
                                   name="duties_task_admitted"),
            models.CheckConstraint(condition=Q(objection__in=["", "raised", "upheld", "dismissed"]),
                                   name="duties_task_objection_valid"),
        ]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------- 印章使用范围清单, 证明事项清理

class CertificateItem(models.Model):
    """证明事项 — what the community seal may certify (allowed), or a certificate abolished by the clean-up."""

    class Kind(models.TextChoices):
        ALLOWED = "allowed", "可出具（印章使用范围）"
        ABOLISHED = "abolished", "已取消"

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("证明名称", max_length=100)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    basis = models.CharField("依据", max_length=300)
    instead = models.CharField("替代方式", max_length=300, blank=True, help_text="已取消事项：部门应如何办理")
    checks = models.CharField("核对内容", max_length=200, blank=True, help_text="可出具事项：社区核对居民档案的哪些信息")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "证明事项"
        ordering = ["kind", "code"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["allowed", "abolished"]),
                                              name="duties_certificate_item_kind_valid")]

    def __str__(self) -> str:
        return self.name


class CertificateQuerySet(ScopedQuerySet["CertificateRequest"]):
    def visible_to(self, user: Any) -> "CertificateQuerySet":
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user))
        if getattr(user, "is_authenticated", False) and user.is_active and user.role == "resident":
            return self.filter(account=user)
        return self.filter(NOTHING)


class CertificateRequest(models.Model):
    """证明申请 — a resident's request; issued (in the seal log), refused with a reason, or answered at once with the
    clean-up notice when the item is abolished."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "待核对"
        ISSUED = "issued", "已出具"
        REFUSED = "refused", "不予出具"
        ABOLISHED = "abolished", "已取消事项（已告知）"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="certificate_requests", verbose_name="村（社区）")
    item = models.ForeignKey(CertificateItem, on_delete=models.PROTECT, related_name="requests", verbose_name="证明事项")
    account = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="certificate_requests", verbose_name="申请人账户")
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="certificate_requests", verbose_name="居民档案")
    name = models.CharField("证明对象", max_length=50)
    purpose = models.CharField("用途", max_length=200)
    asking_department = models.CharField("要求出具的部门", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.REQUESTED)
    token = models.CharField("证明编号", max_length=20, blank=True)
    content = models.CharField("证明内容", max_length=300, blank=True)
    refuse_reason = models.CharField("不予出具理由", max_length=300, blank=True)
    handled_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="经办人")
    handled_at = models.DateTimeField("办理时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "证明申请"
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["requested", "issued", "refused", "abolished"]),
                                   name="duties_certificate_status_valid"),
            models.UniqueConstraint(fields=["token"], condition=~Q(token=""), name="duties_certificate_token_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} {self.token}"


# ---------------------------------------------------------------- 社区公共服务目录, 代办

class Mode(models.TextChoices):
    DIRECT = "direct", "社区直接办理"
    PROXY = "proxy", "社区代办"
    ADVISE = "advise", "仅咨询指引"


class ServiceItem(models.Model):
    """公共服务目录事项 — a public service available at or through every community."""

    name = models.CharField("事项名称", max_length=100)
    department = models.ForeignKey("places.Department", on_delete=models.PROTECT, related_name="catalogue_items",
                                   verbose_name="责任部门")
    who = models.CharField("服务对象", max_length=200)
    conditions = models.TextField("办理条件", blank=True)
    materials = models.JSONField("申请材料", default=list, blank=True,
                                 help_text='[{"name": "居民身份证", "required": true}, …]')
    where_when = models.CharField("办理地点和时间", max_length=200)
    fees = models.CharField("收费标准", max_length=100, default="不收费")
    time_limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    mode = models.CharField("办理方式", max_length=20, choices=Mode.choices)
    province_code = models.CharField("河北政务服务网事项编码", max_length=40, blank=True)
    keywords = models.CharField("检索词", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "公共服务目录事项"
        ordering = ["department_id", "name"]
        constraints = [models.CheckConstraint(condition=Q(mode__in=Mode.values), name="duties_service_mode_valid")]

    def __str__(self) -> str:
        return self.name

    def required_materials(self) -> list[str]:
        return [str(m["name"]) for m in self.materials if m.get("required")]


class ProxyQuerySet(DeptOrUnitQuerySet):
    def visible_to(self, user: Any) -> Any:
        if scope_prefix(user) is None and getattr(user, "is_authenticated", False) and user.is_active \
                and user.role == "resident":
            return self.filter(account=user)
        return super().visible_to(user)

    def department_q(self, department: int) -> Q:
        return Q(department_id=department, sent_at__isnull=False)


class ProxyCase(models.Model):
    """代办件 — a proxy request for a catalogue item, from materials to the department's answer."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已提交，待核验材料"
        VERIFIED = "verified", "材料已核验"
        RETURNED = "returned", "材料退回补正"
        SENT = "sent", "已转部门办理"
        ANSWERED = "answered", "部门已答复"
        COMPLETED = "completed", "已办结（已告知居民）"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="proxy_cases", verbose_name="村（社区）")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="cases", verbose_name="服务事项")
    department = models.ForeignKey("places.Department", on_delete=models.PROTECT, related_name="proxy_cases",
                                   verbose_name="办理部门")
    account = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="proxy_cases", verbose_name="申请人账户")
    applicant = models.CharField("申请人", max_length=50)
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    phone_masked = models.CharField("联系电话（脱敏）", max_length=20, blank=True)
    on_behalf = models.BooleanField("工作人员代为发起", default=False)
    note = models.CharField("说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    sent_at = models.DateTimeField("转办时间", null=True, blank=True)
    due_at = models.DateTimeField("部门办理期限", null=True, blank=True)
    answer = models.CharField("部门答复", max_length=500, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    escalated_at = models.DateTimeField("超期督办时间", null=True, blank=True)
    province_ref = models.CharField("省平台办件号", max_length=40, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="发起人")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProxyQuerySet.as_manager()

    class Meta:
        verbose_name = "代办件"
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["submitted", "verified", "returned", "sent", "answered",
                                                           "completed"]), name="duties_proxy_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.item.name}（{self.applicant}）"


class ProxyMaterial(models.Model):
    """One uploaded material of a proxy case: a JPEG/PNG re-encoded like the requests desk's photos, or a PDF."""

    case = models.ForeignKey(ProxyCase, on_delete=models.CASCADE, related_name="uploads", verbose_name="代办件")
    name = models.CharField("材料名称", max_length=100)
    file = models.FileField(upload_to="duties/%Y/%m/")
    content_type = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "代办材料"
        ordering = ["case_id", "pk"]


class ProxyStep(models.Model):
    """One dated step of a proxy case (submitted, verified, sent, answered, completed, escalated)."""

    case = models.ForeignKey(ProxyCase, on_delete=models.CASCADE, related_name="steps", verbose_name="代办件")
    action = models.CharField("环节", max_length=40)
    note = models.CharField("说明", max_length=500, blank=True)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "代办环节"
        ordering = ["case_id", "at", "pk"]


# ---------------------------------------------------------------- 统一综合考核评比

class AssessmentQuerySet(ScopedQuerySet["Assessment"]):
    """An assessment belongs to its township; the township, its county and the city see it, and each community of
    the township its own view (scores filter by the community)."""

    def visible_to(self, user: Any) -> "AssessmentQuerySet":
        prefix = scope_prefix(user)
        if prefix is None:
            return self.filter(NOTHING)
        if user.role == "community_worker":  # their own community's view of their township's assessment
            return self.filter(unit_id=user.unit.parent_id)
        return self.filter(scope_q(user))


class Assessment(models.Model):
    """统一综合考核评比 — one annual assessment of a township's communities, on the county's indicator system."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="assessments", verbose_name="乡镇（街道）")
    year = models.PositiveSmallIntegerField("年度")
    indicators = models.JSONField("指标体系", default=list,
                                  help_text='[{"name", "weight", "source": "computed"|"scored", "code"}]')
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = "综合考核评比"
        ordering = ["-year", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="duties_one_assessment_per_year")]


class Score(models.Model):
    """One community's value on one indicator of an assessment, with its evidence; an objection and its answer."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    indicator = models.CharField("指标", max_length=100)
    value = models.DecimalField("得分率", max_digits=6, decimal_places=4, help_text="0–1")
    evidence = models.CharField("依据", max_length=300, blank=True)

    class Meta:
        ordering = ["assessment_id", "unit_id", "indicator"]
        constraints = [models.UniqueConstraint(fields=["assessment", "unit", "indicator"], name="duties_score_once")]


class AssessmentObjection(models.Model):
    """A community's written objection to its assessment result, and the township's answer."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="objections")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    text = models.CharField("异议", max_length=500)
    answer = models.CharField("答复", max_length=500, blank=True)
    answered_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment_id", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "unit"], name="duties_one_objection_per_unit")]

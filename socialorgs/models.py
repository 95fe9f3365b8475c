"""社会力量 — social organisations, incubation bases, social work, government purchase of services, charity and
五社联动 (issue 15).

Place-bound rows carry the unit they belong to (a community, a township, a county or the city); staff see their
subtree (accounts.scoping). A social organisation's own accounts (Organisation.accounts) see that organisation, its
contracts and its cases; department staff see the purchases their department runs.
"""

from typing import Any

from django.db import models
from django.db.models import F, Q

from accounts.scoping import NOTHING, ScopedQuerySet, scope_prefix, scope_q

# The city's minimum number of members for a community social organisation to be filed (备案).
MIN_MEMBERS = 10


class OrgKind(models.TextChoices):
    SOCIAL_GROUP = "social_group", "社会团体"
    SERVICE_AGENCY = "service_agency", "社会服务机构（民办非企业单位）"
    FOUNDATION = "foundation", "基金会"


class CommunityCategory(models.TextChoices):
    """The four kinds of community social organisation the plan names."""

    LIFE_SERVICE = "life_service", "生活服务性"
    CHARITY = "charity", "公益慈善性"
    MUTUAL_AID = "mutual_aid", "居民互助性"
    RURAL_TECH = "rural_tech", "农村生产技术服务性"


class OrgStatus(models.TextChoices):
    REGISTERED = "registered", "登记"
    FILED = "filed", "备案"


class Qualification(models.TextChoices):
    NONE = "", "无"
    ASSISTANT = "assistant", "助理社会工作师"
    SOCIAL_WORKER = "social_worker", "社会工作师"
    SENIOR = "senior", "高级社会工作师"


def _own_or_scoped(user: Any, own: Q) -> Q:
    if scope_prefix(user) is not None:
        return scope_q(user)
    if getattr(user, "is_authenticated", False) and user.is_active:
        return own
    return NOTHING


class OrganisationQuerySet(ScopedQuerySet["Organisation"]):
    def visible_to(self, user: Any) -> "OrganisationQuerySet":
        """Staff: their subtree. An organisation's own account: that organisation."""
        return self.filter(_own_or_scoped(user, Q(accounts=user))).distinct()

    def active_on(self, day: Any) -> "OrganisationQuerySet":
        return self.filter(Q(registered_on__lte=day), Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))


class Organisation(models.Model):
    """社会组织 — registered (登记, with a 统一社会信用代码) or filed (备案) at a township or community."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="social_orgs", verbose_name="登记备案单位")
    township_code = models.CharField("所在乡镇（街道）代码", max_length=12, editable=False)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    community_category = models.CharField("社区社会组织类别", max_length=20, choices=CommunityCategory.choices,
                                          blank=True)
    status = models.CharField("登记或备案", max_length=12, choices=OrgStatus.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    registered_on = models.DateField("登记备案日期")
    dissolved_on = models.DateField("注销日期", null=True, blank=True, help_text="注销当日起不再计入")
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True, help_text="组织的公开联系电话")
    services = models.CharField("服务内容", max_length=300, blank=True)
    served_units = models.ManyToManyField("places.OrgUnit", blank=True, related_name="serving_social_orgs",
                                          verbose_name="服务的村（社区）")
    full_time_staff = models.PositiveIntegerField("专职人员数", default=0)
    part_time_staff = models.PositiveIntegerField("兼职人员数", default=0)
    accounts = models.ManyToManyField("accounts.User", blank=True, related_name="social_orgs",
                                      verbose_name="组织账户")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "社会组织"
        ordering = ["unit_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["township_code", "name"], name="socialorg_unique_in_township"),
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="socialorg_unique_credit_code"),
            models.CheckConstraint(condition=Q(kind__in=OrgKind.values), name="socialorg_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=OrgStatus.values), name="socialorg_status_valid"),
            models.CheckConstraint(condition=Q(community_category__in=["", *CommunityCategory.values]),
                                   name="socialorg_category_valid"),
            models.CheckConstraint(condition=~Q(status="registered") | ~Q(credit_code=""),
                                   name="socialorg_registered_has_code"),
            models.CheckConstraint(condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("registered_on")),
                                   name="socialorg_dissolved_after_registered"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.township_code = str(self.unit_id)[:9] + "000"
        super().save(*args, **kwargs)


class StaffQuerySet(ScopedQuerySet["Staff"]):
    scope_field = "organisation__unit"

    def visible_to(self, user: Any) -> "StaffQuerySet":
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user, "organisation__unit"))
        if getattr(user, "is_authenticated", False) and user.is_active:
            return self.filter(organisation__accounts=user)
        return self.filter(NOTHING)


class Staff(models.Model):
    """An organisation's staff member: full-time or part-time, with a social-work qualification if any."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff",
                                     verbose_name="社会组织")
    name = models.CharField("姓名", max_length=50)
    full_time = models.BooleanField("专职", default=True)
    qualification = models.CharField("社会工作职业资格", max_length=20, choices=Qualification.choices, blank=True)
    joined_on = models.DateField("入职日期")
    left_on = models.DateField("离职日期", null=True, blank=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = "社会组织工作人员"
        ordering = ["organisation_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(qualification__in=["", *Qualification.values[1:]]),
                                   name="socialorg_staff_qualification_valid"),
        ]


class AnnualReport(models.Model):
    """年度报告 / 年检 with its result."""

    class Result(models.TextChoices):
        PASS = "pass", "合格"
        BASIC = "basic", "基本合格"
        FAIL = "fail", "不合格"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reports",
                                     verbose_name="社会组织")
    year = models.PositiveSmallIntegerField("年度")
    result = models.CharField("结论", max_length=10, choices=Result.choices)
    submitted_on = models.DateField("报送日期")

    class Meta:
        verbose_name = "年度报告"
        ordering = ["organisation_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="socialorg_one_report_a_year")]


class FilingApplication(models.Model):
    """备案申请 — a community organisation applies at its community; the township files it or returns it."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        FILED = "filed", "已备案"
        RETURNED = "returned", "已退回"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="social_org_filings", verbose_name="业务指导社区")
    name = models.CharField("组织名称", max_length=100)
    category = models.CharField("社区社会组织类别", max_length=20, choices=CommunityCategory.choices)
    founders = models.CharField("发起人", max_length=300)
    members = models.PositiveIntegerField("成员数")
    charter = models.TextField("章程")
    responsible_name = models.CharField("负责人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    services = models.CharField("服务内容", max_length=300, blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.SUBMITTED)
    reason = models.CharField("退回理由", max_length=300, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="审核人")
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    organisation = models.OneToOneField(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="filing", verbose_name="备案的组织")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet["FilingApplication"].as_manager()

    class Meta:
        verbose_name = "备案申请"
        ordering = ["-created_at", "-pk"]


class IncubationBase(models.Model):
    """孵化基地 — belongs to a county-level unit (or the city)."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="incubation_bases", verbose_name="所属县（市、区）")
    name = models.CharField("基地名称", max_length=100)
    facility = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="incubation_bases", verbose_name="所在设施")
    operator = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="operated_bases", verbose_name="运营方")
    capacity = models.PositiveIntegerField("可入驻组织数", default=0)
    services = models.CharField("服务内容", max_length=300, blank=True)
    opened_on = models.DateField("投入运营日期")
    closed_on = models.DateField("停止运营日期", null=True, blank=True, help_text="停止当日起不再计入")

    objects = ScopedQuerySet["IncubationBase"].as_manager()

    class Meta:
        verbose_name = "社会组织孵化基地"
        ordering = ["unit_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gt=F("opened_on")),
                                   name="socialorg_base_closed_after_opened"),
        ]

    def __str__(self) -> str:
        return self.name


class Incubation(models.Model):
    """An organisation in incubation at a base; 出壳 with a date and an outcome."""

    class Outcome(models.TextChoices):
        REGISTERED = "registered", "出壳：登记"
        FILED = "filed", "出壳：备案"
        FAILED = "failed", "未成功"

    base = models.ForeignKey(IncubationBase, on_delete=models.CASCADE, related_name="incubations",
                             verbose_name="孵化基地")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incubations",
                                     verbose_name="社会组织")
    entered_on = models.DateField("入驻日期")
    left_on = models.DateField("出壳日期", null=True, blank=True)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = "入驻孵化"
        ordering = ["-entered_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(left_on__isnull=True, outcome="") | Q(left_on__isnull=False,
                                   outcome__in=["registered", "filed", "failed"]), name="socialorg_incubation_outcome_with_date"),
        ]


# ---------------------------------------------------------------- social work


class SocialWorker(models.Model):
    """社会工作者 serving a social-work station (township) or room (community) of the facilities register."""

    class Level(models.TextChoices):
        ASSISTANT = "assistant", "助理社会工作师"
        SOCIAL_WORKER = "social_worker", "社会工作师"
        SENIOR = "senior", "高级社会工作师"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="social_workers", verbose_name="服务单位")
    station = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="social_workers",
                                verbose_name="社会工作站（室）")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="social_workers", verbose_name="所在社会组织")
    name = models.CharField("姓名", max_length=50)
    level = models.CharField("职业资格", max_length=20, choices=Level.choices)
    certificate_no = models.CharField("证书编号", max_length=40)
    joined_on = models.DateField("到岗日期")
    left_on = models.DateField("离岗日期", null=True, blank=True)

    objects = ScopedQuerySet["SocialWorker"].as_manager()

    class Meta:
        verbose_name = "社会工作者"
        ordering = ["unit_id", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["certificate_no"], name="socialorg_worker_certificate_unique")]

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(ScopedQuerySet["Case"]):
    def visible_to(self, user: Any) -> "CaseQuerySet":
        """Staff: their subtree. An organisation's account: its own cases."""
        return self.filter(_own_or_scoped(user, Q(organisation__accounts=user))).distinct()


class Case(models.Model):
    """A service case (个案、小组、社区工作): open → assessment → plan → sessions → closed with an outcome."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "个案工作"
        GROUP = "group", "小组工作"
        COMMUNITY = "community", "社区工作"

    class Stage(models.TextChoices):
        OPEN = "open", "接案"
        ASSESSED = "assessed", "已预估"
        PLANNED = "planned", "已制定计划"
        CLOSED = "closed", "已结案"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="social_work_cases", verbose_name="所属村（社区）")
    worker = models.ForeignKey(SocialWorker, on_delete=models.PROTECT, related_name="cases", verbose_name="社会工作者")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="cases", verbose_name="承接组织")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    title = models.CharField("案主或小组", max_length=100, help_text="个案以居民档案关联时此处显示脱敏姓名")
    client = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="social_work_cases", verbose_name="案主（居民档案）")
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default=Stage.OPEN)
    assessment = models.TextField("预估", blank=True)
    plan = models.TextField("服务计划", blank=True)
    notes = models.TextField("个案记录（敏感）", blank=True)
    outcome = models.CharField("结案评估", max_length=300, blank=True)
    opened_on = models.DateField("接案日期")
    closed_on = models.DateField("结案日期", null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "社会工作服务个案"
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(stage="closed") | Q(closed_on__isnull=False),
                                   name="socialorg_case_closed_dated"),
        ]


class Session(models.Model):
    """一次服务 — counted toward the station's figures."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions", verbose_name="个案")
    held_on = models.DateField("服务日期")
    minutes = models.PositiveIntegerField("时长（分钟）")
    summary = models.CharField("服务摘要", max_length=300)

    class Meta:
        verbose_name = "服务记录"
        ordering = ["held_on", "pk"]


# ---------------------------------------------------------------- government purchase of services


class PurchaseQuerySet(ScopedQuerySet["Purchase"]):
    def visible_to(self, user: Any) -> "PurchaseQuerySet":
        """Staff: their subtree. Department staff: purchases their department runs. An organisation: its awards."""
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user))
        if getattr(user, "is_authenticated", False) and user.is_active:
            own = Q(awarded_to__accounts=user)
            if getattr(user, "department_id", None):
                own |= Q(department_id=user.department_id)
            return self.filter(own).distinct()
        return self.filter(NOTHING)


class Purchase(models.Model):
    """政府购买服务 — 立项 → 信息发布 → 承接（申请、评审、中标）→ 合同 → 项目管理 → 绩效评估."""

    class Stage(models.TextChoices):
        PROPOSED = "proposed", "立项待批"
        APPROVED = "approved", "已立项"
        PUBLISHED = "published", "已发布"
        AWARDED = "awarded", "已确定承接方"
        CONTRACTED = "contracted", "合同执行中"
        EVALUATED = "evaluated", "已评估"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="service_purchases", verbose_name="购买主体所在单位")
    department = models.ForeignKey("places.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="service_purchases", verbose_name="购买部门")
    title = models.CharField("项目名称", max_length=100)
    need = models.CharField("服务需求", max_length=300)
    target_group = models.CharField("服务对象", max_length=100)
    budget_line = models.CharField("预算科目", max_length=100)
    budget_amount = models.DecimalField("预算金额（元）", max_digits=12, decimal_places=2)
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default=Stage.PROPOSED)
    proposed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_on = models.DateField("立项申请日期")
    approved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_on = models.DateField("立项批准日期", null=True, blank=True)
    notice = models.TextField("公告内容", blank=True)
    requirements = models.TextField("承接要求", blank=True)
    deadline = models.DateField("报名截止日期", null=True, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    awarded_to = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="awards", verbose_name="承接方")
    awarded_on = models.DateField("确定承接方日期", null=True, blank=True)
    contract_amount = models.DecimalField("合同金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    contract_start = models.DateField("合同开始", null=True, blank=True)
    contract_end = models.DateField("合同结束", null=True, blank=True)
    contracted_on = models.DateField("签订日期", null=True, blank=True)
    evaluation_score = models.DecimalField("绩效评分", max_digits=5, decimal_places=1, null=True, blank=True)
    satisfaction = models.FloatField("居民满意度", null=True, blank=True)
    evaluation_result = models.CharField("评估结论", max_length=10, blank=True)
    evaluation_note = models.CharField("评估意见", max_length=300, blank=True)
    evaluated_on = models.DateField("评估日期", null=True, blank=True)

    objects = PurchaseQuerySet.as_manager()

    class Meta:
        verbose_name = "政府购买服务项目"
        ordering = ["-proposed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_amount__gt=0), name="socialorg_purchase_budget_positive"),
            models.CheckConstraint(condition=Q(contract_amount__isnull=True) | Q(contract_amount__lte=F("budget_amount")),
                                   name="socialorg_purchase_contract_within_budget"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def paid(self) -> Any:
        return sum((p.amount for p in self.payments.all()), start=0)


class Application(models.Model):
    """承接申请 of a social organisation, with the panel's score."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="applications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications",
                                     verbose_name="申请组织")
    proposal = models.CharField("服务方案摘要", max_length=300)
    score = models.DecimalField("评审得分", max_digits=5, decimal_places=1, null=True, blank=True)
    submitted_on = models.DateField("申请日期")

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["purchase", "organisation"], name="socialorg_one_application")]


class Deliverable(models.Model):
    """A contract's measurable output (e.g. 入户探访 200 人次)."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="deliverables")
    name = models.CharField("服务产出", max_length=100)
    target = models.PositiveIntegerField("目标数量")
    measure = models.CharField("计量单位", max_length=20)

    class Meta:
        ordering = ["pk"]

    @property
    def done(self) -> int:
        return sum(r.quantity for r in self.records.all())


class ServiceRecord(models.Model):
    """A service delivered against a deliverable."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="records")
    quantity = models.PositiveIntegerField("数量")
    done_on = models.DateField("服务日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["done_on", "pk"]


class Milestone(models.Model):
    """A contract milestone; a payment is released against a reached milestone."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField("节点", max_length=100)
    due_on = models.DateField("计划日期")
    amount = models.DecimalField("节点拨付金额（元）", max_digits=12, decimal_places=2)
    reached_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]


class Payment(models.Model):
    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="payments")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField("拨付金额（元）", max_digits=12, decimal_places=2)
    paid_on = models.DateField("拨付日期")
    paid_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="socialorg_payment_positive")]


# ---------------------------------------------------------------- charity and 五社联动


class CharityGroup(models.TextChoices):
    HARDSHIP = "hardship", "助困"
    ELDERLY = "elderly", "扶老"
    ORPHANS = "orphans", "恤孤"
    DISABLED = "disabled", "助残"


class Donation(models.Model):
    """A donation received by a community (money or goods), with its receipt number."""

    class Kind(models.TextChoices):
        MONEY = "money", "资金"
        GOODS = "goods", "物资"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="donations", verbose_name="接收社区")
    donor = models.CharField("捐赠方", max_length=100)
    kind = models.CharField("形式", max_length=10, choices=Kind.choices)
    amount = models.DecimalField("金额或折价（元）", max_digits=12, decimal_places=2)
    goods = models.CharField("物资说明", max_length=200, blank=True)
    group = models.CharField("定向", max_length=12, choices=CharityGroup.choices)
    received_on = models.DateField("接收日期")
    receipt_no = models.CharField("收据编号", max_length=30, unique=True)

    objects = ScopedQuerySet["Donation"].as_manager()

    class Meta:
        verbose_name = "慈善捐赠"
        ordering = ["-received_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="socialorg_donation_positive")]

    @property
    def disbursed(self) -> Any:
        return sum((d.amount for d in self.disbursements.all()), start=0)


class Disbursement(models.Model):
    """A donation given to a beneficiary in the register; public disclosure shows totals only."""

    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="disbursements")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="charity_received")
    amount = models.DecimalField("金额或折价（元）", max_digits=12, decimal_places=2)
    given_on = models.DateField("发放日期")

    class Meta:
        ordering = ["given_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="socialorg_disbursement_positive")]


class SpaceAgreement(models.Model):
    """以场地换服务 — a community gives space to a business or institution, which owes services."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="space_agreements", verbose_name="社区")
    partner = models.CharField("合作方", max_length=100)
    space = models.CharField("提供场地", max_length=200)
    services_owed = models.CharField("约定服务", max_length=300)
    sessions_owed = models.PositiveIntegerField("约定服务次数")
    signed_on = models.DateField("签订日期")
    ends_on = models.DateField("到期日期")

    objects = ScopedQuerySet["SpaceAgreement"].as_manager()

    class Meta:
        verbose_name = "以场地换服务协议"
        ordering = ["-signed_on", "-pk"]


class Fulfilment(models.Model):
    agreement = models.ForeignKey(SpaceAgreement, on_delete=models.CASCADE, related_name="fulfilments")
    done_on = models.DateField("服务日期")
    note = models.CharField("服务内容", max_length=200)

    class Meta:
        ordering = ["done_on", "pk"]


class FiveSocialProject(models.Model):
    """五社联动 — community, social organisations, social workers, volunteer teams and charity resources."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="five_social_projects", verbose_name="社区")
    title = models.CharField("项目名称", max_length=100)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="five_social_projects",
                                           verbose_name="社会组织")
    workers = models.ManyToManyField(SocialWorker, blank=True, related_name="five_social_projects",
                                     verbose_name="社会工作者")
    volunteer_teams = models.CharField("志愿服务队", max_length=300, blank=True, help_text="队伍名称，用“、”分隔")
    donations = models.ManyToManyField(Donation, blank=True, related_name="five_social_projects",
                                       verbose_name="慈善资源")
    outputs = models.TextField("项目成效", blank=True)
    started_on = models.DateField("开始日期")

    objects = ScopedQuerySet["FiveSocialProject"].as_manager()

    class Meta:
        verbose_name = "五社联动项目"
        ordering = ["-started_on", "-pk"]

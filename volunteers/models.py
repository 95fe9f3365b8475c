"""志愿服务 — volunteers, teams, service points, activities, sign-ups and service records (issue 14).

A volunteer who is in the register links to people.Resident; one who is not (a party member living in another
city, a student) carries a name and an ID checked the way the register checks one (people.validation). ID and
phone numbers are stored like the register's: ciphertext, keyed search hash, masked copy — never in the clear.
Hours are computed from confirmed ServiceRecords by volunteers.hours (overlaps counted once).
"""

from typing import Any

from django.db import models
from django.db.models import F, Q

from accounts.scoping import NOTHING, ScopedQuerySet, scope_prefix, scope_q


class ServiceCategory(models.TextChoices):
    """服务类别 — the national volunteer system's categories (中国志愿服务网)."""

    COMMUNITY = "community", "社区服务"
    ELDERLY_DISABLED = "elderly_disabled", "助老助残"
    CHILDREN = "children", "关爱儿童"
    CULTURE = "culture", "文化艺术"
    ENVIRONMENT = "environment", "环境保护"
    HEALTH = "health", "医疗卫生"
    EDUCATION = "education", "教育培训"
    SAFETY = "safety", "平安建设"
    EMERGENCY = "emergency", "应急救援"
    CIVILIZATION = "civilization", "文明实践"
    OTHER = "other", "其他"


class PoliticalStatus(models.TextChoices):
    """政治面貌 — GB/T 4762 codes and names."""

    CPC = "01", "中共党员"
    CPC_PROBATIONARY = "02", "中共预备党员"
    CYL = "03", "共青团员"
    RCCK = "04", "民革党员"
    CDL = "05", "民盟盟员"
    CNDCA = "06", "民建会员"
    CAPD = "07", "民进会员"
    CPWDP = "08", "农工党党员"
    CZGP = "09", "致公党党员"
    JIUSAN = "10", "九三学社社员"
    TDSGL = "11", "台盟盟员"
    NON_PARTY = "12", "无党派人士"
    MASSES = "13", "群众"


class TargetGroup(models.TextChoices):
    """服务对象 — who an activity serves first (专栏1.3)."""

    HARDSHIP = "hardship", "困难群众"
    EMPTY_NEST = "empty_nest", "空巢老人"
    LEFT_BEHIND_ELDERLY = "left_behind_elderly", "留守老人"
    LEFT_BEHIND_CHILDREN = "left_behind_children", "留守儿童"
    DISABLED = "disabled", "残疾人"
    ALL = "all", "全体居民"


class IdType(models.TextChoices):
    ID_CARD = "id_card", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MACAO = "hk_macao_permit", "港澳居民居住证/来往内地通行证"
    TAIWAN = "taiwan_permit", "台湾居民居住证/来往大陆通行证"
    FOREIGN_PR = "foreign_permanent", "外国人永久居留身份证"


class Weekday(models.TextChoices):
    MON = "mon", "周一"
    TUE = "tue", "周二"
    WED = "wed", "周三"
    THU = "thu", "周四"
    FRI = "fri", "周五"
    SAT = "sat", "周六"
    SUN = "sun", "周日"


class DayPart(models.TextChoices):
    MORNING = "am", "上午"
    AFTERNOON = "pm", "下午"
    EVENING = "eve", "晚上"


class VolunteerQuerySet(ScopedQuerySet["Volunteer"]):
    def visible_to(self, user: Any) -> "VolunteerQuerySet":
        """Staff: their subtree. A resident: their own volunteer record."""
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user))
        if getattr(user, "is_authenticated", False) and user.is_active:
            return self.filter(account=user)
        return self.filter(NOTHING)


class Volunteer(models.Model):
    """志愿者 — one person registered to volunteer, serving one village-level unit."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="volunteers", verbose_name="所属村（社区）")
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="volunteer_records", verbose_name="居民档案")
    account = models.OneToOneField("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="volunteer", verbose_name="账户")
    name = models.CharField("姓名", max_length=50)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, default=IdType.ID_CARD)
    id_number_enc = models.TextField("证件号码（密文）")
    id_number_hash = models.CharField("证件号码检索摘要", max_length=64, unique=True)
    id_number_masked = models.CharField("证件号码（脱敏）", max_length=40)
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    phone_hash = models.CharField("联系电话检索摘要", max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("联系电话（脱敏）", max_length=20, blank=True)
    skills = models.CharField("技能特长", max_length=200, blank=True)
    categories = models.JSONField("服务类别", default=list, blank=True)
    availability = models.JSONField("可服务时间", default=list, blank=True, help_text="如 sat_am、sun_pm")
    political_status = models.CharField("政治面貌", max_length=2, choices=PoliticalStatus.choices, blank=True)
    consent = models.BooleanField("同意记录和公示服务信息", default=False)
    consent_at = models.DateTimeField("同意时间", null=True, blank=True)
    stars_notified = models.PositiveSmallIntegerField("已通知的星级", default=0)
    registered_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿者"
        ordering = ["unit_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True, consent_at__isnull=False), name="volunteer_consented"),
            models.CheckConstraint(condition=Q(political_status__in=["", *PoliticalStatus.values]),
                                   name="volunteer_political_status_valid"),
            models.CheckConstraint(condition=Q(id_type__in=IdType.values), name="volunteer_id_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def category_labels(self) -> list[str]:
        labels = dict(ServiceCategory.choices)
        return [str(labels.get(c, c)) for c in self.categories]


class Team(models.Model):
    """志愿服务队 — belongs to a village-level unit or higher; a volunteer may be in several teams."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="volunteer_teams", verbose_name="所属单位")
    name = models.CharField("队伍名称", max_length=100)
    leader = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams",
                               verbose_name="队长")
    members = models.ManyToManyField(Volunteer, blank=True, related_name="teams", verbose_name="队员")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet["Team"].as_manager()

    class Meta:
        verbose_name = "志愿服务队"
        ordering = ["unit_id", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="volunteer_team_unique_name")]

    def __str__(self) -> str:
        return self.name


class ServicePoint(models.Model):
    """志愿服务站点 — a record of its own, housed in a facility where one houses it; counted by the indicator."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="volunteer_points", verbose_name="所属村（社区）")
    name = models.CharField("站点名称", max_length=100)
    facility = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="volunteer_points", verbose_name="所在设施")
    address = models.CharField("地址", max_length=200, blank=True)
    hours = models.CharField("开放时间", max_length=100)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20, help_text="站点的公开联系电话")
    opened_on = models.DateField("建立日期")
    closed_on = models.DateField("撤销日期", null=True, blank=True, help_text="撤销当日起不再计入")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet["ServicePoint"].as_manager()

    class Meta:
        verbose_name = "志愿服务站点"
        ordering = ["unit_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gt=F("opened_on")),
                                   name="volunteer_point_closed_after_opened"),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityQuerySet(ScopedQuerySet["Activity"]):
    def visible_to(self, user: Any) -> "ActivityQuerySet":
        """Staff: their subtree. A resident: the activities of their own community."""
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user))
        if getattr(user, "is_authenticated", False) and user.is_active and getattr(user, "role", "") == "resident" \
                and user.unit_id:
            return self.filter(unit_id=user.unit_id)
        return self.filter(NOTHING)


class Activity(models.Model):
    """志愿服务活动 — published by a team or a community."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="volunteer_activities", verbose_name="所属村（社区）")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities",
                             verbose_name="组织队伍")
    title = models.CharField("活动名称", max_length=100)
    description = models.TextField("活动内容", blank=True)
    category = models.CharField("服务类别", max_length=20, choices=ServiceCategory.choices)
    target_group = models.CharField("服务对象", max_length=30, choices=TargetGroup.choices)
    place = models.CharField("活动地点", max_length=200)
    service_point = models.ForeignKey(ServicePoint, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="activities", verbose_name="服务站点")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveIntegerField("招募人数")
    skills_wanted = models.CharField("所需技能", max_length=200, blank=True)
    organiser = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="组织者")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务活动"
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="volunteer_activity_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="volunteer_activity_capacity_positive"),
            models.CheckConstraint(condition=Q(category__in=ServiceCategory.values),
                                   name="volunteer_activity_category_valid"),
            models.CheckConstraint(condition=Q(target_group__in=TargetGroup.values),
                                   name="volunteer_activity_target_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class SignUpQuerySet(ScopedQuerySet["SignUp"]):
    scope_field = "activity__unit"


class SignUp(models.Model):
    """报名 — a place in the activity (confirmed) or on its waiting list (waiting, with a position)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "已报名"
        WAITING = "waiting", "候补"
        CANCELLED = "cancelled", "已取消"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name="活动")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups", verbose_name="志愿者")
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    waitlist_position = models.PositiveIntegerField("候补序号", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SignUpQuerySet.as_manager()

    class Meta:
        verbose_name = "报名"
        ordering = ["activity_id", "status", "waitlist_position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="volunteer_signup_once"),
            models.CheckConstraint(condition=Q(status__in=["confirmed", "waiting", "cancelled"]),
                                   name="volunteer_signup_status_valid"),
            models.CheckConstraint(condition=Q(status="waiting", waitlist_position__isnull=False)
                                   | (~Q(status="waiting") & Q(waitlist_position__isnull=True)),
                                   name="volunteer_signup_waitlist_position"),
        ]


class ServiceRecordQuerySet(ScopedQuerySet["ServiceRecord"]):
    def visible_to(self, user: Any) -> "ServiceRecordQuerySet":
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user))
        if getattr(user, "is_authenticated", False) and user.is_active:
            return self.filter(volunteer__account=user)
        return self.filter(NOTHING)


class ServiceRecord(models.Model):
    """服务记录 — one stretch of service; only confirmed records count towards hours (volunteers.hours)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records", verbose_name="志愿者")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="records",
                                 verbose_name="活动")
    activity_name = models.CharField("活动名称", max_length=100, help_text="导入的历史记录只有名称")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="volunteer_records", verbose_name="所属村（社区）")
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    confirmed = models.BooleanField("已确认", default=False)
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="确认人")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    imported = models.BooleanField("历史导入", default=False)
    task = models.OneToOneField("VolunteerTask", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="record", verbose_name="志愿任务")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "服务记录"
        ordering = ["volunteer_id", "started_at", "pk"]
        indexes = [models.Index(fields=["volunteer", "confirmed", "started_at"], name="volunteer_record_hours")]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gt=F("started_at")), name="volunteer_record_end_after_start"),
            models.CheckConstraint(condition=Q(activity__isnull=True, imported=True) | Q(activity__isnull=False)
                                   | Q(activity__isnull=True, task__isnull=False),
                                   name="volunteer_record_activity_or_imported"),
        ]

    @property
    def duration_hours(self) -> float:
        return (self.ended_at - self.started_at).total_seconds() / 3600


class Certificate(models.Model):
    """志愿服务记录证明 — issued on demand; its code (token-check) is verified on the public page /v/<code>/."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates", verbose_name="志愿者")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="volunteer_certificates", verbose_name="出具单位")
    token = models.CharField("证明编号", max_length=20, unique=True)
    total_hours = models.DecimalField("累计服务时长（小时）", max_digits=9, decimal_places=2)
    period_start = models.DateField("服务起始日期")
    period_end = models.DateField("服务截止日期")
    issued_at = models.DateTimeField("出具时间", auto_now_add=True)
    issued_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="出具人")

    objects = ScopedQuerySet["Certificate"].as_manager()

    class Meta:
        verbose_name = "志愿服务记录证明"
        ordering = ["-issued_at", "pk"]


class Post(models.TextChoices):
    """认岗 — the posts a serving party member claims in their community."""

    POLICY = "policy", "政策宣传"
    PAIRING = "pairing", "结对帮扶"
    VOLUNTEER = "volunteer", "志愿服务"
    MEDIATION = "mediation", "矛盾调解"
    GOVERNANCE = "governance", "社区治理"
    SAFETY = "safety", "平安巡防"


class PartyMemberQuerySet(ScopedQuerySet["PartyMember"]):
    scope_field = "residence"

    def visible_to(self, user: Any) -> "PartyMemberQuerySet":
        """Community staff: members living in their subtree; a work unit's staff: their own department's members."""
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user, "residence"))
        if getattr(user, "is_authenticated", False) and user.is_active and getattr(user, "department_id", None) \
                and getattr(user, "role", "") == "department_staff":
            return self.filter(work_unit_id=user.department_id)
        return self.filter(NOTHING)


class PartyMember(models.Model):
    """在职党员 — one serving member on the roster of a work-unit party organisation (a department of the system)."""

    work_unit = models.ForeignKey("places.Department", on_delete=models.PROTECT, related_name="party_members",
                                  verbose_name="工作单位")
    residence = models.ForeignKey("places.OrgUnit", to_field="code", db_column="residence_code",
                                  on_delete=models.PROTECT, related_name="resident_party_members",
                                  verbose_name="居住地村（社区）")
    name = models.CharField("姓名", max_length=50)
    id_number_enc = models.TextField("证件号码（密文）")
    id_number_hash = models.CharField("证件号码检索摘要", max_length=64, unique=True)
    id_number_masked = models.CharField("证件号码（脱敏）", max_length=40)
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    phone_hash = models.CharField("联系电话检索摘要", max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("联系电话（脱敏）", max_length=20, blank=True)
    volunteer = models.OneToOneField(Volunteer, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="party_member", verbose_name="志愿者记录")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = "在职党员"
        ordering = ["work_unit_id", "name", "pk"]


class PartyReport(models.Model):
    """到社区报到 — a member reports to the community where they live and claims posts; the community confirms."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="reports", verbose_name="党员")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="party_reports", verbose_name="报到村（社区）")
    reported_on = models.DateField("报到日期")
    posts = models.JSONField("认领岗位", default=list, blank=True)
    confirmed = models.BooleanField("社区已确认", default=False)
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="确认人")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    objects = ScopedQuerySet["PartyReport"].as_manager()

    class Meta:
        verbose_name = "在职党员报到"
        ordering = ["-reported_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["member", "reported_on"], name="volunteer_party_report_once_a_day")]


class TaskQuerySet(ScopedQuerySet["VolunteerTask"]):
    def visible_to(self, user: Any) -> "TaskQuerySet":
        """Staff: their subtree. A volunteer: the tasks handed to a team they are in, and the ones they took."""
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user))
        if getattr(user, "is_authenticated", False) and user.is_active:
            return self.filter(Q(team__members__account=user) | Q(volunteer__account=user)).distinct()
        return self.filter(NOTHING)


class VolunteerTask(models.Model):
    """志愿任务 — a care visit (F) or a resident request (D) that a community hands to a team.

    The volunteer sees only `title`, `brief` (what the task needs: the person's masked name, the address, the need),
    never an ID number or any other resident. Completing it records the visit or replies to the request as the
    staff member who handed it over, and gives the volunteer a confirmed service record.
    """

    class Kind(models.TextChoices):
        VISIT = "visit", "探访"
        REQUEST = "request", "诉求办理"

    class Status(models.TextChoices):
        OPEN = "open", "待认领"
        TAKEN = "taken", "已认领"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已撤回"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="volunteer_tasks", verbose_name="所属村（社区）")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tasks", verbose_name="承接队伍")
    kind = models.CharField("任务类型", max_length=10, choices=Kind.choices)
    due_visit = models.OneToOneField("care.DueVisit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="volunteer_task", verbose_name="探访任务")
    appeal = models.ForeignKey("appeals.Appeal", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="volunteer_tasks", verbose_name="诉求")
    target_group = models.CharField("服务对象", max_length=30, choices=TargetGroup.choices, default=TargetGroup.ALL)
    title = models.CharField("任务", max_length=100)
    brief = models.TextField("任务说明", help_text="志愿者只看到这里的内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    handed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="派单人")
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks",
                                  verbose_name="志愿者")
    visit = models.OneToOneField("care.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="探访记录")
    outcome = models.TextField("完成情况", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿任务"
        ordering = ["status", "-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="visit", due_visit__isnull=False, appeal__isnull=True)
                                   | Q(kind="request", appeal__isnull=False, due_visit__isnull=True),
                                   name="volunteer_task_source"),
            models.CheckConstraint(condition=Q(status__in=["open", "cancelled"]) | Q(volunteer__isnull=False),
                                   name="volunteer_task_taken_by_someone"),
        ]

    def __str__(self) -> str:
        return self.title


class TimeBankAccount(models.Model):
    """时间银行账户 — one volunteer's banked credits (hours given to elderly care); the balance never goes negative."""

    volunteer = models.OneToOneField(Volunteer, on_delete=models.PROTECT, related_name="time_bank",
                                     verbose_name="志愿者")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="所属村（社区）")
    balance = models.DecimalField("余额（小时）", max_digits=9, decimal_places=2, default=0)
    family_member = models.CharField("可代用家人", max_length=50, blank=True,
                                     help_text="志愿者指定的一位家人，可使用本账户的时间")

    objects = ScopedQuerySet["TimeBankAccount"].as_manager()

    class Meta:
        verbose_name = "时间银行账户"
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="volunteer_timebank_not_negative")]


class TimeBankEntryQuerySet(ScopedQuerySet["TimeBankEntry"]):
    scope_field = "account__unit"


class TimeBankEntry(models.Model):
    """时间银行流水 — a credit earned by a service record, or a spend on a care service (linked either way)."""

    class Kind(models.TextChoices):
        EARN = "earn", "存入"
        SPEND = "spend", "使用"

    account = models.ForeignKey(TimeBankAccount, on_delete=models.PROTECT, related_name="entries",
                                verbose_name="账户")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    hours = models.DecimalField("时长（小时）", max_digits=9, decimal_places=2)
    balance_after = models.DecimalField("余额（小时）", max_digits=9, decimal_places=2)
    earned_by = models.OneToOneField(ServiceRecord, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="time_credit", verbose_name="存入来源服务")
    used_for = models.ForeignKey(ServiceRecord, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="time_spends", verbose_name="使用的服务")
    service = models.CharField("服务内容", max_length=200)
    beneficiary = models.CharField("服务对象", max_length=50, blank=True)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name="经办人")
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = TimeBankEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "时间银行流水"
        ordering = ["account_id", "at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="volunteer_timebank_entry_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="volunteer_timebank_entry_not_negative"),
            models.CheckConstraint(condition=Q(kind="earn", earned_by__isnull=False, used_for__isnull=True)
                                   | Q(kind="spend", earned_by__isnull=True, used_for__isnull=False),
                                   name="volunteer_timebank_entry_linked"),
        ]

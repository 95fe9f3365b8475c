"""Community life and the building programme (issue 22).

- CommunityActivity / Participation / ActivityPhoto: activities for residents (教育, 文化, 体育, 科普, 普法, 安全与应急,
  家庭与亲子, 老年教育 …) at a facility or a bookable space (booked through facilities.services.book_space), sign-up,
  check-in with the volunteers module's signed rotating codes, attendance, photos and 好差评 ratings.
- Project / Funding / Milestone: the 专栏3 facility-upgrade projects and other construction; completion updates the
  facility register (facilities.services) in the same transaction.
- Pilot: 试点 and 示范 designations with their evaluation.
- JointMeeting / MeetingTask: the township's 社区党建工作联席会议, its meetings and the tasks given to resident units.
- ArchiveEntry: the community archive (by year, kind, retention class), exported as a package; destruction logged.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.scoping import NOTHING, ScopedQuerySet, scope_prefix, scope_q
from places.codes import within


class Kind(models.TextChoices):
    """活动类别 — the kinds of community activity the plan names (专栏2)."""

    EDUCATION = "education", "教育"
    CULTURE = "culture", "文化"
    SPORT = "sport", "体育"
    SCIENCE = "science", "科普"
    LAW = "law", "普法"
    SAFETY = "safety", "安全与应急"
    FAMILY = "family", "家庭与亲子"
    ELDERLY_EDUCATION = "elderly_education", "老年教育"
    OTHER = "other", "其他"


# The plan's 附件2 special action (planning.SpecialAction.number) an activity of each kind is evidence for.
ACTION_OF_KIND: dict[str, int | None] = {
    Kind.EDUCATION: 20, Kind.ELDERLY_EDUCATION: 21, Kind.CULTURE: 22, Kind.SPORT: 23, Kind.SCIENCE: 24,
    Kind.LAW: 27, Kind.SAFETY: 28, Kind.FAMILY: 13, Kind.OTHER: None,
}


class Audience(models.TextChoices):
    """参与对象 — the group an activity is for."""

    ALL = "all", "全体居民"
    ELDERLY = "elderly", "老年人"
    CHILDREN = "children", "儿童青少年"
    FAMILIES = "families", "家庭"
    DISABLED = "disabled", "残疾人"
    WOMEN = "women", "妇女"
    YOUTH = "youth", "青年"


class Rating(models.IntegerChoices):
    """好差评 — the five national levels (the same as appeals.models.RatingLevel)."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


def township_prefix(code: str) -> str:
    """The 9-digit prefix of a village-level code's township: residents see their own township's activities."""
    return str(code)[:9]


class CommunityActivityQuerySet(ScopedQuerySet["CommunityActivity"]):
    def visible_to(self, user: Any) -> "CommunityActivityQuerySet":
        """Staff: their subtree. A resident: the activities of their own township (their community first)."""
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user))
        if getattr(user, "is_authenticated", False) and user.is_active and getattr(user, "role", "") == "resident" \
                and user.unit_id:
            return self.filter(within("unit_id", township_prefix(user.unit_id)), cancelled=False)
        return self.filter(NOTHING)


class CommunityActivity(models.Model):
    """社区活动 — published by staff or a social organisation, for residents to take part in."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="community_activities", verbose_name="所属村（社区）")
    kind = models.CharField("活动类别", max_length=30, choices=Kind.choices)
    title = models.CharField("活动名称", max_length=100)
    description = models.TextField("活动内容", blank=True)
    audience = models.CharField("参与对象", max_length=20, choices=Audience.choices, default=Audience.ALL)
    organiser = models.CharField("组织单位", max_length=100, help_text="社区居委会、社会组织等")
    facility = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="community_activities", verbose_name="活动设施")
    booking = models.OneToOneField("facilities.Booking", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="community_activity", verbose_name="场地预约")
    place = models.CharField("活动地点", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveIntegerField("名额")
    action_number = models.PositiveSmallIntegerField("对应专项行动序号", null=True, blank=True)
    cancelled = models.BooleanField("已取消", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="发布人")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "社区活动"
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["unit", "starts_at"], name="activity_unit_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_positive"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="activity_kind_valid"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="activity_audience_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class ParticipationQuerySet(ScopedQuerySet["Participation"]):
    scope_field = "unit"

    def visible_to(self, user: Any) -> "ParticipationQuerySet":
        """Staff: the sign-ups to activities of their subtree. A resident: their own."""
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user))
        if getattr(user, "is_authenticated", False) and user.is_active:
            return self.filter(account=user)
        return self.filter(NOTHING)


class Participation(models.Model):
    """报名参加 — a resident's place in an activity, check-in, attendance and rating."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", "已报名"
        CANCELLED = "cancelled", "已取消"

    activity = models.ForeignKey(CommunityActivity, on_delete=models.CASCADE, related_name="participations",
                                 verbose_name="活动")
    # The activity's unit, copied so that scoping and the figures need no join.
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="所属村（社区）")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_participations",
                                verbose_name="居民账户")
    # Age on the activity's day, from the register when the account has a record there (for the 60+ / children shares).
    age = models.PositiveSmallIntegerField("参加时年龄", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SIGNED_UP)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    attended = models.BooleanField("已出席", default=False)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    rating = models.PositiveSmallIntegerField("评价", choices=Rating.choices, null=True, blank=True)
    rating_note = models.CharField("评价意见", max_length=200, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = "活动报名"
        ordering = ["activity_id", "pk"]
        indexes = [models.Index(fields=["unit", "attended"], name="participation_unit_attended")]
        constraints = [
            models.UniqueConstraint(fields=["activity", "account"], name="participation_once"),
            models.CheckConstraint(condition=Q(status__in=["signed_up", "cancelled"]), name="participation_status_valid"),
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="participation_rating_valid"),
        ]


def photo_path(instance: "ActivityPhoto", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"activities/{instance.activity.unit_id}/{instance.activity_id}/{instance.checksum[:16]}.{suffix}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(CommunityActivity, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to=photo_path)
    checksum = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "活动照片"
        ordering = ["uploaded_at"]


# ---------------------------------------------------------------- the building programme (专栏3)

class ProjectKind(models.TextChoices):
    VILLAGE_UPGRADE = "village_upgrade", "村级综合服务设施提升工程"
    RELOCATION = "relocation", "“空心村”治理集中安置社区综合服务设施补短板工程"
    OLD_ESTATE = "old_estate", "城镇老旧小区社区综合服务设施改造提升工程"
    NEW_BUILD = "new_build", "新建"
    RENOVATION = "renovation", "改造"
    BARRIER_FREE = "barrier_free", "无障碍改造"


class ProjectState(models.TextChoices):
    PLANNED = "planned", "计划"
    BUILDING = "building", "在建"
    INSPECTED = "inspected", "已验收"
    COMPLETED = "completed", "已完工投用"


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", "财政资金"
    COLLECTIVE = "collective", "村集体经济"
    SOCIAL = "social", "社会资助"
    OTHER = "other", "其他"


class Project(models.Model):
    """建设项目 — one project creating or improving a facility of a village-level unit."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="facility_projects", verbose_name="所属村（社区）")
    kind = models.CharField("项目类型", max_length=30, choices=ProjectKind.choices)
    name = models.CharField("项目名称", max_length=100)
    facility = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="projects", verbose_name="提升的设施",
                                 help_text="新建项目留空，完工时登记新设施")
    facility_name = models.CharField("新设施名称", max_length=100, blank=True)
    contractor = models.CharField("承建单位", max_length=100, blank=True)
    planned_start = models.DateField("计划开工日期")
    planned_end = models.DateField("计划完工日期")
    started_on = models.DateField("实际开工日期", null=True, blank=True)
    inspected_on = models.DateField("验收日期", null=True, blank=True)
    inspection_note = models.CharField("验收意见", max_length=200, blank=True)
    completed_on = models.DateField("完工投用日期", null=True, blank=True)
    state = models.CharField("状态", max_length=20, choices=ProjectState.choices, default=ProjectState.PLANNED)
    building_area = models.DecimalField("完工建筑面积（㎡）", max_digits=10, decimal_places=2, null=True, blank=True)
    activity_area = models.DecimalField("完工居民活动区域面积（㎡）", max_digits=10, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet["Project"].as_manager()

    class Meta:
        verbose_name = "设施建设项目"
        ordering = ["unit_id", "planned_start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ProjectKind.values), name="project_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=ProjectState.values), name="project_state_valid"),
            models.CheckConstraint(condition=Q(planned_end__gte=F("planned_start")), name="project_planned_order"),
            # A project is in use only after its inspection (验收在先，投用在后).
            models.CheckConstraint(condition=Q(completed_on__isnull=True)
                                   | Q(inspected_on__isnull=False, completed_on__gte=F("inspected_on")),
                                   name="project_in_use_after_inspection"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total_funding(self) -> Any:
        return sum((f.amount for f in self.fundings.all()), start=0)


class Funding(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="fundings")
    source = models.CharField("资金来源", max_length=20, choices=FundingSource.choices)
    amount = models.DecimalField("金额（万元）", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "项目资金"
        ordering = ["project_id", "source"]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=FundingSource.values), name="funding_source_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive"),
        ]


def milestone_path(instance: "Milestone", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"activities/projects/{instance.project.unit_id}/{instance.project_id}/{instance.checksum[:16]}.{suffix}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    reached_on = models.DateField("日期")
    title = models.CharField("节点", max_length=100)
    photo = models.ImageField("照片", upload_to=milestone_path, blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "项目节点"
        ordering = ["project_id", "reached_on", "pk"]


# ---------------------------------------------------------------- pilots and joint meetings

class PilotKind(models.TextChoices):
    SMART = "smart", "智慧社区试点"
    MODERN_SERVICE = "modern_service", "现代社区服务体系试点"
    RULE_OF_LAW = "rule_of_law", "民主法治示范村（社区）"
    LEARNING = "learning", "学习型社区"
    CHILD_FRIENDLY = "child_friendly", "儿童友好社区"
    ELDERLY_FRIENDLY = "elderly_friendly", "老年友好型社区"


class Pilot(models.Model):
    """试点/示范 — a designation (or an application for one) of a unit, with its evaluation at the end."""

    class Result(models.TextChoices):
        PENDING = "", "未评估"
        PASSED = "passed", "评估合格"
        FAILED = "failed", "评估不合格"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="pilots", verbose_name="单位")
    kind = models.CharField("试点类型", max_length=30, choices=PilotKind.choices)
    body = models.CharField("命名（批准）单位", max_length=100)
    designated_on = models.DateField("命名日期")
    period_end = models.DateField("试点期满日期")
    result = models.CharField("评估结果", max_length=10, choices=Result.choices, blank=True, default="")
    evaluation = models.CharField("评估意见", max_length=500, blank=True)
    evaluated_on = models.DateField("评估日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet["Pilot"].as_manager()

    class Meta:
        verbose_name = "试点示范"
        ordering = ["unit_id", "-designated_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PilotKind.values), name="pilot_kind_valid"),
            models.CheckConstraint(condition=Q(period_end__gt=F("designated_on")), name="pilot_period_order"),
        ]


class JointMeeting(models.Model):
    """社区党建工作联席会议 — one meeting of a township's joint conference with resident units."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="joint_meetings", verbose_name="乡镇（街道）")
    held_on = models.DateField("召开日期")
    agenda = models.TextField("议题")
    members = models.TextField("成员单位", help_text="乡镇（街道）党（工）委和驻区单位党组织，每行一个")
    attendance = models.TextField("出席单位", help_text="每行一个")
    decisions = models.TextField("议定事项", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet["JointMeeting"].as_manager()

    class Meta:
        verbose_name = "社区党建工作联席会议"
        ordering = ["-held_on", "pk"]


class MeetingTask(models.Model):
    """A task the meeting gives a resident unit, followed to completion."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="乡镇（街道）")
    assignee = models.CharField("承办单位", max_length=100)
    task = models.CharField("任务", max_length=300)
    due_on = models.DateField("完成时限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    outcome = models.CharField("完成情况", max_length=300, blank=True)

    objects = ScopedQuerySet["MeetingTask"].as_manager()

    class Meta:
        verbose_name = "联席会议任务"
        ordering = ["due_on", "pk"]


# ---------------------------------------------------------------- the community archive (§五(三))

class ArchiveKind(models.TextChoices):
    MINUTES = "minutes", "会议记录"
    DECISION = "decision", "决议决定"
    CERTIFICATE = "certificate", "证明文书"
    AGREEMENT = "agreement", "协议合同"
    PROJECT = "project", "项目档案"
    ACTIVITY = "activity", "活动记录"
    OTHER = "other", "其他"


class Retention(models.TextChoices):
    PERMANENT = "permanent", "永久"
    LONG = "long", "长期（30年）"
    SHORT = "short", "短期（10年）"


RETENTION_YEARS: dict[str, int | None] = {Retention.PERMANENT: None, Retention.LONG: 30, Retention.SHORT: 10}

# The retention class each kind of record takes unless the archivist chooses another.
DEFAULT_RETENTION = {
    ArchiveKind.MINUTES: Retention.LONG, ArchiveKind.DECISION: Retention.PERMANENT,
    ArchiveKind.CERTIFICATE: Retention.LONG, ArchiveKind.AGREEMENT: Retention.LONG,
    ArchiveKind.PROJECT: Retention.PERMANENT, ArchiveKind.ACTIVITY: Retention.SHORT, ArchiveKind.OTHER: Retention.SHORT,
}


def archive_path(instance: "ArchiveEntry", filename: str) -> str:
    return f"activities/archive/{instance.unit_id}/{instance.year}/{filename}"


class ArchiveEntry(models.Model):
    """档案 — one record filed into a community's archive by year."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="archive_entries", verbose_name="所属村（社区）")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("档案类别", max_length=20, choices=ArchiveKind.choices)
    title = models.CharField("题名", max_length=200)
    retention = models.CharField("保管期限", max_length=20, choices=Retention.choices)
    file = models.FileField("文件", upload_to=archive_path)
    file_name = models.CharField("文件名", max_length=200)
    source = models.CharField("来源记录", max_length=100, blank=True, help_text="如 activities.communityactivity:12")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="归档人")
    filed_at = models.DateTimeField("归档时间", auto_now_add=True)
    destroyed_at = models.DateTimeField("销毁时间", null=True, blank=True)
    destroyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="销毁人")
    destruction_note = models.CharField("销毁说明", max_length=200, blank=True)

    objects = ScopedQuerySet["ArchiveEntry"].as_manager()

    class Meta:
        verbose_name = "社区档案"
        ordering = ["unit_id", "-year", "kind", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ArchiveKind.values), name="archive_kind_valid"),
            models.CheckConstraint(condition=Q(retention__in=Retention.values), name="archive_retention_valid"),
            models.CheckConstraint(condition=~Q(retention="permanent") | Q(destroyed_at__isnull=True),
                                   name="archive_permanent_never_destroyed"),
        ]

    def __str__(self) -> str:
        return self.title

    def retention_ends(self) -> dt.date | None:
        """The day from which the entry may be destroyed (the end of its year + the retention years), or None."""
        years = RETENTION_YEARS[self.retention]
        return None if years is None else dt.date(self.year + years + 1, 1, 1)

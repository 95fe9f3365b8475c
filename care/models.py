"""Care that reaches people: visit rules, due visits, visits, referrals; emergency readiness.

探访规则 VisitRule → 探访任务 DueVisit (one per resident, rule and period) → 探访记录 Visit.
Emergency: 灾害信息员 DisasterOfficer, 应急避难场所 EmergencyShelter, 应急通知 EmergencyNotice
with one NoticeRecipient per person reached, 演练 Drill, and residents' EmergencyOptIn.
Every place-bound row carries the code of its village-level unit (unit_code).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.scoping import ScopedQuerySet
from people.tags import Tag


class Frequency(models.TextChoices):
    WEEK = "week", "每周"
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF_YEAR = "half_year", "每半年"


class VisitRule(models.Model):
    """探访规则 — which group is visited how often (set by city staff)."""

    tag = models.CharField("人员类别", max_length=40, choices=Tag.choices, unique=True)
    frequency = models.CharField("探访频次", max_length=12, choices=Frequency.choices, default=Frequency.MONTH)
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "探访规则"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(frequency__in=[f.value for f in Frequency]), name="visitrule_frequency_valid"),
            models.CheckConstraint(condition=Q(tag__in=[t.value for t in Tag]), name="visitrule_tag_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tag_display()} {self.get_frequency_display()}"


class DueVisitQuerySet(ScopedQuerySet["DueVisit"]):
    def due_on(self, day: object) -> "DueVisitQuerySet":
        """Rows still due as of day: not dropped, or dropped only after that day."""
        return self.filter(Q(removed_on__isnull=True) | Q(removed_on__gt=day))


class DueVisit(models.Model):
    """探访任务 — one resident due one visit under one rule in one period.

    removed_on: the day the resident dropped out (death, move, left the group) before
    being visited; such a row counts neither as due nor as visited from that day on.
    """

    rule = models.ForeignKey(VisitRule, on_delete=models.PROTECT, related_name="due_visits")
    tag = models.CharField("人员类别", max_length=40)
    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="due_visits")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="所属村（社区）")
    period_start = models.DateField("周期开始")
    period_end = models.DateField("周期结束")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="care_due_visits", verbose_name="责任社工")
    volunteer_name = models.CharField("志愿者", max_length=50, blank=True)
    visited_on = models.DateField("首次探访日期", null=True, blank=True)
    visit = models.ForeignKey("Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    removed_on = models.DateField("退出日期", null=True, blank=True)
    removed_reason = models.CharField("退出原因", max_length=20, blank=True)

    objects = DueVisitQuerySet.as_manager()

    class Meta:
        verbose_name = "探访任务"
        indexes = [
            models.Index(fields=["period_start", "tag", "unit"], name="duevisit_period_tag_unit"),
            models.Index(fields=["assignee", "period_start"], name="duevisit_assignee_period"),
            models.Index(fields=["resident", "period_start"], name="duevisit_resident_period"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["rule", "resident", "period_start"], condition=Q(removed_on__isnull=True),
                                    name="duevisit_once_per_period"),
        ]


class Method(models.TextChoices):
    HOME = "home", "入户"
    PHONE = "phone", "电话"
    VIDEO = "video", "视频"


class Rating(models.TextChoices):
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"


CHECKLIST = [("health", "身体状况"), ("home_safety", "居家安全"), ("living", "生活条件"), ("mood", "精神状态")]
RATING_SCORE = {"good": 2, "fair": 1, "poor": 0}


class VisitQuerySet(ScopedQuerySet["Visit"]):
    pass


class Visit(models.Model):
    """探访记录 — one visit to one resident."""

    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="visits")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="所属村（社区）")
    visited_at = models.DateTimeField("探访时间", db_index=True)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="care_visits",
                                verbose_name="记录人", help_text="空：志愿者或纸质台账补录，见探访人")
    visitor_name = models.CharField("探访人", max_length=50, blank=True, help_text="志愿者代为探访时填写")
    method = models.CharField("方式", max_length=10, choices=Method.choices, default=Method.HOME)
    health = models.CharField("身体状况", max_length=10, choices=Rating.choices)
    home_safety = models.CharField("居家安全", max_length=10, choices=Rating.choices)
    living = models.CharField("生活条件", max_length=10, choices=Rating.choices)
    mood = models.CharField("精神状态", max_length=10, choices=Rating.choices)
    needs = models.CharField("需求", max_length=200, blank=True)
    needs_action = models.BooleanField("需要跟进", default=False)
    notes = models.TextField("备注", blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # One visit per due row and submission: the due row this visit completed (at most one visit completes a row),
    # and the form's one-time key (a double-click or a resent request stores no second visit).
    completes = models.OneToOneField("DueVisit", null=True, blank=True, on_delete=models.SET_NULL, related_name="completed_by",
                                     editable=False)
    submission_key = models.CharField(max_length=40, blank=True, default="", editable=False)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = "探访记录"
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["resident", "visited_at"], name="visit_resident_at")]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=[m.value for m in Method]), name="visit_method_valid"),
            models.UniqueConstraint(fields=["visitor", "submission_key"], condition=~Q(submission_key=""),
                                    name="visit_submitted_once"),
            *[
                models.CheckConstraint(condition=Q(**{f"{field}__in": [r.value for r in Rating]}), name=f"visit_{field}_valid")
                for field, _ in CHECKLIST
            ],
        ]

    @property
    def visitor_label(self) -> str:
        return self.visitor_name or (str(self.visitor) if self.visitor_id else "")

    @property
    def notes_masked(self) -> str:
        return "••••" if self.notes else ""


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to="care/visits/%Y/%m/")

    class Meta:
        verbose_name = "探访照片"


class ReferralQuerySet(ScopedQuerySet["Referral"]):
    pass


class Referral(models.Model):
    """转介 — a finding handed to a named service, or filed as a service request (appeals)."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        DONE = "done", "已办结"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="referrals")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+")
    service = models.CharField("转介服务", max_length=100)
    reason = models.CharField("事由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    appeal_id = models.BigIntegerField("诉求编号", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "转介"
        constraints = [models.CheckConstraint(condition=Q(status__in=["open", "done"]), name="referral_status_valid")]


# ---- Emergency readiness -------------------------------------------------------------

class DisasterOfficerQuerySet(ScopedQuerySet["DisasterOfficer"]):
    pass


class DisasterOfficer(models.Model):
    """灾害信息员 — one or more per village-level unit."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="disaster_officer_posts", verbose_name="系统用户")
    name = models.CharField("姓名", max_length=50)
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    trained_on = models.DateField("培训日期", null=True, blank=True)
    appointed_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)

    objects = DisasterOfficerQuerySet.as_manager()

    class Meta:
        verbose_name = "灾害信息员"
        ordering = ["unit_id", "id"]


class ShelterKind(models.TextChoices):
    PARK = "park", "公园"
    SQUARE = "square", "广场"
    SCHOOL = "school", "学校"
    STADIUM = "stadium", "体育场馆"
    INDOOR = "indoor", "室内场所"
    OTHER = "other", "其他"


SHELTER_FACILITIES = [
    ("water", "应急供水"), ("power", "应急供电"), ("toilet", "应急厕所"), ("medical", "医疗救护"),
    ("supplies", "物资储备"), ("broadcast", "应急广播"), ("lighting", "应急照明"),
]


class EmergencyShelterQuerySet(ScopedQuerySet["EmergencyShelter"]):
    pass


class EmergencyShelter(models.Model):
    """应急避难场所."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="所属单位")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=ShelterKind.choices)
    capacity = models.PositiveIntegerField("可容纳人数")
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    facilities = models.JSONField("设施", default=list, blank=True)

    objects = EmergencyShelterQuerySet.as_manager()

    class Meta:
        verbose_name = "应急避难场所"
        ordering = ["unit_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=[k.value for k in ShelterKind]), name="shelter_kind_valid")]


class EmergencyOptInQuerySet(ScopedQuerySet["EmergencyOptIn"]):
    pass


class EmergencyOptIn(models.Model):
    """A resident who asked to receive emergency notices (应急通知订阅)."""

    resident = models.OneToOneField("people.Resident", on_delete=models.CASCADE, related_name="emergency_opt_in")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmergencyOptInQuerySet.as_manager()

    class Meta:
        verbose_name = "应急通知订阅"


class NoticeKind(models.TextChoices):
    HEAT = "heat", "高温"
    FLOOD = "flood", "暴雨洪涝"
    GAS = "gas", "燃气安全"
    EPIDEMIC = "epidemic", "疫情"
    EARTHQUAKE = "earthquake", "地震"
    FIRE = "fire", "火灾"
    COLD = "cold", "寒潮"
    OTHER = "other", "其他"


class EmergencyNoticeQuerySet(ScopedQuerySet["EmergencyNotice"]):
    pass


class EmergencyNotice(models.Model):
    """应急通知 — sent to every worker and officer in a subtree and opted-in residents."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="发送范围")
    kind = models.CharField("类别", max_length=12, choices=NoticeKind.choices)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("发送时间")
    recipient_count = models.PositiveIntegerField(default=0)

    objects = EmergencyNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "应急通知"
        ordering = ["-sent_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=[k.value for k in NoticeKind]), name="notice_kind_valid")]


class NoticeRecipient(models.Model):
    """One person a notice reached; acknowledged_at is set when they confirm receipt."""

    class Kind(models.TextChoices):
        WORKER = "worker", "工作人员"
        OFFICER = "officer", "灾害信息员"
        RESIDENT = "resident", "居民"

    notice = models.ForeignKey(EmergencyNotice, on_delete=models.CASCADE, related_name="recipients")
    unit_code = models.CharField(max_length=12)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    officer = models.ForeignKey(DisasterOfficer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=50, blank=True)
    token = models.CharField(max_length=32, unique=True)
    send_count = models.PositiveSmallIntegerField(default=1)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "应急通知接收人"
        indexes = [models.Index(fields=["notice", "unit_code"], name="noticerecipient_notice_unit")]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["worker", "officer", "resident"]), name="recipient_kind_valid")]


class DrillQuerySet(ScopedQuerySet["Drill"]):
    pass


class Drill(models.Model):
    """应急演练."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="组织单位")
    held_on = models.DateField("日期")
    scenario = models.CharField("演练科目", max_length=100)
    participants = models.PositiveIntegerField("参加人数")
    lessons = models.TextField("经验与不足", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = DrillQuerySet.as_manager()

    class Meta:
        verbose_name = "应急演练"
        ordering = ["-held_on", "-id"]

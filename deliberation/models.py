"""协商议事 — topics, meetings and votes, 公示, livelihood projects, the three lists and surveys.

A topic (议题) is raised by a resident (with supporters of the same community), staff, the party organisation or
from requests (appeals); it is accepted or declined, goes to meetings whose quorum and majority are computed from
the register and the attendance (deliberation.quorum), ends in a decision that is published (公示) and may become a
livelihood project (民生项目). Every step writes a TopicEvent: the topic's one timeline.

Secret ballots and anonymous surveys keep who took part apart from what was chosen: a Receipt / Invitation says
that a person voted or answered; the choice is a counter on the motion (ballots) or a Response row with a random
key, the day only and no link to anybody (surveys). See docs/deliberation.md.
"""

import uuid
from typing import Any

from django.db import models
from django.db.models import Q

from accounts.roles import Role
from accounts.scoping import NOTHING, ScopedQuerySet, scope_prefix, scope_q


class CommunityQuerySet(ScopedQuerySet[Any]):
    """Staff: their subtree. A resident: the rows of their own community."""

    def visible_to(self, user: Any) -> Any:
        if scope_prefix(user) is not None:
            return self.filter(scope_q(user, self.scope_field))
        if (getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.RESIDENT
                and user.unit_id):
            return self.filter(**{f"{self.scope_field}_id": user.unit_id})
        return self.filter(NOTHING)


class StaffQuerySet(ScopedQuerySet[Any]):
    """Staff only (needs, resources, projects' internals)."""


class Settings(models.Model):
    """One community's rules of procedure (议事规则); defaults apply where a community has none."""

    DEFAULTS = {"support_threshold": 10, "notice_days": 5, "publicity_days": 7, "correction_days": 3}

    unit = models.OneToOneField("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                                related_name="deliberation_settings", verbose_name="村（社区）")
    support_threshold = models.PositiveSmallIntegerField("居民提议所需附议人数", default=10)
    notice_days = models.PositiveSmallIntegerField("会议提前公告天数", default=5)
    publicity_days = models.PositiveSmallIntegerField("决议公示最少天数", default=7)
    correction_days = models.PositiveSmallIntegerField("纪要更正期（天）", default=3)

    class Meta:
        verbose_name = "议事规则"


class Origin(models.TextChoices):
    RESIDENT = "resident", "居民提议"
    STAFF = "staff", "工作人员提出"
    PARTY = "party", "党组织提出"
    REQUEST = "request", "诉求转议题"


class TopicState(models.TextChoices):
    COLLECTING = "collecting", "征集附议"
    SUBMITTED = "submitted", "待受理"
    ACCEPTED = "accepted", "已受理，协商中"
    DECLINED = "declined", "不予受理"
    DECIDED = "decided", "已形成决议"
    PUBLICIZING = "publicizing", "决议公示中"
    IMPLEMENTING = "implementing", "实施中"
    DONE = "done", "已完成"
    MERGED = "merged", "已合并"


class MeetingKind(models.TextChoices):
    VILLAGERS = "villagers", "村民会议"
    VILLAGE_REPS = "village_reps", "村民代表会议"
    RESIDENTS = "residents", "居民会议"
    RESIDENT_REPS = "resident_reps", "居民代表会议"
    CONSULTATION = "consultation", "议事协商会"
    HEARING = "hearing", "听证会"
    TALK = "talk", "恳谈会"


class Basis(models.TextChoices):
    """Who is convened: the denominator of the quorum."""

    ADULTS = "adults", "全体18周岁以上居民"
    HOUSEHOLDS = "households", "每户派代表"
    REPRESENTATIVES = "representatives", "代表"


class FourStep(models.TextChoices):
    """四议两公开, in order."""

    PROPOSE = "1_propose", "党支部会提议"
    CONSULT = "2_consult", "两委会商议"
    REVIEW = "3_review", "党员大会审议"
    RESOLVE = "4_resolve", "村民代表会议或村民会议决议"
    PUBLISH_DECISION = "5_publish", "决议公开"
    PUBLISH_RESULT = "6_result", "实施结果公开"


class Topic(models.Model):
    """议题 — a matter of common interest of one village or community."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="topics", verbose_name="村（社区）")
    title = models.CharField("议题", max_length=100)
    body = models.TextField("内容", max_length=2000)
    origin = models.CharField("来源", max_length=20, choices=Origin.choices)
    state = models.CharField("状态", max_length=20, choices=TopicState.choices, default=TopicState.SUBMITTED)
    major_matter = models.BooleanField("重大事项（四议两公开）", default=False)
    procedure = models.CharField("议事形式", max_length=20, choices=MeetingKind.choices, blank=True)
    proposer = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="提出人")
    proposer_public_name = models.CharField("公开署名", max_length=50, blank=True, help_text="提出人同意公开的称呼")
    appeals = models.ManyToManyField("appeals.Appeal", blank=True, related_name="topics", verbose_name="来源诉求")
    decline_reason = models.CharField("不予受理理由", max_length=300, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged",
                                    verbose_name="合并到")
    decision = models.TextField("决议内容", max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = "议题"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(origin__in=Origin.values), name="topic_origin_valid"),
            models.CheckConstraint(condition=Q(state__in=TopicState.values), name="topic_state_valid"),
            models.CheckConstraint(condition=~Q(state="declined") | ~Q(decline_reason=""), name="topic_declined_has_reason"),
        ]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    """附议 — one resident of the same community supports a proposal."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="support_once")]


class TopicEvent(models.Model):
    """One line of the topic's timeline; public text only (no personal data beyond allowed names)."""

    class Kind(models.TextChoices):
        ORIGIN = "origin", "提出"
        SUPPORT = "support", "附议"
        ACCEPTED = "accepted", "受理"
        DECLINED = "declined", "不予受理"
        MERGED = "merged", "合并"
        STEP = "step", "四议两公开"
        MEETING = "meeting", "会议"
        VOTE = "vote", "表决"
        DECISION = "decision", "决议"
        PUBLICITY = "publicity", "公示"
        OBJECTION = "objection", "异议"
        PROJECT = "project", "民生项目"
        MILESTONE = "milestone", "项目节点"
        RESULT = "result", "结果公开"
        RATING = "rating", "评价"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    at = models.DateTimeField("时间")
    summary = models.CharField("摘要", max_length=300)

    class Meta:
        ordering = ["at", "pk"]


class MajorStep(models.Model):
    """One step of 四议两公开 done for a major matter."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField("步骤", max_length=20, choices=FourStep.choices)
    done_on = models.DateField("日期")
    note = models.CharField("说明", max_length=300, blank=True)
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["step"]
        constraints = [models.UniqueConstraint(fields=["topic", "step"], name="major_step_once")]


class Representative(models.Model):
    """村民代表 / 居民代表 (or an elected group representative) of a community."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+", verbose_name="居民")
    since = models.DateField("任期起")
    until = models.DateField("任期止", null=True, blank=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "resident"], name="representative_once")]


class Meeting(models.Model):
    """A meeting on a topic; quorum from the register (eligible_*) frozen when the notice is published."""

    class Status(models.TextChoices):
        NOTICED = "noticed", "已公告"
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="meetings")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    basis = models.CharField("参会范围", max_length=20, choices=Basis.choices)
    starts_at = models.DateTimeField("召开时间")
    place = models.CharField("地点", max_length=100)
    agenda = models.TextField("议程", max_length=2000)
    invited_parties = models.CharField("列席单位", max_length=300, blank=True, help_text="驻区单位、业委会、物业、社会组织等")
    allow_proxy = models.BooleanField("允许委托投票", default=False)
    notice_at = models.DateTimeField("公告时间")
    eligible = models.PositiveIntegerField("应到（按登记计算）", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.NOTICED)
    minutes = models.TextField("会议纪要", max_length=10000, blank=True)
    minutes_draft_at = models.DateTimeField("纪要起草时间", null=True, blank=True)
    minutes_published_at = models.DateTimeField("纪要公开时间", null=True, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = "会议"
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
            models.CheckConstraint(condition=Q(basis__in=Basis.values), name="meeting_basis_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic.title}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_qr = models.BooleanField("扫码签到", default=False)
    proxy_for = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="受托人（委托投票）")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "resident"], name="attend_once")]


class Motion(models.Model):
    """One question put to the vote; secret ballots are counters (no ballot row names anyone)."""

    class Method(models.TextChoices):
        HANDS = "hands", "举手表决"
        SECRET = "secret", "无记名投票"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="motions")
    text = models.CharField("表决事项", max_length=300)
    method = models.CharField("表决方式", max_length=10, choices=Method.choices)
    yes = models.PositiveIntegerField("赞成", default=0)
    no = models.PositiveIntegerField("反对", default=0)
    abstain = models.PositiveIntegerField("弃权", default=0)
    present = models.PositiveIntegerField("表决时实到", default=0)
    closed_at = models.DateTimeField("表决结束", null=True, blank=True)
    passed = models.BooleanField("通过", null=True)

    class Meta:
        ordering = ["pk"]


class Receipt(models.Model):
    """That a person voted on a secret motion (one vote each); never what they chose."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="receipts")
    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "resident"], name="receipt_once")]


class MinutesCorrection(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="corrections")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    text = models.CharField("更正意见", max_length=500)
    at = models.DateTimeField(auto_now_add=True)


class Publicity(models.Model):
    """决议公示 — a decision shown publicly for at least the community's period."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="publicity")
    token = models.CharField(max_length=32, unique=True)
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束")
    text = models.TextField("公示内容", max_length=2000)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="publicity_dates")]


class Objection(models.Model):
    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="objections")
    user = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField("异议", max_length=500)
    answer = models.CharField("答复", max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)


class Project(models.Model):
    """民生项目 — from a decision or a match; progress 0–100, a parent's progress weighted from its children."""

    class Status(models.TextChoices):
        ONGOING = "ongoing", "实施中"
        DONE = "done", "已完成"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    weight = models.PositiveSmallIntegerField("权重", default=1)
    title = models.CharField("项目名称", max_length=100)
    owner = models.CharField("责任人/单位", max_length=100)
    budget = models.DecimalField("预算（元）", max_digits=12, decimal_places=2, default=0)
    source = models.CharField("资金来源", max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ONGOING)
    result = models.TextField("实施结果", max_length=2000, blank=True)
    result_published_at = models.DateTimeField("结果公开时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = "民生项目"
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_max")]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=100)
    due_on = models.DateField("计划日期")
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]


class Rating(models.Model):
    """好差评 of a finished project by a resident of its community."""

    class Level(models.IntegerChoices):
        VERY_BAD = 1, "非常不满意"
        BAD = 2, "不满意"
        OK = 3, "基本满意"
        GOOD = 4, "满意"
        VERY_GOOD = 5, "非常满意"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField("评价", choices=Level.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_rating_once"),
                       models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="project_rating_level_valid")]


# ---------------------------------------------------------------- 三项清单

class Category(models.TextChoices):
    ELDERLY = "elderly", "养老服务"
    CHILDREN = "children", "托育与儿童"
    HEALTH = "health", "医疗健康"
    CULTURE = "culture", "文化体育"
    ENVIRONMENT = "environment", "环境整治"
    PARKING = "parking", "停车"
    SPACE = "space", "活动场地"
    EMPLOYMENT = "employment", "就业帮扶"
    DAILY = "daily", "便民生活"
    OTHER = "other", "其他"


class Need(models.Model):
    """居民需求清单 — one need of a community."""

    class Source(models.TextChoices):
        STAFF = "staff", "工作人员录入"
        RESIDENT = "resident", "居民提出"
        VISIT = "visit", "走访"
        REQUEST = "request", "诉求"
        SURVEY = "survey", "问卷"

    class Status(models.TextChoices):
        OPEN = "open", "待对接"
        MATCHED = "matched", "已对接"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    title = models.CharField("需求", max_length=100)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    target_group = models.CharField("服务对象", max_length=50, blank=True)
    urgency = models.PositiveSmallIntegerField("紧急程度（1–3）", default=2)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.STAFF)
    wanted_day = models.CharField("希望时间", max_length=10, blank=True, help_text="如 sat、sun；空为不限")
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resource = models.ForeignKey("Resource", null=True, blank=True, on_delete=models.SET_NULL, related_name="needs",
                                 verbose_name="对接资源")
    matched_at = models.DateTimeField("对接时间", null=True, blank=True)
    matched_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = "居民需求"
        ordering = ["-urgency", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(urgency__gte=1, urgency__lte=3), name="need_urgency_valid"),
                       models.CheckConstraint(condition=Q(category__in=Category.values), name="need_category_valid")]

    def __str__(self) -> str:
        return self.title


class Resource(models.Model):
    """服务资源清单 — something that can meet needs, with capacity, place and days."""

    class Kind(models.TextChoices):
        FACILITY = "facility", "设施场地"
        TEAM = "team", "志愿服务队"
        SOCIAL_ORG = "social_org", "社会组织"
        UNIT_OPEN = "unit_open", "驻区单位资源开放"
        BUSINESS = "business", "便民生活圈商户"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    name = models.CharField("资源", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    capacity = models.PositiveIntegerField("可承接需求数", default=1)
    days = models.CharField("开放日", max_length=40, blank=True, help_text="如 mon,tue,sat；空为每天")
    hours = models.CharField("开放时间", max_length=50, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = "服务资源"
        ordering = ["unit_id", "name", "pk"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- surveys

class Survey(models.Model):
    """A survey of a community (or a subtree, by its unit) — the satisfaction survey is one built from the template."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        OPEN = "open", "收集中"
        CLOSED = "closed", "已结束"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="发放范围")
    title = models.CharField("问卷", max_length=100)
    satisfaction = models.BooleanField("城乡社区服务群众满意度调查", default=False)
    anonymous = models.BooleanField("匿名", default=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name="会议参会人")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_on = models.DateField("开始", null=True, blank=True)
    closed_on = models.DateField("结束", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = "问卷"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "单选"
        MULTIPLE = "multiple", "多选"
        SCALE = "scale", "1–5分"
        TEXT = "text", "文字"
        MATRIX = "matrix", "矩阵（每行1–5分）"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("题型", max_length=10, choices=Kind.choices)
    text = models.CharField("题目", max_length=200)
    options = models.JSONField("选项/矩阵行", default=list, blank=True)
    show_if_question = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                         verbose_name="仅当该题")
    show_if_answer = models.CharField("的回答为", max_length=100, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "order"], name="question_order_once")]


class Invitation(models.Model):
    """One invited person; `answered` is all that is kept of their taking part."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "resident"], name="invitation_once")]


class Response(models.Model):
    """One answer sheet. Random key, the day only, the village only; for an anonymous survey, no person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="答卷人所在村（社区）")
    answers = models.JSONField(default=dict)
    on_paper = models.BooleanField("纸质录入", default=False)
    submitted_on = models.DateField("提交日期")
    respondent = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text="仅实名问卷")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["survey", "unit"], name="response_survey_unit")]

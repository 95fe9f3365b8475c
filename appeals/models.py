"""接诉即办: residents' requests (诉求), their handling timeline, deadlines and ratings (好差评)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from accounts.roles import Role
from accounts.scoping import NOTHING, ScopedQuerySet, scope_prefix, scope_q
from places.codes import within


class Category(models.Model):
    """诉求类别 — one of the city's 20 categories (also the Open311 service codes), with its deadlines."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    covers = models.CharField("包括", max_length=300, blank=True)
    lead_department_name = models.CharField("牵头部门", max_length=100, blank=True)
    urgent = models.BooleanField("紧急类", default=False, help_text="安全、水电气暖等：受理和首次联系时限按紧急时限计算")
    accept_hours = models.PositiveSmallIntegerField("签收时限（工作小时）", default=2)
    contact_hours = models.PositiveSmallIntegerField("首次联系时限（小时）", default=24)
    reply_days = models.PositiveSmallIntegerField("答复时限（工作日）", default=5)
    urgent_hours = models.PositiveSmallIntegerField("紧急时限（小时）", default=2)
    active = models.BooleanField("启用", default=True)
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "诉求类别"
        verbose_name_plural = "诉求类别"

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """工作日历调整 — a public holiday on a weekday, or a make-up working day (调休) on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("说明", max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        constraints = [models.CheckConstraint(condition=Q(kind__in=["holiday", "workday"]), name="calendarday_kind_valid")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ApiClient(models.Model):
    """Open311 客户端 — a system allowed to file requests (12345 hotline, a partner app); only the key's hash is kept."""

    name = models.CharField("客户端名称", max_length=100, unique=True)
    contact = models.CharField("联系人", max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField("密钥前缀", max_length=8, editable=False)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Open311 客户端"
        verbose_name_plural = "Open311 客户端"

    def __str__(self) -> str:
        return self.name


class DailyCounter(models.Model):
    """The last tracking number issued on a day (Asia/Shanghai)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)



class FloodCounter(models.Model):
    """Flood limits (filings, tracking look-ups): attempts under one key (a hashed address or phone) in one fixed
    window, counted by a conditional UPDATE so that parallel requests can never pass the limit (appeals.throttle)."""

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="one_flood_counter_per_window")]

class State(models.TextChoices):
    SUBMITTED = "submitted", "待签收"
    ACCEPTED = "accepted", "已签收"
    IN_PROGRESS = "in_progress", "办理中"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    REOPENED = "reopened", "重新办理"


OPEN_STATES = [State.SUBMITTED, State.ACCEPTED, State.IN_PROGRESS, State.REOPENED]


class Channel(models.TextChoices):
    WEB = "web", "网上提交"
    PHONE = "phone", "电话"
    IN_PERSON = "in_person", "现场来访"
    HOTLINE = "hotline_12345", "12345转办"
    OPEN311 = "open311", "Open311 客户端"


class LocationKind(models.TextChoices):
    HOME = "home", "本人住址"
    ADDRESS = "address", "其他地址"
    POINT = "point", "地图位置"


class RatingLevel(models.IntegerChoices):
    """好差评 five national levels."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


SATISFIED_LEVELS = [5, 4, 3]


class AppealQuerySet(ScopedQuerySet["Appeal"]):
    def visible_to(self, user: Any) -> "AppealQuerySet":
        """Staff: the current handling unit is in their subtree, or it is dispatched to (or assisted by) their
        department or a unit in their subtree. Residents: their own requests and those they follow."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.filter(NOTHING)
        if user.role == Role.RESIDENT:
            follows = AppealFollower.objects.filter(appeal=OuterRef("pk"), user=user)
            return self.filter(Q(submitter=user) | Exists(follows))
        q = scope_q(user)
        prefix = scope_prefix(user)
        if prefix is not None:
            q |= Q(Exists(Assist.objects.filter(within("unit_id", prefix), appeal=OuterRef("pk"))))
        if user.role == Role.DEPARTMENT_STAFF and user.department_id:
            q |= Q(department_id=user.department_id)
            q |= Q(Exists(Assist.objects.filter(appeal=OuterRef("pk"), department_id=user.department_id)))
        return self.filter(q)


class Appeal(models.Model):
    """诉求 — one resident request, from filing to rating."""

    State = State
    Channel = Channel
    LocationKind = LocationKind

    tracking_no = models.CharField("受理编号", max_length=16)
    token = models.CharField("查询令牌", max_length=32)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="appeals", verbose_name="类别", db_index=False)
    description = models.TextField("诉求内容", max_length=2000)
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.SUBMITTED)
    urgent = models.BooleanField("紧急", default=False)
    # 首接负责: the unit that first received it, and the unit handling it now.
    home_unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="home_unit_code", on_delete=models.PROTECT,
                                  related_name="+", verbose_name="首接单位", db_index=False)
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="appeals", verbose_name="承办单位", db_index=False)
    department = models.ForeignKey("places.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="appeals", verbose_name="承办部门", db_index=False)
    supervisor_unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="supervisor_unit_code", null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="督办单位",
                                        db_index=False)
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="appeals", verbose_name="提交人账户", db_index=False)
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="appeals", verbose_name="居民", db_index=False)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name="代录人", db_index=False)
    api_client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals",
                                   db_index=False)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    public_name = models.BooleanField("可公开姓名", default=False)
    location_kind = models.CharField("位置", max_length=10, choices=LocationKind.choices, default=LocationKind.ADDRESS)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    accept_due_at = models.DateTimeField("签收时限", null=True, blank=True)
    reply_due_at = models.DateTimeField("答复时限", null=True, blank=True)
    first_accepted_at = models.DateTimeField("首次签收时间", null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="签收人", db_index=False)
    first_contact_at = models.DateTimeField("首次联系时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    resolved = models.BooleanField("已解决", default=False)
    accept_seconds = models.PositiveIntegerField(null=True, blank=True)
    reply_seconds = models.PositiveIntegerField(null=True, blank=True)
    overdue_count = models.PositiveSmallIntegerField("逾期次数", default=0)
    final_rating = models.PositiveSmallIntegerField("评价", null=True, blank=True, choices=RatingLevel.choices)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged",
                                    verbose_name="合并至", db_index=False)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        indexes = [
            models.Index(fields=["unit", "state"], name="appeal_unit_state"),
            models.Index(fields=["home_unit", "created_at"], name="appeal_home_created"),
            models.Index(fields=["category", "state"], name="appeal_category_state"),
            models.Index(fields=["ip_hash", "created_at"], name="appeal_ip_created"),
            models.Index(fields=["phone_hash", "created_at"], name="appeal_phone_created"),
            # Every index is paid for on each filing: the optional links are indexed only where set,
            # and the code columns carry no LIKE (varchar_pattern_ops) twin, since subtrees are ranges.
            *[models.Index(fields=[f], condition=Q(**{f"{f}__isnull": False}), name=f"appeal_{f}_set")
              for f in ("department", "supervisor_unit", "submitter", "resident", "registered_by", "accepted_by",
                        "api_client", "merged_into")],
        ]
        constraints = [
            models.UniqueConstraint(fields=["tracking_no"], name="appeal_tracking_no_unique"),
            models.UniqueConstraint(fields=["token"], name="appeal_token_unique"),
            models.CheckConstraint(condition=Q(state__in=[s.value for s in State]), name="appeal_state_valid"),
            models.CheckConstraint(condition=Q(channel__in=[c.value for c in Channel]), name="appeal_channel_valid"),
            models.CheckConstraint(condition=Q(location_kind__in=[k.value for k in LocationKind]), name="appeal_location_valid"),
            models.CheckConstraint(condition=Q(final_rating__isnull=True) | Q(final_rating__gte=1, final_rating__lte=5),
                                   name="appeal_rating_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_no} {self.category.name}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class AppealFollower(models.Model):
    """A resident whose duplicate request was merged into this one follows it (receives its updates)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    phone_enc = models.TextField(blank=True)
    source = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "source"], name="one_follow_per_merged_appeal")]


class Assist(models.Model):
    """协办 — another unit or department that handles the request jointly with the lead (承办) unit."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="assists")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", verbose_name="协办单位")
    department = models.ForeignKey("places.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="协办部门")
    note = models.CharField("协办事项", max_length=300, blank=True)
    opinion = models.TextField("协办意见", blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(unit__isnull=False) | Q(department__isnull=False),
                                              name="assist_has_unit_or_department")]


class EventAction(models.TextChoices):
    SUBMIT = "submit", "提交诉求"
    ACCEPT = "accept", "签收"
    CONTACT = "contact", "联系居民"
    START = "start", "开始办理"
    REPLY = "reply", "答复"
    CLOSE = "close", "办结"
    REOPEN = "reopen", "重新办理"
    TRANSFER = "transfer", "转办"
    DISPATCH = "dispatch", "派单"
    RETURN = "return", "退回"
    ASSIST = "assist", "发起协办"
    ASSIST_REPLY = "assist_reply", "协办意见"
    EXTEND_REQUEST = "extend_request", "申请延期"
    EXTEND_DECIDE = "extend_decide", "延期审批"
    OVERDUE = "overdue", "逾期督办"
    RATE = "rate", "评价"
    RECTIFY = "rectify", "整改"
    CALLBACK = "callback", "回访"
    RATING_APPEAL = "rating_appeal", "评价申诉"
    RATING_DECIDE = "rating_decide", "申诉裁定"
    MERGE = "merge", "合并"
    NOTE = "note", "备注"


class Event(models.Model):
    """One step of the timeline (办理过程): who, when, what, a note, attachments."""

    Action = EventAction

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")  # read per request (by appeal), never across requests: no index to pay on each filing
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              db_index=False)
    actor_label = models.CharField("办理人", max_length=120, blank=True)
    action = models.CharField("环节", max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField("说明", blank=True)
    # Where the request went: unit codes, or "dept:<code>" for a department.
    from_unit = models.CharField(max_length=60, blank=True)
    to_unit = models.CharField(max_length=60, blank=True)
    public = models.BooleanField("居民可见", default=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="event_actor_set")]
        constraints = [models.CheckConstraint(condition=Q(action__in=[a.value for a in EventAction]), name="event_action_valid")]

    @property
    def to_state_label(self) -> str:
        """The state reached, in State's words (待签收, 已答复 …): the one vocabulary of every timeline."""
        return str(State(self.to_state).label) if self.to_state in State.values else self.to_state


class Photo(models.Model):
    """A photo or attachment (JPEG/PNG, re-encoded without metadata)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="appeals/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)


class Deadline(models.Model):
    """时限 — one clock on a request. A row, so a restart loses nothing; paused while an extension is decided."""

    class Kind(models.TextChoices):
        ACCEPT = "accept", "签收"
        CONTACT = "contact", "首次联系"
        REPLY = "reply", "答复"
        RECTIFY = "rectify", "整改"
        CALLBACK = "callback", "回访"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="责任单位", db_index=False)
    due_at = models.DateTimeField("到期时间")
    paused_at = models.DateTimeField("暂停计时", null=True, blank=True)
    met_at = models.DateTimeField("完成时间", null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField("逾期督办时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        # Clocks are read by request or, when open, by due time (the escalation sweep); each filing adds three
        # rows, so nothing else is indexed.
        indexes = [models.Index(fields=["met_at", "cancelled_at", "escalated_at", "due_at"], name="deadline_open_due")]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["accept", "contact", "reply", "rectify", "callback"]),
                                              name="deadline_kind_valid")]

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


class Extension(models.Model):
    """延期申请 — decided by the level above; the clock is paused while it waits."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="extensions")
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延期工作日")
    reason = models.TextField("理由")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(decision__in=["pending", "approved", "rejected"]),
                                              name="extension_decision_valid")]


class Rating(models.Model):
    """好差评 — the resident's rating of a reply; at most two rounds (the second after rectification)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(default=1)
    level = models.PositiveSmallIntegerField("评价", choices=RatingLevel.choices)
    comment = models.TextField("评价内容", blank=True, max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    voided = models.BooleanField("经申诉撤销", default=False)
    # A rating the resident gave on the phone: recorded by a call-back (回访) user of the level above the handling unit.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="回访代录人")
    phone_level = models.PositiveSmallIntegerField("回访记录的评价", null=True, blank=True, choices=RatingLevel.choices)
    corrected_at = models.DateTimeField("居民更正时间", null=True, blank=True)

    class Meta:
        ordering = ["round"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "round"], name="one_rating_per_round"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_valid"),
            models.CheckConstraint(condition=Q(round__in=[1, 2]), name="rating_round_valid"),
        ]

    @property
    def by_phone(self) -> bool:
        return self.recorded_by_id is not None or self.phone_level is not None


class Rectification(models.Model):
    """整改 — opened by 不满意/非常不满意; owned by the handling unit, called back by the level above."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="rectifications")
    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="rectification")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+")
    callback_unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="callback_unit_code",
                                      on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    callback_at = models.DateTimeField(null=True, blank=True)
    callback_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    callback_note = models.TextField("回访记录", blank=True)
    done_at = models.DateTimeField(null=True, blank=True)


class RatingAppeal(models.Model):
    """评价申诉 — the handling unit contests a rating; the level above decides."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待裁定"
        UPHELD = "upheld", "维持评价"
        VOIDED = "voided", "撤销评价"

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField("申诉理由")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(decision__in=["pending", "upheld", "voided"]),
                                              name="ratingappeal_decision_valid")]

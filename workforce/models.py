"""社区工作者队伍 — community workers of each village-level unit, trainings and attendance (plan §四（五）, 专栏5).

Who counts as a 社区工作者 (community worker) for the plan's indicators: the members of the
两委 (party secretary, committee director, one person holding both, other committee members)
and full-time community workers (专职社区工作者). Part-time grid members (网格员) and
building leaders (楼门长) are recorded here for contact but are not counted: see COUNTED.
"""

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q

from accounts.scoping import NOTHING, ScopedQuerySet, scope_prefix, scope_q
from places.codes import PREFIX_LENGTH


class Position(models.TextChoices):
    SECRETARY = "secretary", "党组织书记"
    DIRECTOR = "director", "居（村）委会主任"
    SECRETARY_DIRECTOR = "secretary_director", "书记兼主任（一人兼）"
    COMMITTEE_MEMBER = "committee_member", "两委委员"
    FULL_TIME = "full_time", "专职社区工作者"
    GRID_WORKER = "grid_worker", "网格员"
    BUILDING_LEADER = "building_leader", "楼门长"


# Positions that count as 社区工作者 (两委 members and full-time workers).
COUNTED = (Position.SECRETARY, Position.DIRECTOR, Position.SECRETARY_DIRECTOR, Position.COMMITTEE_MEMBER,
           Position.FULL_TIME)
# Positions that must be rotation-trained every year (书记、主任).
SECRETARY_POSITIONS = (Position.SECRETARY, Position.SECRETARY_DIRECTOR)
DIRECTOR_POSITIONS = (Position.DIRECTOR, Position.SECRETARY_DIRECTOR)
LEADER_POSITIONS = (Position.SECRETARY, Position.DIRECTOR, Position.SECRETARY_DIRECTOR)


def in_post_on(day: dt.date, prefix: str = "") -> Q:
    """Workers in post on a day: started on or before it, not yet left (ended_on is the first day out of post)."""
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day}))


def in_post_during(first: dt.date, last: dt.date, prefix: str = "") -> Q:
    """Workers in post on at least one day of [first, last]."""
    return Q(**{f"{prefix}started_on__lte": last}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": first}))


class Body(models.TextChoices):
    """The body a post belongs to: the party organisation or the villagers' / residents' committee."""

    PARTY = "party", "党组织"
    COMMITTEE = "committee", "村（居）民委员会"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class CommunityWorkerQuerySet(ScopedQuerySet["CommunityWorker"]):
    def in_post(self, day: dt.date) -> "CommunityWorkerQuerySet":
        return self.filter(in_post_on(day))

    def counted(self) -> "CommunityWorkerQuerySet":
        return self.filter(position__in=COUNTED)


class CommunityWorker(models.Model):
    """社区工作者 — one person in one post in one village-level unit; leaving the post sets ended_on (离任)."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="community_workers", verbose_name="所属村（社区）")
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    position = models.CharField("岗位", max_length=20, choices=Position.choices)
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    phone_hash = models.CharField("联系电话检索摘要", max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("联系电话（脱敏）", max_length=20, blank=True)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True, help_text="离任当日起不再计入在岗人数")
    account = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="worker_posts", verbose_name="系统账户")
    body = models.CharField("所属组织", max_length=10, choices=Body.choices, blank=True,
                            help_text="两委委员属党组织还是村（居）民委员会；空 = 未注明")
    election = models.ForeignKey("ElectionRound", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="elected", verbose_name="当选于")
    votes = models.PositiveIntegerField("得票数", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunityWorkerQuerySet.as_manager()

    class Meta:
        verbose_name = "社区工作者"
        ordering = ["unit_id", "position", "name", "pk"]
        indexes = [models.Index(fields=["unit", "position"], name="workforce_worker_unit_pos")]
        constraints = [
            models.CheckConstraint(condition=Q(position__in=Position.values), name="workforce_worker_position_valid"),
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="workforce_worker_gender_valid"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="workforce_worker_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_position_display()}）"

    @property
    def counts_as_worker(self) -> bool:
        return self.position in COUNTED

    def is_in_post(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)


class TrainingLevel(models.TextChoices):
    PROVINCIAL = "provincial", "省级示范培训"
    MUNICIPAL = "municipal", "市级重点培训"
    DISTRICT = "district", "区级兜底培训"


class TrainingKind(models.TextChoices):
    ROTATION = "rotation", "轮训"
    POST = "post", "岗位培训"
    BUSINESS = "business", "业务培训"
    QUALIFICATION = "qualification", "任职资格培训"
    ONLINE = "online", "网络学习"


class TrainingQuerySet(ScopedQuerySet["Training"]):
    def visible_to(self, user: Any) -> "TrainingQuerySet":
        """Trainings held by a unit in the user's subtree, or by one of the units above it (city, county, township)."""
        prefix = scope_prefix(user)
        if prefix is None:
            return self.filter(NOTHING)
        above = [prefix[:n].ljust(12, "0") for n in PREFIX_LENGTH.values() if n < len(prefix)]
        return self.filter(scope_q(user) | Q(unit_id__in=above))


class Training(models.Model):
    """培训 — one training course (省级示范/市级重点/区级兜底), recorded by the unit that organises it."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="workforce_trainings", verbose_name="组织单位（区划）")
    title = models.CharField("培训名称", max_length=200)
    level = models.CharField("培训层级", max_length=20, choices=TrainingLevel.choices)
    kind = models.CharField("培训类别", max_length=20, choices=TrainingKind.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    organiser = models.CharField("主办单位", max_length=100, blank=True)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, default=8,
                                help_text="结业计入的学时；网络学习可按人登记实际学时")
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = "培训"
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=TrainingLevel.values), name="workforce_training_level_valid"),
            models.CheckConstraint(condition=Q(kind__in=TrainingKind.values), name="workforce_training_kind_valid"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="workforce_training_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceQuerySet(ScopedQuerySet["TrainingAttendance"]):
    scope_field = "worker__unit_id"


class TrainingAttendance(models.Model):
    """参训记录 — one worker on one training; completed = 结业."""

    worker = models.ForeignKey(CommunityWorker, on_delete=models.CASCADE, related_name="attendances", verbose_name="社区工作者")
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendances", verbose_name="培训")
    completed = models.BooleanField("已结业", default=False)
    hours = models.DecimalField("实际学时", max_digits=5, decimal_places=1, null=True, blank=True,
                                help_text="空 = 培训的学时")
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="录入人")
    recorded_at = models.DateTimeField(auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = "参训记录"
        constraints = [models.UniqueConstraint(fields=["worker", "training"], name="workforce_attendance_once")]

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.training_id}"



# ---------------------------------------------------------------- 换届选举 and 资格联审 (§四（五）1, 附件1 tasks 60–61)

class ElectionKind(models.TextChoices):
    VILLAGERS = "villagers", "村民委员会"
    RESIDENTS = "residents", "居民委员会"
    PARTY = "party", "党组织"


def body_of(kind: str) -> str:
    return Body.PARTY if kind == ElectionKind.PARTY else Body.COMMITTEE


# Posts an election of each body fills; the 一人兼 post belongs to both.
BODY_POSITIONS: dict[str, tuple[str, ...]] = {  # keyed by the stored value, which a TextChoices member equals
    Body.PARTY: (Position.SECRETARY, Position.SECRETARY_DIRECTOR, Position.COMMITTEE_MEMBER),
    Body.COMMITTEE: (Position.DIRECTOR, Position.SECRETARY_DIRECTOR, Position.COMMITTEE_MEMBER),
}


class ElectionQuerySet(ScopedQuerySet["ElectionRound"]):
    pass


class ElectionRound(models.Model):
    """换届选举 — one election of one body in one village-level unit, for one term."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="workforce_elections", verbose_name="村（社区）")
    kind = models.CharField("选举类别", max_length=20, choices=ElectionKind.choices)
    election_date = models.DateField("选举日期")
    term_starts_on = models.DateField("任期开始")
    term_ends_on = models.DateField("任期结束")
    review_days = models.PositiveSmallIntegerField("联审时限（工作日）", default=5)
    results_recorded_at = models.DateTimeField("结果登记时间", null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ElectionQuerySet.as_manager()

    class Meta:
        verbose_name = "换届选举"
        ordering = ["-election_date", "unit_id", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ElectionKind.values), name="workforce_election_kind_valid"),
            models.CheckConstraint(condition=Q(term_ends_on__gt=models.F("term_starts_on")),
                                   name="workforce_election_term_order"),
            models.UniqueConstraint(fields=["unit", "kind", "term_starts_on"], name="workforce_election_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}换届（{self.term_starts_on:%Y}—{self.term_ends_on:%Y}）"

    @property
    def body(self) -> str:
        return body_of(self.kind)


class ReviewDepartment(models.Model):
    """资格联审 reviewing department, as the city configures them (组织部, 纪委监委, 政法委, 公安 …)."""

    department = models.OneToOneField("places.Department", on_delete=models.PROTECT, related_name="+",
                                      verbose_name="联审部门")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    active = models.BooleanField("参与联审", default=True)

    class Meta:
        verbose_name = "资格联审部门"
        ordering = ["order", "department_id"]

    def __str__(self) -> str:
        return str(self.department)


class CandidateQuerySet(ScopedQuerySet["Candidate"]):
    scope_field = "election__unit_id"


class Candidate(models.Model):
    """候选人 — a resident of the register, or a person recorded with a checked ID number (encrypted at rest)."""

    election = models.ForeignKey(ElectionRound, on_delete=models.CASCADE, related_name="candidates",
                                 verbose_name="换届选举")
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="登记居民")
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number_enc = models.TextField("身份证号（密文）")
    id_number_hash = models.CharField("身份证号检索摘要", max_length=64, db_index=True)
    id_number_masked = models.CharField("身份证号（脱敏）", max_length=40)
    nominated_for = models.CharField("拟任职务", max_length=20, choices=Position.choices)
    reserve = models.ForeignKey("ReserveCandidate", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="candidacies", verbose_name="来自后备人才库")
    eligible_on = models.DateField("确认资格日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = "候选人"
        ordering = ["election_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["election", "id_number_hash"], name="workforce_candidate_once"),
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="workforce_candidate_gender_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Answer(models.TextChoices):
    PENDING = "pending", "待答复"
    PASS = "pass", "通过"
    FAIL = "fail", "不通过"


class ReviewQuerySet(ScopedQuerySet["ReviewRequest"]):
    scope_field = "candidate__election__unit_id"

    def for_department(self, user: Any) -> "ReviewQuerySet":
        """A reviewing department's staff see only the requests sent to their department."""
        department_id = getattr(user, "department_id", None)
        if not department_id:
            return self.filter(NOTHING)
        return self.filter(department_id=department_id)


class ReviewRequest(models.Model):
    """资格联审 request: one candidate sent to one department, answered pass / fail with a reason by a deadline."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="reviews", verbose_name="候选人")
    department = models.ForeignKey("places.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="联审部门")
    sent_at = models.DateTimeField("发送时间")
    due_at = models.DateTimeField("答复期限")
    answer = models.CharField("答复", max_length=10, choices=Answer.choices, default=Answer.PENDING)
    reason = models.CharField("理由", max_length=300, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="答复人")
    escalated_at = models.DateTimeField("逾期上报县级时间", null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "资格联审"
        ordering = ["candidate_id", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "department"], name="workforce_review_once"),
            models.CheckConstraint(condition=Q(answer__in=Answer.values), name="workforce_review_answer_valid"),
            models.CheckConstraint(condition=~Q(answer="fail") | ~Q(reason=""), name="workforce_review_fail_reason"),
        ]
        indexes = [models.Index(fields=["department", "answer"], name="workforce_review_dept")]

    def __str__(self) -> str:
        return f"{self.candidate_id} @ {self.department_id}"

    @property
    def late(self) -> bool:
        return self.answered_at is not None and self.answered_at > self.due_at


class FilingQuerySet(ScopedQuerySet["SecretaryFiling"]):
    scope_field = "worker__unit_id"


class SecretaryFiling(models.Model):
    """备案 — a community party secretary filed with the county organisation department."""

    worker = models.OneToOneField(CommunityWorker, on_delete=models.CASCADE, related_name="filing",
                                  verbose_name="党组织书记")
    filed_on = models.DateField("备案日期")
    approval = models.CharField("批复文号", max_length=100)
    documents = models.CharField("备案材料", max_length=300, blank=True)
    filed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="备案人")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = "书记备案"

    def __str__(self) -> str:
        return f"{self.worker_id} {self.approval}"


# ---------------------------------------------------------------- 后备人才库

class ReserveSource(models.TextChoices):
    GRADUATE = "graduate", "高校毕业生"
    VETERAN = "veteran", "退役军人"
    RETURNEE = "returnee", "返乡农民工"
    BUILDING_HEAD = "building_head", "优秀楼门长"
    ENTREPRENEUR = "entrepreneur", "致富带头人"
    OTHER = "other", "其他"


class ReserveOutcome(models.TextChoices):
    IN_POOL = "in_pool", "在库"
    ENTERED = "entered", "进入两委"
    LEFT = "left", "出库"


class ReserveQuerySet(ScopedQuerySet["ReserveCandidate"]):
    pass


class ReserveCandidate(models.Model):
    """后备人才 — one person in the reserve pool of a village-level unit or a township."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="workforce_reserve", verbose_name="所属单位")
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number_enc = models.TextField("身份证号（密文）")
    id_number_hash = models.CharField("身份证号检索摘要", max_length=64, db_index=True)
    id_number_masked = models.CharField("身份证号（脱敏）", max_length=40)
    source = models.CharField("来源", max_length=20, choices=ReserveSource.choices)
    joined_on = models.DateField("入库日期")
    assessment = models.CharField("考察评价", max_length=300, blank=True)
    training = models.CharField("培养措施", max_length=300, blank=True)
    outcome = models.CharField("去向", max_length=10, choices=ReserveOutcome.choices, default=ReserveOutcome.IN_POOL)
    outcome_on = models.DateField("去向日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "后备人才"
        ordering = ["unit_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "id_number_hash"], name="workforce_reserve_once"),
            models.CheckConstraint(condition=Q(source__in=ReserveSource.values), name="workforce_reserve_source_valid"),
            models.CheckConstraint(condition=Q(outcome__in=ReserveOutcome.values), name="workforce_reserve_outcome_valid"),
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- 社会工作者职业资格 (专栏5.3)

class QualificationLevel(models.TextChoices):
    ASSISTANT = "assistant", "助理社会工作师"
    INTERMEDIATE = "intermediate", "社会工作师"
    SENIOR = "senior", "高级社会工作师"


class ExamQuerySet(ScopedQuerySet["SocialWorkExam"]):
    scope_field = "worker__unit_id"


class SocialWorkExam(models.Model):
    """全国社会工作者职业资格考试 — one worker sat one level in one year; passed or not."""

    worker = models.ForeignKey(CommunityWorker, on_delete=models.CASCADE, related_name="exams", verbose_name="社区工作者")
    year = models.PositiveSmallIntegerField("考试年度")
    level = models.CharField("级别", max_length=20, choices=QualificationLevel.choices)
    passed = models.BooleanField("通过", default=False)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExamQuerySet.as_manager()

    class Meta:
        verbose_name = "社会工作者职业资格考试"
        ordering = ["-year", "worker_id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "year", "level"], name="workforce_exam_once"),
            models.CheckConstraint(condition=Q(level__in=QualificationLevel.values), name="workforce_exam_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.year} {self.level}"

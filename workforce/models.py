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
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="录入人")
    recorded_at = models.DateTimeField(auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = "参训记录"
        constraints = [models.UniqueConstraint(fields=["worker", "training"], name="workforce_attendance_once")]

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.training_id}"


"""应急与平安: emergency plans, warnings, crowded places and inspections, community police, help plans.

What care already holds is used, not copied: disaster information officers, shelters, drills, emergency notices
with their recipients and acknowledgements (care.models). A warning here fans out as one care notice per area unit.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.scoping import NOTHING, ScopedQuerySet, scope_q
from care.models import NoticeKind


def _choices_q(field: str, choices: Any) -> Q:
    return Q(**{f"{field}__in": [c.value for c in choices]})


class Hazard(models.TextChoices):
    FLOOD = "flood", "洪涝"
    EARTHQUAKE = "earthquake", "地震"
    FIRE = "fire", "火灾"
    GAS = "gas", "燃气"
    EPIDEMIC = "epidemic", "疫情"
    WEATHER = "weather", "极端天气"


class PlanRoleKind(models.TextChoices):
    LEADER = "leader", "总指挥"
    INFO_OFFICER = "info_officer", "灾害信息员"
    EVACUATION = "evacuation", "疏散引导"
    MEDICAL = "medical", "医疗救护"
    LOGISTICS = "logistics", "后勤保障"


REQUIRED_ROLES = [k.value for k in PlanRoleKind]


class NeedReason(models.TextChoices):
    LIVING_ALONE = "living_alone", "独居老人"
    SEVERE_DISABILITY = "severe_disability", "重度残疾"
    BEDRIDDEN = "bedridden", "卧床"


class EmergencyPlanQuerySet(ScopedQuerySet["EmergencyPlan"]):
    pass


class EmergencyPlan(models.Model):
    """村（社区）应急工作预案 — one per village-level unit, as data; every change is a new version."""

    unit = models.OneToOneField("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                                related_name="+", verbose_name="村（社区）")
    hazards = models.JSONField("面临的灾害风险", default=list)
    routes = models.TextField("疏散路线", blank=True)
    shelters = models.ManyToManyField("care.EmergencyShelter", blank=True, related_name="+", verbose_name="避难场所")
    reviewed_on = models.DateField("最近修订日期")
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmergencyPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "应急预案"
        ordering = ["unit_id"]

    def __str__(self) -> str:
        return f"应急预案 v{self.version}"

    def hazard_labels(self) -> list[str]:
        labels = dict(Hazard.choices)
        return [labels.get(h, h) for h in self.hazards]


class PlanVersion(models.Model):
    """A snapshot of the plan as it was saved (版本记录)."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    snapshot = models.JSONField("内容")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="planversion_unique")]


class PlanRole(models.Model):
    """A post of the emergency team; a post with no person is a gap."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("职责", max_length=20, choices=PlanRoleKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="人员")
    officer = models.ForeignKey("care.DisasterOfficer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name="灾害信息员")

    class Meta:
        ordering = ["plan_id", "role"]
        constraints = [models.UniqueConstraint(fields=["plan", "role"], name="planrole_unique"),
                       models.CheckConstraint(condition=_choices_q("role", PlanRoleKind), name="planrole_role_valid")]

    @property
    def filled(self) -> bool:
        return self.user_id is not None or self.officer_id is not None

    def person(self) -> str:
        if self.officer_id:
            return self.officer.name  # type: ignore[union-attr]  # checked by the caller (filled / officer_id / user_id)
        if self.user_id:
            return self.user.display_name or self.user.username  # type: ignore[union-attr]  # checked by the caller (filled / officer_id / user_id)
        return ""


class EvacuationNeedQuerySet(ScopedQuerySet["EvacuationNeed"]):
    pass


class EvacuationNeed(models.Model):
    """A resident who needs help to evacuate, and the worker responsible (none: a gap)."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+")
    resident = models.OneToOneField("people.Resident", on_delete=models.CASCADE, related_name="evacuation_need")
    reason = models.CharField("原因", max_length=20, choices=NeedReason.choices)
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="责任人")

    objects = EvacuationNeedQuerySet.as_manager()

    class Meta:
        verbose_name = "需协助转移人员"
        ordering = ["unit_id", "id"]
        constraints = [models.CheckConstraint(condition=_choices_q("reason", NeedReason), name="need_reason_valid")]


class PlanAsset(models.Model):
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="assets")
    name = models.CharField("装备物资", max_length=60)
    quantity = models.PositiveIntegerField("数量", default=1)
    checked_on = models.DateField("最近检查日期", null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "name"]


# ---- Warnings ------------------------------------------------------------------------

class Level(models.TextChoices):
    BLUE = "blue", "蓝色"
    YELLOW = "yellow", "黄色"
    ORANGE = "orange", "橙色"
    RED = "red", "红色"


class Source(models.TextChoices):
    FORM = "form", "部门填报"
    FEED = "feed", "数据交换"


class WarningQuerySet(models.QuerySet["Warning"]):
    def visible_to(self, user: Any) -> "WarningQuerySet":
        """A warning whose area touches the user's subtree: sent above it (the user's unit is inside an area unit)
        or inside it."""
        from accounts.scoping import scope_prefix

        prefix = scope_prefix(user)
        if prefix is None:
            return self.filter(NOTHING)
        inside = scope_q(user, "areas__unit")
        user_code = user.unit_id or ""
        above = Q(areas__unit__prefix__in=[user_code[:n] for n in (2, 4, 6, 9) if len(user_code) >= n])
        return self.filter(inside | above).distinct()


class Warning(models.Model):
    """预警 — the emergency bureau's or weather service's warning, fanned out to every unit in its area."""

    kind = models.CharField("类别", max_length=12, choices=NoticeKind.choices)
    level = models.CharField("等级", max_length=8, choices=Level.choices)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    issuer = models.CharField("发布单位", max_length=60)
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.FORM)
    valid_from = models.DateTimeField("生效时间")
    valid_until = models.DateTimeField("截止时间")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("录入时间")
    delivered_at = models.DateTimeField("送达完成时间", null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    escalations = models.PositiveSmallIntegerField("催办次数", default=0)

    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = "预警"
        ordering = ["-entered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_choices_q("kind", NoticeKind), name="warning_kind_valid"),
            models.CheckConstraint(condition=_choices_q("level", Level), name="warning_level_valid"),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("valid_from")), name="warning_validity"),
        ]


class WarningArea(models.Model):
    """One unit of a warning's area and the care notice that reached its subtree."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="areas")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+")
    notice = models.OneToOneField("care.EmergencyNotice", on_delete=models.PROTECT, related_name="safety_area")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["warning", "unit"], name="warningarea_unique")]


class CallTaskQuerySet(ScopedQuerySet["CallTask"]):
    pass


class CallTask(models.Model):
    """A resident who needs a personal call or visit when a warning comes, on their responsible worker's list."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="calls")
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+")
    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=100, blank=True)

    objects = CallTaskQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "id"]
        constraints = [models.UniqueConstraint(fields=["warning", "resident"], name="calltask_unique")]


class BroadcastPointQuerySet(ScopedQuerySet["BroadcastPoint"]):
    pass


class BroadcastPoint(models.Model):
    """应急广播 point of a unit (a loudspeaker, a village radio); optionally housed in a facility."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+")
    name = models.CharField("名称", max_length=60)
    facility = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    operator = models.CharField("播报人", max_length=50, blank=True)

    objects = BroadcastPointQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "name"]


# ---- Crowded places and fire safety ----------------------------------------------------

class PlaceKind(models.TextChoices):
    MARKET = "market", "集贸市场"
    SCHOOL = "school", "学校"
    HALL = "hall", "礼堂会堂"
    WORSHIP = "worship", "宗教活动场所"
    SHOP = "shop", "大型商场"
    FIRE_STATION = "fire_station", "微型消防站"
    OTHER = "other", "其他"


class CrowdedPlaceQuerySet(ScopedQuerySet["CrowdedPlace"]):
    pass


class CrowdedPlace(models.Model):
    """人员密集场所 or 微型消防站, assigned to a grid member (消防网格化)."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=PlaceKind.choices)
    capacity = models.PositiveIntegerField("容纳人数", default=0)
    responsible = models.CharField("责任人", max_length=50)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    grid_member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="网格员")

    objects = CrowdedPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = "人员密集场所"
        ordering = ["unit_id", "name"]
        constraints = [models.CheckConstraint(condition=_choices_q("kind", PlaceKind), name="crowdedplace_kind_valid"),
                       models.UniqueConstraint(fields=["unit", "name"], name="crowdedplace_unique")]


class InspectionQuerySet(ScopedQuerySet["Inspection"]):
    scope_field = "place__unit"


class Inspection(models.Model):
    place = models.ForeignKey(CrowdedPlace, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField("检查日期")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField("发现问题", blank=True)
    correct_by = models.DateField("整改期限", null=True, blank=True)
    corrected_on = models.DateField("复查合格日期", null=True, blank=True)
    escalated_at = models.DateTimeField("升级督办时间", null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "消防安全检查"
        ordering = ["-inspected_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(findings="") | Q(correct_by__isnull=False),
                                              name="inspection_finding_has_deadline")]


# ---- Community police ---------------------------------------------------------------------

class PoliceRole(models.TextChoices):
    OFFICER = "officer", "社区民警"
    AUXILIARY = "auxiliary", "辅警"


class PolicePostQuerySet(ScopedQuerySet["PolicePost"]):
    pass


class PolicePost(models.Model):
    """一区一警多辅 / 一（多）村一辅警: an officer or auxiliary serving a community (one row per unit served)."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="村（社区）")
    role = models.CharField("身份", max_length=10, choices=PoliceRole.choices)
    name = models.CharField("姓名", max_length=50)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    office = models.ForeignKey("facilities.Facility", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name="警务室")
    co_located = models.BooleanField("与村（社区）“两委”同址办公", default=False)
    hours = models.CharField("值守时间", max_length=60, blank=True)
    started_on = models.DateField("到岗日期")
    ended_on = models.DateField("离岗日期", null=True, blank=True)

    objects = PolicePostQuerySet.as_manager()

    class Meta:
        verbose_name = "社区警务"
        ordering = ["unit_id", "role", "name"]
        constraints = [models.CheckConstraint(condition=_choices_q("role", PoliceRole), name="policepost_role_valid")]


# ---- Help plans for restricted groups ------------------------------------------------------

class HelpGroup(models.TextChoices):
    CORRECTIONS = "community_corrections", "社区矫正对象"
    RELEASED = "released_prisoner", "刑满释放人员"
    DRUG_REHAB = "drug_rehab", "社区戒毒社区康复人员"
    MENTAL = "severe_mental_disorder", "严重精神障碍患者"


# Minimum contacts: days between two contacts, by group (the city's rules; care's visit rules do not cover these).
CONTACT_DAYS = {HelpGroup.CORRECTIONS: 30, HelpGroup.RELEASED: 90, HelpGroup.DRUG_REHAB: 30, HelpGroup.MENTAL: 90}


class HelpPlanQuerySet(models.QuerySet["HelpPlan"]):
    def visible_to(self, user: Any) -> "HelpPlanQuerySet":
        """Only staff holding the restricted-tag right (people.view_restricted_tags), inside their place scope."""
        from people.permissions import can_see_restricted_tags

        if not can_see_restricted_tags(user):
            return self.filter(NOTHING)
        return self.filter(scope_q(user))


class HelpPlan(models.Model):
    """帮扶/帮教 plan (or, for severe mental illness, the care team's follow-up plan). The most restricted record."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    group = models.CharField("类别", max_length=30, choices=HelpGroup.choices)
    justice_officer = models.CharField("司法所工作人员", max_length=50, blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="社区工作人员")
    family = models.CharField("家属", max_length=50, blank=True)
    volunteers = models.CharField("志愿者", max_length=100, blank=True)
    guardian = models.CharField("监护人", max_length=50, blank=True)
    doctor = models.CharField("社区医生", max_length=50, blank=True)
    police = models.CharField("社区民警", max_length=50, blank=True)
    needs = models.JSONField("需求", default=list, blank=True)
    outcome = models.TextField("帮扶成效", blank=True)
    started_on = models.DateField("开始日期")
    closed_on = models.DateField("结束日期", null=True, blank=True)

    objects = HelpPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶计划"
        ordering = ["unit_id", "id"]
        constraints = [models.CheckConstraint(condition=_choices_q("group", HelpGroup), name="helpplan_group_valid"),
                       models.UniqueConstraint(fields=["resident", "group"], condition=Q(closed_on__isnull=True),
                                               name="helpplan_one_open")]


class HelpContact(models.Model):
    plan = models.ForeignKey(HelpPlan, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField("联系日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField("方式", max_length=10, default="home")
    note = models.TextField("情况", blank=True)

    class Meta:
        ordering = ["-contacted_on", "-id"]


NEEDS = [("housing", "住房"), ("work", "就业"), ("benefits", "社会救助"), ("medical", "医疗随访")]

"""Service facilities (综合服务设施 and specialised ones), the convenience-life circle
(便民生活圈 service points), each community's floor areas, and bookable spaces (场地开放).

Contract for other apps (planning reads these through facilities/indicators.py):
Facility.unit / .kind / .status / .building_area / .activity_area / .lat / .lng,
ServicePoint.unit / .kind / .lat / .lng, CommunityProfile.unit.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.scoping import ScopedQuerySet

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAY_LABELS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


class FacilityKind(models.TextChoices):
    """设施类型. The label is what the Excel template takes in 设施类型."""

    COMPREHENSIVE = "comprehensive", "综合服务设施"
    ELDERLY_CARE = "elderly_care", "居家养老服务中心"
    HEALTH = "health", "社区卫生服务站（社区医院）"
    FITNESS = "fitness", "健身场地"
    SHELTER = "shelter", "应急避难场所"
    FIRE_STATION = "fire_station", "微型消防站"
    CULTURE = "culture", "文化活动中心"
    CHILDCARE = "childcare", "托育服务机构"
    ELDERLY_CANTEEN = "elderly_canteen", "老年食堂（助餐点）"
    SOCIAL_WORK = "social_work", "社会工作服务站"
    CIVILIZATION = "civilization", "新时代文明实践所（站）"
    EDUCATION = "education", "社区教育服务站点"
    OTHER = "other", "其他专项设施"


class FacilityStatus(models.TextChoices):
    PLANNED = "planned", "规划"
    BUILDING = "building", "在建"
    IN_USE = "in_use", "在用"
    CLOSED = "closed", "停用"


class HousedService(models.TextChoices):
    """入驻服务 — a service housed in a facility (mostly in the comprehensive one)."""

    ELDERLY_DAY_CARE = "elderly_day_care", "老年人日间照料"
    CHILDREN_HOME = "children_home", "儿童之家"
    HEALTH_STATION = "health_station", "卫生服务站"
    SOCIAL_WORK_ROOM = "social_work_room", "社会工作室"
    VOLUNTEER_STATION = "volunteer_station", "志愿服务站点"
    DISABLED_ASSOCIATION = "disabled_association", "残疾人协会"
    POLICE_OFFICE = "police_office", "警务室"
    LIBRARY_CORNER = "library_corner", "图书阅览角"
    SELF_SERVICE_TERMINAL = "self_service_terminal", "政务通用自助服务一体机"
    CIVILIZATION_STATION = "civilization_station", "新时代文明实践站"
    ELDERLY_CANTEEN = "elderly_canteen", "老年助餐点"
    EMPLOYMENT = "employment", "就业创业服务"
    FITNESS_ROOM = "fitness_room", "健身室"
    PUBLIC_HEALTH_COMMITTEE = "public_health_committee", "公共卫生委员会"


class PointKind(models.TextChoices):
    """便民生活圈 service point types."""

    SUPERMARKET = "supermarket", "超市便利店"
    MARKET = "market", "菜市场"
    CLINIC = "clinic", "诊所（卫生室）"
    PHARMACY = "pharmacy", "药店"
    POST_OFFICE = "post_office", "邮政网点"
    PARCEL_LOCKER = "parcel_locker", "智能快件柜"
    EXPRESS_STATION = "express_station", "快递驿站"
    BARBER = "barber", "美容美发"
    REPAIR = "repair", "维修"
    HOUSEKEEPING = "housekeeping", "家政服务"
    CANTEEN = "canteen", "餐饮（社区食堂）"
    BANK = "bank", "银行网点/ATM"
    RECYCLING = "recycling", "再生资源回收点"
    TELECOM = "telecom", "电信营业网点"
    SUPPLY_COOP = "supply_coop", "供销社网点"
    LAUNDRY = "laundry", "洗衣"
    OTHER = "other", "其他"


# The types whose 15-minute coverage the summary pages show (便民生活圈 essentials).
ESSENTIAL_POINT_KINDS = [
    PointKind.SUPERMARKET, PointKind.CLINIC, PointKind.PHARMACY, PointKind.POST_OFFICE,
    PointKind.EXPRESS_STATION, PointKind.BANK, PointKind.RECYCLING,
]


def _choices_q(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": [c.value for c in choices]})


def in_use_on(day: dt.date, prefix: str = "") -> Q:
    """Facilities (or service points) open for use on day.

    In use: status 在用, or 停用 with a closing date after day; and it opened on or
    before day (投入使用日期, else 建成日期; neither recorded counts as always).
    """
    p = prefix
    opened = (Q(**{f"{p}opened_on__isnull": True}) & (Q(**{f"{p}built_on__isnull": True}) | Q(**{f"{p}built_on__lte": day}))) | Q(
        **{f"{p}opened_on__lte": day})
    alive = Q(**{f"{p}status": FacilityStatus.IN_USE}) | Q(**{f"{p}status": FacilityStatus.CLOSED, f"{p}closed_on__gt": day})
    return opened & alive


ACCESSIBILITY = {"has_ramp": "无障碍坡道", "has_accessible_toilet": "无障碍卫生间", "has_lift": "电梯", "has_tactile_paving": "盲道"}


class FacilityQuerySet(ScopedQuerySet["Facility"]):
    def in_use_on(self, day: dt.date) -> "FacilityQuerySet":
        return self.filter(in_use_on(day))


class Facility(models.Model):
    """服务设施 — the comprehensive facility of a village-level unit, or a specialised one."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="facilities", verbose_name="所属单位")
    name = models.CharField("设施名称", max_length=100)
    kind = models.CharField("设施类型", max_length=30, choices=FacilityKind.choices)
    status = models.CharField("状态", max_length=20, choices=FacilityStatus.choices, default=FacilityStatus.IN_USE)
    built_on = models.DateField("建成日期", null=True, blank=True)
    opened_on = models.DateField("投入使用日期", null=True, blank=True)
    closed_on = models.DateField("停用日期", null=True, blank=True)
    building_area = models.DecimalField("建筑面积（㎡）", max_digits=10, decimal_places=2, default=Decimal(0))
    activity_area = models.DecimalField("居民活动区域面积（㎡）", max_digits=10, decimal_places=2, default=Decimal(0))
    office_area = models.DecimalField("办公面积（㎡）", max_digits=10, decimal_places=2, default=Decimal(0))
    # Seven entries, Monday first: "08:30-12:00,14:00-18:00" or "" (closed).
    opening_hours = models.JSONField("开放时间", default=list, blank=True)
    # Denormalised from opening_hours by the services: the shortest Monday–Friday opening, in minutes.
    min_weekday_minutes = models.PositiveIntegerField("工作日最短开放分钟数", default=0)
    has_ramp = models.BooleanField("无障碍坡道", default=False)
    has_accessible_toilet = models.BooleanField("无障碍卫生间", default=False)
    has_lift = models.BooleanField("电梯", default=False)
    has_tactile_paving = models.BooleanField("盲道", default=False)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        verbose_name = "服务设施"
        ordering = ["unit_id", "kind", "name"]
        indexes = [models.Index(fields=["kind", "unit"], name="facility_kind_unit")]
        constraints = [
            models.CheckConstraint(condition=_choices_q("kind", FacilityKind), name="facility_kind_valid"),
            models.CheckConstraint(condition=_choices_q("status", FacilityStatus), name="facility_status_valid"),
            models.CheckConstraint(condition=Q(activity_area__lte=models.F("building_area")), name="facility_activity_within_building"),
            models.CheckConstraint(condition=Q(office_area__lte=models.F("building_area")), name="facility_office_within_building"),
            models.UniqueConstraint(fields=["unit", "name"], name="facility_name_unique_in_unit"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def activity_share(self) -> float | None:
        return float(self.activity_area / self.building_area) if self.building_area else None

    @property
    def activity_percent(self) -> str:
        share = self.activity_share
        return "" if share is None else f"{share:.0%}"

    def hours_by_day(self) -> list[tuple[str, str]]:
        hours = list(self.opening_hours or []) + [""] * 7
        return list(zip(WEEKDAY_LABELS, hours[:7]))

    @property
    def accessibility(self) -> list[str]:
        return [label for name, label in ACCESSIBILITY.items() if getattr(self, name)]


class FacilityService(models.Model):
    """One service housed in a facility."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="services")
    service = models.CharField("入驻服务", max_length=30, choices=HousedService.choices)

    class Meta:
        verbose_name = "入驻服务"
        ordering = ["service"]
        indexes = [models.Index(fields=["service", "facility"], name="facilityservice_service")]
        constraints = [
            models.UniqueConstraint(fields=["facility", "service"], name="one_service_once_per_facility"),
            models.CheckConstraint(condition=_choices_q("service", HousedService), name="facilityservice_service_valid"),
        ]


def photo_path(instance: "FacilityPhoto", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"facilities/{instance.facility.unit_id}/{instance.facility_id}/{instance.checksum[:16]}.{suffix}"


class FacilityPhoto(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to=photo_path)
    caption = models.CharField("说明", max_length=100, blank=True)
    checksum = models.CharField(max_length=64)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "设施照片"
        ordering = ["uploaded_at"]


class CommunityProfileQuerySet(ScopedQuerySet["CommunityProfile"]):
    pass


class CommunityProfile(models.Model):
    """社区建筑面积 — per village-level unit: total floor area and commercial-and-service floor area."""

    unit = models.OneToOneField("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                                related_name="facility_profile", verbose_name="村（社区）")
    total_building_area = models.DecimalField("社区总建筑面积（㎡）", max_digits=12, decimal_places=2, default=Decimal(0))
    commercial_service_area = models.DecimalField("商业和综合服务设施面积（㎡）", max_digits=12, decimal_places=2, default=Decimal(0))
    is_relocation_community = models.BooleanField("“空心村”治理集中安置社区", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunityProfileQuerySet.as_manager()

    class Meta:
        verbose_name = "社区设施概况"
        constraints = [
            models.CheckConstraint(condition=Q(commercial_service_area__lte=models.F("total_building_area")),
                                   name="profile_commercial_within_total"),
        ]

    @property
    def commercial_share(self) -> float | None:
        if not self.total_building_area:
            return None
        return float(self.commercial_service_area / self.total_building_area)


class ServicePointQuerySet(ScopedQuerySet["ServicePoint"]):
    def in_use_on(self, day: dt.date) -> "ServicePointQuerySet":
        return self.filter(in_use_on(day))


class ServicePoint(models.Model):
    """便民生活圈网点 — a shop or service near home (supermarket, clinic, parcel locker …)."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="service_points", verbose_name="所属村（社区）")
    kind = models.CharField("网点类型", max_length=30, choices=PointKind.choices)
    name = models.CharField("网点名称", max_length=100)
    operator = models.CharField("经营主体", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=FacilityStatus.choices, default=FacilityStatus.IN_USE)
    built_on = models.DateField("建成日期", null=True, blank=True)
    opened_on = models.DateField("开业日期", null=True, blank=True)
    closed_on = models.DateField("停业日期", null=True, blank=True)
    opening_hours = models.CharField("营业时间", max_length=60, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = "便民服务网点"
        ordering = ["unit_id", "kind", "name"]
        indexes = [models.Index(fields=["kind", "unit"], name="servicepoint_kind_unit")]
        constraints = [
            models.CheckConstraint(condition=_choices_q("kind", PointKind), name="servicepoint_kind_valid"),
            models.CheckConstraint(condition=_choices_q("status", FacilityStatus), name="servicepoint_status_valid"),
            models.UniqueConstraint(fields=["unit", "name"], name="servicepoint_name_unique_in_unit"),
        ]

    def __str__(self) -> str:
        return self.name


class SpaceKind(models.TextChoices):
    ROOM = "room", "设施功能室"
    PARKING = "parking", "停车场地"
    SPORTS = "sports", "文化体育场地"
    MEETING = "meeting", "会议活动场地"


class SpaceRule(models.TextChoices):
    FREE = "free", "免费直接预约"
    APPROVAL = "approval", "需审核"


class SpaceQuerySet(ScopedQuerySet["Space"]):
    pass


class Space(models.Model):
    """开放场地 — a facility room or a local institution's resource residents may book (以场地换服务)."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="spaces", verbose_name="所属村（社区）")
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.CASCADE, related_name="spaces",
                                 verbose_name="所在设施")
    host = models.CharField("提供单位", max_length=100, blank=True, help_text="驻区单位名称；设施功能室可空")
    kind = models.CharField("场地类型", max_length=20, choices=SpaceKind.choices)
    name = models.CharField("场地名称", max_length=100)
    capacity = models.PositiveIntegerField("容纳人数（车位）", default=1)
    rule = models.CharField("预约规则", max_length=20, choices=SpaceRule.choices, default=SpaceRule.FREE)
    # Discrete slots of slot_minutes between opens_at and closes_at on the listed weekdays (0 = Monday).
    opens_at = models.TimeField("开放开始", default=dt.time(8, 0))
    closes_at = models.TimeField("开放结束", default=dt.time(20, 0))
    slot_minutes = models.PositiveIntegerField("时段长度（分钟）", default=60)
    weekdays = models.CharField("开放星期", max_length=7, default="0123456", help_text="0=周一 … 6=周日")
    rules_text = models.CharField("使用须知", max_length=500, blank=True)
    is_active = models.BooleanField("开放中", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        verbose_name = "开放场地"
        ordering = ["unit_id", "name"]
        constraints = [
            models.CheckConstraint(condition=_choices_q("kind", SpaceKind), name="space_kind_valid"),
            models.CheckConstraint(condition=_choices_q("rule", SpaceRule), name="space_rule_valid"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=15), name="space_slot_at_least_15_minutes"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="space_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.name


class BookingStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"
    CANCELLED = "cancelled", "已取消"


# Bookings that hold their slot.
HOLDING = [BookingStatus.PENDING.value, BookingStatus.CONFIRMED.value]


class BookingQuerySet(ScopedQuerySet["Booking"]):
    def holding(self) -> "BookingQuerySet":
        return self.filter(status__in=HOLDING)


class Booking(models.Model):
    """场地预约 — one booking of one space for [starts_at, ends_at)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="bookings")
    # The space's unit, copied so that scoping needs no join.
    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="+", verbose_name="所属村（社区）")
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="space_bookings",
                               verbose_name="预约人")
    organisation = models.CharField("预约组织", max_length=100, blank=True, help_text="以登记组织名义预约时填写")
    purpose = models.CharField("用途", max_length=200)
    attendees = models.PositiveIntegerField("人数", default=1)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    status = models.CharField("状态", max_length=20, choices=BookingStatus.choices, default=BookingStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = "场地预约"
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["space", "starts_at"], name="booking_space_start")]
        constraints = [
            models.CheckConstraint(condition=_choices_q("status", BookingStatus), name="booking_status_valid"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"),
            # Slots are discrete, so two holding bookings of one space can never start together.
            # Overlaps of multi-slot bookings are refused under a row lock on the space (services.book_space).
            models.UniqueConstraint(fields=["space", "starts_at"], condition=Q(status__in=HOLDING),
                                    name="one_holding_booking_per_slot"),
        ]

"""The register: households and residents, collected once and read by every module.

Contract for other apps (do not rename): Household.unit / .lat / .lng, Resident.unit /
.household / .name / .gender / .birth_date / .status, ResidentTag.tag. Every row carries
the code of its village-level unit in `unit_code` (a foreign key to OrgUnit.code).
ID and phone numbers are stored only encrypted (*_enc), searchable through keyed
hashes (*_hash), and displayed through their masked form (*_masked).
"""

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.scoping import NOTHING, ScopedQuerySet, scope_prefix
from people.tags import Tag
from places.codes import within


class HouseholdQuerySet(ScopedQuerySet["Household"]):
    pass


class Household(models.Model):
    """户 — a household in one village or community."""

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="households", verbose_name="所属村（社区）")
    number = models.CharField("户编号", max_length=40)
    is_registered = models.BooleanField("户籍户", default=True, help_text="否：仅居住")
    # Urban address: building / unit / room; rural: group / house number.
    building = models.CharField("楼栋", max_length=20, blank=True)
    entrance = models.CharField("单元", max_length=20, blank=True)
    room = models.CharField("房号", max_length=20, blank=True)
    group_no = models.CharField("村民小组", max_length=20, blank=True)
    house_no = models.CharField("门牌号", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    head = models.ForeignKey("Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="户主")
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "户"
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="household_number_unique_in_unit")]
        # Requests filed with a point land at the community of the nearest household (appeals/open311).
        indexes = [models.Index(fields=["lat", "lng"], name="household_lat_lng")]

    def __str__(self) -> str:
        return f"{self.number} {self.address}".strip()


class ResidentQuerySet(ScopedQuerySet["Resident"]):
    pass


class Resident(models.Model):
    """居民 — one person, one record city-wide."""

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class IdType(models.TextChoices):
        ID_CARD = "id_card", "居民身份证"
        PASSPORT = "passport", "护照"
        HK_MACAO = "hk_macao_permit", "港澳居民居住证/来往内地通行证"
        TAIWAN = "taiwan_permit", "台湾居民居住证/来往大陆通行证"
        FOREIGN_PR = "foreign_permanent", "外国人永久居留身份证"

    class Relation(models.TextChoices):
        HEAD = "head", "户主"
        SPOUSE = "spouse", "配偶"
        CHILD = "child", "子女"
        PARENT = "parent", "父母"
        GRANDCHILD = "grandchild", "孙子女"
        GRANDPARENT = "grandparent", "祖父母"
        SIBLING = "sibling", "兄弟姐妹"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        PRESENT = "present", "在住"
        MOVED_OUT = "moved_out", "已迁出"
        DECEASED = "deceased", "已故"

    unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="unit_code", on_delete=models.PROTECT,
                             related_name="residents", verbose_name="所属村（社区）")
    account = models.OneToOneField("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="resident_record", verbose_name="居民账户")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members",
                                  verbose_name="户")
    relation = models.CharField("与户主关系", max_length=20, choices=Relation.choices, default=Relation.OTHER)
    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期", db_index=True)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, default=IdType.ID_CARD)
    id_number_enc = models.TextField("证件号码（密文）", blank=True)
    id_number_hash = models.CharField("证件号码检索摘要", max_length=64, unique=True, null=True, blank=True)
    id_number_masked = models.CharField("证件号码（脱敏）", max_length=40, blank=True)
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    phone_hash = models.CharField("联系电话检索摘要", max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("联系电话（脱敏）", max_length=20, blank=True)
    hukou_address = models.CharField("户籍地址", max_length=200, blank=True)
    current_address = models.CharField("现住址", max_length=200, blank=True)
    registered_here = models.BooleanField("户籍在本村（社区）", default=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PRESENT, db_index=True)
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    anonymised_at = models.DateTimeField("匿名化时间", null=True, blank=True,
                                         help_text="保存期满后身份信息已清除，仅留统计用记录")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = "居民"
        permissions = [
            ("reveal_personal_data", "查看单条居民的完整证件号码与电话（须说明理由）"),
            ("export_unmasked", "导出未脱敏的居民数据"),
            ("view_restricted_tags", "查看受限人员标签（社区矫正等）"),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="resident_unit_status"),
            # The paginated list: a subtree's rows of one status in (unit_code, id) order, read from the index;
            # birth_date rides along so that age filters (60+, minors, ranges) are checked without a heap fetch.
            models.Index(fields=["status", "unit", "id", "birth_date"], name="resident_list_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["present", "moved_out", "deceased"]), name="resident_status_valid"),
            models.CheckConstraint(condition=models.Q(gender__in=["M", "F"]), name="resident_gender_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class ResidentTag(models.Model):
    """One group tag of a resident; detail holds e.g. disability category and grade."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField("标签", max_length=40, choices=Tag.choices)
    detail = models.JSONField("说明", default=dict, blank=True)

    class Meta:
        verbose_name = "人员标签"
        indexes = [models.Index(fields=["tag", "resident"], name="residenttag_tag_resident")]
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="one_tag_once_per_resident"),
            models.CheckConstraint(condition=models.Q(tag__in=[t.value for t in Tag]), name="residenttag_tag_valid"),
        ]


class ResidentMoveQuerySet(models.QuerySet["ResidentMove"]):
    def visible_to(self, user: Any) -> "ResidentMoveQuerySet":
        """Moves out of or into the user's subtree (the old community keeps its trace)."""
        prefix = scope_prefix(user)
        if prefix is None:
            return self.filter(NOTHING)
        return self.filter(within("from_unit_id", prefix) | within("to_unit_id", prefix))


class ResidentMove(models.Model):
    """迁移记录 — a resident moved from one community to another (to_unit empty: out of the city).

    The record itself moves; this row is the dated trace the old community keeps.
    """

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="moves")
    from_unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="from_unit_code", on_delete=models.PROTECT,
                                  related_name="+", verbose_name="迁出村（社区）")
    to_unit = models.ForeignKey("places.OrgUnit", to_field="code", db_column="to_unit_code", on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+", verbose_name="迁入村（社区）",
                                help_text="为空表示迁出本市")
    moved_on = models.DateField("迁移日期")
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ResidentMoveQuerySet.as_manager()

    class Meta:
        verbose_name = "迁移记录"
        ordering = ["-moved_on", "-id"]
        indexes = [
            models.Index(fields=["from_unit", "moved_on"], name="residentmove_from_date"),
            models.Index(fields=["to_unit", "moved_on"], name="residentmove_to_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(from_unit=models.F("to_unit")), name="residentmove_to_another_unit"),
        ]


class ResidentEvent(models.Model):
    """履历 — what happened to a record and who did it; the summary never holds ID or phone numbers.

    A change of a restricted tag (people.tags.RESTRICTED_TAGS) goes to restricted_summary, never to summary:
    people.selectors.resident_history shows it only to users with the right.
    """

    class Kind(models.TextChoices):
        CREATED = "created", "登记"
        UPDATED = "updated", "修改"
        MOVED = "moved", "迁移"
        STATUS = "status", "状态变更"
        REVEAL = "reveal", "查看完整信息"
        ANONYMISED = "anonymised", "匿名化"

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    unit_code = models.CharField("当时所属单位", max_length=12, blank=True)
    summary = models.CharField("摘要", max_length=300, blank=True, help_text="任何能看到该居民的人都可读；不含受限标签")
    restricted_summary = models.CharField("受限内容", max_length=300, blank=True,
                                          help_text="受限标签的变更，仅有权查看受限标签者可见")
    reason = models.CharField("理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "居民履历"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["resident", "kind", "at"], name="residentevent_resident_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["created", "updated", "moved", "status", "reveal", "anonymised"]),
                name="residentevent_kind_valid",
            ),
        ]

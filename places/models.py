"""Org units (the real division tree), departments, and each community's bodies."""

from django.db import models

from places.codes import within


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def subtree(self, prefix: str) -> "OrgUnitQuerySet":
        return self.filter(within("code", prefix))

    def villages(self) -> "OrgUnitQuerySet":
        return self.filter(level=OrgUnit.Level.VILLAGE)


class OrgUnit(models.Model):
    """行政区划单位 — a city, county, township or village-level unit."""

    class Level(models.TextChoices):
        CITY = "city", "市"
        COUNTY = "county", "县（市、区）"
        TOWNSHIP = "township", "乡镇（街道）"
        VILLAGE = "village", "村（社区）"

    class Kind(models.TextChoices):
        CITY = "city", "市"
        COUNTY = "county", "县级单位"
        TOWNSHIP = "township", "乡镇（街道）"
        URBAN = "urban", "城市社区"
        RURAL = "rural", "农村（行政村）"

    code = models.CharField("区划代码", max_length=12, unique=True)
    prefix = models.CharField("有效前缀", max_length=12, db_index=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", to_field="code", db_column="parent_code", null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    child_count = models.PositiveIntegerField("下级单位数", default=0)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "区划单位"
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=["city", "county", "township", "village"]), name="orgunit_level_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=["city", "county", "township", "urban", "rural"]), name="orgunit_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_village_level(self) -> bool:
        return self.level == self.Level.VILLAGE

    def ancestors(self) -> list["OrgUnit"]:
        """Parent chain from the city down to this unit's parent, in one query."""
        from places.codes import PREFIX_LENGTH

        codes = [
            self.code[:n].ljust(12, "0")
            for level, n in PREFIX_LENGTH.items()
            if n < len(self.prefix)
        ]
        return list(OrgUnit.objects.filter(code__in=codes).order_by("code"))


class Department(models.Model):
    """部门 — a city department or body the plan names as lead or responsible unit."""

    class Kind(models.TextChoices):
        PARTY = "party", "党委部门"
        GOVERNMENT = "government", "政府部门"
        MASS_ORG = "mass_org", "群团组织"
        OTHER = "other", "其他"

    code = models.SlugField("部门代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    aliases = models.CharField("别名", max_length=200, blank=True, help_text="以 | 分隔")

    class Meta:
        ordering = ["code"]
        verbose_name = "部门"
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["party", "government", "mass_org", "other"]), name="department_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


BODY_KINDS = [
    "party_org", "residents_committee", "owners_committee", "property_company", "building_leaders",
    "service_station", "party_branch", "villagers_committee", "supervision_committee", "economic_cooperative",
]


class CommunityBody(models.Model):
    """六位一体 / 五位一体 — one of the bodies of a village-level unit's organisation system."""

    class Kind(models.TextChoices):
        PARTY_ORG = "party_org", "社区党组织"
        RESIDENTS_COMMITTEE = "residents_committee", "居民委员会"
        OWNERS_COMMITTEE = "owners_committee", "业主委员会"
        PROPERTY_COMPANY = "property_company", "物业服务企业"
        BUILDING_LEADERS = "building_leaders", "楼门长"
        SERVICE_STATION = "service_station", "综合服务站"
        PARTY_BRANCH = "party_branch", "村党支部"
        VILLAGERS_COMMITTEE = "villagers_committee", "村民委员会"
        SUPERVISION_COMMITTEE = "supervision_committee", "村务监督委员会"
        ECONOMIC_COOPERATIVE = "economic_cooperative", "经济合作社"

    unit = models.ForeignKey(OrgUnit, to_field="code", db_column="unit_code", on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField("组织", max_length=30, choices=Kind.choices)
    exists = models.BooleanField("已建立", default=False)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_id", "kind"]
        verbose_name = "社区组织体系成员"
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="one_body_of_each_kind_per_unit"),
            models.CheckConstraint(condition=models.Q(kind__in=BODY_KINDS), name="communitybody_kind_valid"),
        ]


# 城市社区“六位一体”，农村“五位一体” (plan §三, 专栏2.1).
URBAN_BODIES = [
    CommunityBody.Kind.PARTY_ORG, CommunityBody.Kind.RESIDENTS_COMMITTEE, CommunityBody.Kind.OWNERS_COMMITTEE,
    CommunityBody.Kind.PROPERTY_COMPANY, CommunityBody.Kind.BUILDING_LEADERS, CommunityBody.Kind.SERVICE_STATION,
]
RURAL_BODIES = [
    CommunityBody.Kind.PARTY_BRANCH, CommunityBody.Kind.VILLAGERS_COMMITTEE, CommunityBody.Kind.SUPERVISION_COMMITTEE,
    CommunityBody.Kind.SERVICE_STATION, CommunityBody.Kind.ECONOMIC_COOPERATIVE,
]


def bodies_for(kind: str) -> list[str]:
    return list(URBAN_BODIES if kind == OrgUnit.Kind.URBAN else RURAL_BODIES)

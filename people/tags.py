"""The fixed vocabulary of group tags (人员标签). Ages are derived from birth date, never stored."""

from django.db import models


class Tag(models.TextChoices):
    LIVING_ALONE = "living_alone", "独居"
    EMPTY_NEST = "empty_nest", "空巢"
    LEFT_BEHIND_ELDERLY = "left_behind_elderly", "留守老人"
    DISABLED = "disabled", "残疾"
    SEVERE_DISABILITY = "severe_disability", "重度残疾"
    SPECIAL_HARDSHIP_ELDERLY = "special_hardship_elderly", "特殊困难老年人"
    LEFT_BEHIND_CHILD = "left_behind_child", "留守儿童"
    DIBAO = "dibao", "低保"
    TEKUN = "tekun", "特困"
    UNEMPLOYED = "unemployed", "失业"
    VETERAN = "veteran", "退役军人"
    # Restricted: only roles granted people.view_restricted_tags see these.
    COMMUNITY_CORRECTIONS = "community_corrections", "社区矫正对象"
    RELEASED_PRISONER = "released_prisoner", "刑满释放人员"
    DRUG_REHAB = "drug_rehab", "社区戒毒社区康复人员"
    SEVERE_MENTAL_DISORDER = "severe_mental_disorder", "严重精神障碍患者"


RESTRICTED_TAGS = frozenset({
    Tag.COMMUNITY_CORRECTIONS, Tag.RELEASED_PRISONER, Tag.DRUG_REHAB, Tag.SEVERE_MENTAL_DISORDER,
})

# Derived from the birth date at query time (people.selectors), never stored.
DERIVED_AGE_TAGS = {"aged_60": ("60岁及以上", 60), "aged_80": ("80岁及以上", 80), "minor": ("未成年人", None)}

"""Roles, and which unit level each staff role is scoped to."""

from django.db import models


class Role(models.TextChoices):
    RESIDENT = "resident", "居民"
    COMMUNITY_WORKER = "community_worker", "村（社区）工作人员"
    TOWNSHIP_STAFF = "township_staff", "乡镇（街道）工作人员"
    COUNTY_STAFF = "county_staff", "县（市、区）工作人员"
    CITY_STAFF = "city_staff", "市级工作人员"
    DEPARTMENT_STAFF = "department_staff", "部门工作人员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "安全审计员"


# A unit-scoped role sees the subtree of a unit of exactly this level.
UNIT_ROLE_LEVEL = {
    Role.COMMUNITY_WORKER: "village",
    Role.TOWNSHIP_STAFF: "township",
    Role.COUNTY_STAFF: "county",
    Role.CITY_STAFF: "city",
}
# 三权分立: the three administrator posts see no resident or community data at all.
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}
STAFF_ROLES = set(UNIT_ROLE_LEVEL) | {Role.DEPARTMENT_STAFF}

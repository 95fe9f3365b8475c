"""Demo data for the activities module (setup_demo runs seed_activities after the synthetic population).

Idempotent: rows are found by their titles and names, so a second run adds nothing.
"""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from activities.models import (
    ACTION_OF_KIND,
    ArchiveEntry,
    CommunityActivity,
    Funding,
    JointMeeting,
    Kind,
    Participation,
    Pilot,
    Project,
)
from places.models import OrgUnit

TITLES = {
    Kind.EDUCATION: "家长学校：青少年心理健康", Kind.CULTURE: "社区广场舞展演", Kind.SPORT: "全民健身趣味运动会",
    Kind.SCIENCE: "流动科技馆进社区", Kind.LAW: "民法典宣讲会", Kind.SAFETY: "居民消防疏散演练",
    Kind.FAMILY: "亲子阅读会", Kind.ELDERLY_EDUCATION: "老年大学智能手机课",
}
AUDIENCE = {Kind.FAMILY: "families", Kind.ELDERLY_EDUCATION: "elderly", Kind.EDUCATION: "children"}


def _community() -> OrgUnit | None:
    """The demo resident's community, else the first village-level unit with residents."""
    user = User.objects.filter(role=Role.RESIDENT, unit__isnull=False).order_by("pk").first()
    if user is not None and user.unit is not None:
        return user.unit
    from people.models import Resident

    code = Resident.objects.order_by("unit_id").values_list("unit_id", flat=True).first()
    return OrgUnit.objects.filter(code=code).first() if code else None


@transaction.atomic
def seed_activities() -> dict[str, int]:
    counts = {"activities": 0, "participations": 0, "projects": 0, "pilots": 0, "meetings": 0, "archive": 0}
    unit = _community()
    if unit is None:
        return counts
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    residents = list(User.objects.filter(role=Role.RESIDENT, unit=unit, is_active=True)[:5])
    for i, (kind, title) in enumerate(TITLES.items()):
        for past in (False, True):
            start = now + dt.timedelta(days=(-7 - i) if past else (2 + i), hours=9 - now.hour + (i % 3))
            name = f"{title}（往期）" if past else title
            activity, made = CommunityActivity.objects.get_or_create(unit=unit, title=name, defaults={
                "kind": kind, "audience": AUDIENCE.get(kind, "all"), "organiser": f"{unit.name}",
                "place": f"{unit.name}综合服务中心", "starts_at": start, "ends_at": start + dt.timedelta(hours=2),
                "capacity": 30, "action_number": ACTION_OF_KIND.get(kind),
                "description": "演示活动：欢迎辖区居民报名参加。"})
            counts["activities"] += int(made)
            if past and made:
                for person in residents:
                    Participation.objects.create(activity=activity, unit=unit, account=person, attended=True,
                                                 checked_in_at=start + dt.timedelta(minutes=5), rating=5)
                    counts["participations"] += 1
    from facilities.models import Facility, FacilityKind

    has_comprehensive = Exists(Facility.objects.filter(unit_id=OuterRef("code"), kind=FacilityKind.COMPREHENSIVE))
    township = unit.parent
    villages = list(OrgUnit.objects.filter(parent=township, level=OrgUnit.Level.VILLAGE).annotate(has=has_comprehensive)
                    .filter(has=False).order_by("code")[:3]) if township else []
    kinds = ["village_upgrade", "relocation", "old_estate"]
    for village, project_kind in zip(villages, kinds, strict=False):
        project, made = Project.objects.get_or_create(unit=village, name=f"{village.name}综合服务设施提升工程", defaults={
            "kind": project_kind, "facility_name": f"{village.name}党群服务中心", "contractor": "衡水市某建设有限公司",
            "planned_start": dt.date(2025, 4, 1), "planned_end": dt.date(2025, 11, 30),
            "started_on": dt.date(2025, 4, 10), "state": "building"})
        if made:
            Funding.objects.create(project=project, source="fiscal", amount=Decimal("60"))
            Funding.objects.create(project=project, source="collective", amount=Decimal("15"))
        counts["projects"] += int(made)
    counts["pilots"] += int(Pilot.objects.get_or_create(unit=unit, kind="smart", body="河北省民政厅", defaults={
        "designated_on": dt.date(2023, 6, 1), "period_end": dt.date(2026, 6, 1)})[1])
    if township is not None:
        counts["meetings"] += int(JointMeeting.objects.get_or_create(unit=township, agenda="共建共享社区活动阵地", defaults={
            "held_on": dt.date(2025, 3, 15), "members": f"{township.name}党（工）委\n市供电公司党委\n区人民医院党委",
            "attendance": f"{township.name}党（工）委\n市供电公司党委", "decisions": "驻区单位每周开放一处活动场地。"})[1])
    if not ArchiveEntry.objects.filter(unit=unit, title="居民议事会会议记录（演示）").exists():
        entry = ArchiveEntry(unit=unit, year=timezone.localdate().year, kind="minutes", title="居民议事会会议记录（演示）",
                             retention="long", file_name="minutes.txt")
        entry.file.save("minutes.txt", ContentFile("议题：活动室开放时间。决定：周末开放。".encode()), save=False)
        entry.save()
        counts["archive"] += 1
    return counts

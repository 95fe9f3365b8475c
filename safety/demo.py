"""Demo data for the safety module (seed_safety): 河西街道's plans with their gaps, crowded places with an overdue
correction, police posts, broadcast points, one yellow warning with call tasks, and a help plan when the register
holds a person under community correction.

Idempotent (each part only when absent); works with an empty register (then no needs, warning calls or help plans).
Phone numbers are synthetic and stored encrypted.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from care.models import DisasterOfficer, EmergencyShelter
from people.crypto import encrypt
from people.masking import mask_phone
from people.models import Resident
from places.models import OrgUnit
from safety.models import (
    BroadcastPoint,
    CrowdedPlace,
    EmergencyPlan,
    EvacuationNeed,
    HelpPlan,
    Inspection,
    PlanAsset,
    PlanRole,
    PlanRoleKind,
    PlanVersion,
    PolicePost,
    Warning,
)

TOWNSHIP = "131102001000"  # 河西街道, the demo township account's
PLACES = [("农贸市场", "market", 800), ("中心小学", "school", 1200), ("社区礼堂", "hall", 300), ("微型消防站", "fire_station", 0)]
ASSETS = [("应急照明灯", 20), ("救生衣", 30), ("灭火器", 40), ("应急广播喇叭", 2)]


def _phone(rng: random.Random) -> tuple[str, str]:
    number = "139" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    return encrypt(number), mask_phone(number)


@transaction.atomic
def seed(on: dt.date | None = None) -> dict[str, int]:
    on = on or timezone.localdate()
    rng = random.Random(24)
    villages = list(OrgUnit.objects.filter(parent_id=TOWNSHIP, level=OrgUnit.Level.VILLAGE).order_by("code"))  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
    counts = {"预案": 0, "需协助转移": 0, "场所": 0, "民警辅警": 0, "广播点": 0, "预警": 0, "帮扶计划": 0}
    actor = User.objects.filter(role=Role.TOWNSHIP_STAFF, unit_id=TOWNSHIP, is_active=True).order_by("pk").first()  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
    for i, unit in enumerate(villages):
        workers = list(User.objects.filter(unit=unit, role=Role.COMMUNITY_WORKER, is_active=True).order_by("pk"))
        if not EmergencyPlan.objects.filter(unit=unit).exists() and i % 5 != 4:  # every fifth village: no plan (a gap)
            reviewed = on - dt.timedelta(days=500 if i % 7 == 3 else 30 + i)
            plan = EmergencyPlan.objects.create(unit=unit, hazards=["flood", "fire", "earthquake"][: 1 + i % 3] + ["weather"],
                                                routes=f"沿{unit.name}主干道向北至避难场所", reviewed_on=reviewed)
            plan.shelters.set(EmergencyShelter.objects.filter(unit=unit)[:2])
            officer = DisasterOfficer.objects.filter(unit=unit, ended_on__isnull=True).first()
            for j, role in enumerate(PlanRoleKind.values):
                user = workers[j % len(workers)] if workers and not (i % 3 == 1 and role == "logistics") else None
                PlanRole.objects.create(plan=plan, role=role, officer=officer if role == "info_officer" else None,
                                        user=None if role == "info_officer" and officer else user)
            for name, qty in ASSETS:
                PlanAsset.objects.create(plan=plan, name=name, quantity=qty, checked_on=on - dt.timedelta(days=rng.randint(5, 200)))
            PlanVersion.objects.create(plan=plan, version=1, snapshot={"seeded": True}, saved_by=actor)
            counts["预案"] += 1
        if not EvacuationNeed.objects.filter(unit=unit).exists():
            tagged = (Resident.objects.filter(unit=unit, status=Resident.Status.PRESENT,
                                              tags__tag__in=["living_alone", "severe_disability"]).distinct().order_by("pk")[:6])
            for k, resident in enumerate(tagged):
                reason = "severe_disability" if resident.tags.filter(tag="severe_disability").exists() else "living_alone"
                if k == 5:
                    reason = "bedridden"
                helper = workers[k % len(workers)] if workers and k != 2 else None  # the third: no helper (a gap)
                EvacuationNeed.objects.create(unit=unit, resident=resident, reason=reason, helper=helper)
                counts["需协助转移"] += 1
        if not CrowdedPlace.objects.filter(unit=unit).exists() and i < 6:
            for name, kind, cap in PLACES:
                enc, masked = _phone(rng)
                place = CrowdedPlace.objects.create(unit=unit, name=f"{unit.name}{name}", kind=kind, capacity=cap,
                                                    responsible="王" + "主任经理站长"[len(name) % 4], phone_enc=enc,
                                                    phone_masked=masked, grid_member=workers[0] if workers else None)
                counts["场所"] += 1
                if actor is not None and kind == "market":
                    Inspection.objects.create(place=place, inspected_on=on - dt.timedelta(days=40), inspector=actor,
                                              findings="消防通道堆放杂物，灭火器过期", correct_by=on - dt.timedelta(days=10))
                if actor is not None and kind == "school":
                    Inspection.objects.create(place=place, inspected_on=on - dt.timedelta(days=20), inspector=actor)
        if not PolicePost.objects.filter(unit=unit).exists() and i % 4 != 3:
            from facilities.models import Facility

            office = Facility.objects.filter(unit=unit, kind="comprehensive").first()
            for role, name in [("officer", "张警官"), ("auxiliary", "刘辅警")][: 1 + i % 2]:
                enc, masked = _phone(rng)
                PolicePost.objects.create(unit=unit, role=role, name=name, phone_enc=enc, phone_masked=masked, office=office,
                                          co_located=office is not None, hours="周一至周五 8:30-17:30",
                                          started_on=on - dt.timedelta(days=365))
                counts["民警辅警"] += 1
        if not BroadcastPoint.objects.filter(unit=unit).exists():
            BroadcastPoint.objects.create(unit=unit, name=f"{unit.name}村（居）委会广播", operator="值班员")
            counts["广播点"] += 1
    if actor is not None and villages and not Warning.objects.exists():
        from safety import services

        services.issue_warning(actor=actor, kind="flood", level="yellow", title="暴雨黄色预警", issuer="市气象台",
                               body="预计未来24小时河西街道有大到暴雨，请低洼地带居民做好转移准备。", area=[TOWNSHIP])
        counts["预警"] = 1
    counts["帮扶计划"] = _seed_help(on, actor)
    return counts


def _seed_help(on: dt.date, actor: User | None) -> int:
    if actor is None or HelpPlan.objects.exists():
        return 0
    made = 0
    for resident in Resident.objects.filter(unit__code__startswith=TOWNSHIP[:9], status=Resident.Status.PRESENT,
                                            tags__tag="community_corrections").order_by("pk")[:3]:
        HelpPlan.objects.create(unit_id=resident.unit_id, resident=resident, group="community_corrections",
                                justice_officer="司法所周所长", family="家属", needs=["work"],
                                started_on=on - dt.timedelta(days=60))
        made += 1
    return made

"""Demo data for the care module (seed_care): rules, this and last month's plans with visits, readiness records.

Idempotent: each part is only added when absent. Works with an empty register (then only the
emergency-readiness records and rules appear). Phone numbers are synthetic and stored encrypted.
"""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from care import services
from care.models import DisasterOfficer, Drill, DueVisit, EmergencyShelter, Visit, VisitRule
from care.periods import month_bounds, today
from people.crypto import encrypt
from people.masking import mask_phone
from places.models import OrgUnit

DEMO_RULES = [("living_alone", "month"), ("severe_disability", "quarter"), ("left_behind_child", "month")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "桂兰", "志强", "海燕", "春梅", "国华", "玉兰", "红霞", "文杰"]
VOLUNTEERS = ["志愿者王芳", "志愿者刘洋", "志愿者陈静"]
DRILLS = [("地震应急疏散", "疏散通道标识不清，需补设"), ("消防灭火", "楼道堆物影响通行"), ("防汛转移", "低洼户名单需更新"),
          ("燃气泄漏处置", "居民关阀操作不熟练")]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return "139" + "".join(str(rng.randint(0, 9)) for _ in range(8))


@transaction.atomic
def seed_rules() -> None:
    for tag, frequency in DEMO_RULES:
        VisitRule.objects.get_or_create(tag=tag, defaults={"frequency": frequency})


@transaction.atomic
def seed_visits(on: date, rng: random.Random) -> int:
    """Plans for last month and this month; about 95% / 55% of them visited (by their worker or a volunteer).

    In bulk (visits inserted and due rows marked 5,000 at a time): at full city scale this is
    hundreds of thousands of visits.
    """
    this_month = on.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    services.generate_visit_plans(month=last_month)
    services.generate_visit_plans(month=this_month)
    if Visit.objects.exists():
        return 0
    created = 0
    latest = timezone.now() - timedelta(minutes=5)
    for month, share in ((last_month, 0.95), (this_month, 0.55)):
        _, end = month_bounds(month)
        last_day = min(end, on)
        # Read first, then write: the rows are marked visited as the loop goes.
        rows = list(DueVisit.objects.filter(period_start__gte=month, period_start__lte=last_day, visited_on__isnull=True,
                                            removed_on__isnull=True).order_by("id")
                    .values_list("id", "resident_id", "unit_id", "assignee_id", "volunteer_name"))
        chosen = [row for row in rows if rng.random() <= share]
        for i in range(0, len(chosen), 5000):
            created += _visit_batch(chosen[i:i + 5000], month, last_day, latest, rng)
    return created


def _visit_batch(rows: list[tuple[Any, ...]], month: date, last_day: date, latest: datetime,
                 rng: random.Random) -> int:
    def rating() -> str:
        return rng.choices(["good", "fair", "poor"], weights=[7, 2, 1])[0]

    visits, days = [], []
    for _, resident_id, unit_id, assignee_id, volunteer_name in rows:
        day = month + timedelta(days=rng.randint(0, (last_day - month).days))
        moment = min(timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])))), latest)
        visits.append(Visit(
            resident_id=resident_id, unit_id=unit_id, visited_at=moment, visitor_id=assignee_id,
            visitor_name="" if assignee_id else (volunteer_name or rng.choice(VOLUNTEERS)),
            method=rng.choices(["home", "phone", "video"], weights=[6, 3, 1])[0],
            health=rating(), home_safety=rating(), living=rating(), mood=rating(),
            needs=rng.choice(["", "", "送餐", "代购药品", "家电维修"]),
        ))
        days.append(timezone.localdate(moment))
    Visit.objects.bulk_create(visits, batch_size=1000)
    marked = [DueVisit(pk=row[0], visited_on=day, visit_id=visit.pk) for row, day, visit in zip(rows, days, visits)]
    DueVisit.objects.bulk_update(marked, ["visited_on", "visit"], batch_size=1000)
    return len(visits)


@transaction.atomic
def seed_readiness(on: date, rng: random.Random) -> dict[str, int]:
    counts = {"officers": 0, "shelters": 0, "drills": 0}
    if not DisasterOfficer.objects.exists():
        villages = list(OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE).values_list("code", flat=True))
        officers = []
        for code in villages:
            # Every community of 桃城区 has one; elsewhere about 85% do (the plan's target is all).
            if not code.startswith("131102") and rng.random() > 0.85:
                continue
            phone = _phone(rng)
            officers.append(DisasterOfficer(unit_id=code, name=_name(rng), phone_enc=encrypt(phone), phone_masked=mask_phone(phone),
                                            trained_on=on - timedelta(days=rng.randint(30, 700)) if rng.random() < 0.8 else None,
                                            appointed_on=date(on.year - 1, 1, 1)))
        DisasterOfficer.objects.bulk_create(officers, batch_size=2000)
        counts["officers"] = len(officers)
    if not EmergencyShelter.objects.exists():
        townships = OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP).values_list("code", "name")
        shelters = [EmergencyShelter(unit_id=code, name=f"{name}应急避难场所", kind=rng.choice(["park", "square", "school", "stadium"]),
                                     capacity=rng.choice([500, 800, 1200, 2000, 3000]), address=f"{name}中心",
                                     lat=round(37.74 + rng.uniform(-0.35, 0.35), 5), lng=round(115.67 + rng.uniform(-0.45, 0.45), 5),
                                     facilities=rng.sample(["water", "power", "toilet", "medical", "supplies", "broadcast", "lighting"], 4))
                    for code, name in townships]
        EmergencyShelter.objects.bulk_create(shelters)
        counts["shelters"] = len(shelters)
    if not Drill.objects.exists():
        drills = []
        for code in OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP).values_list("code", flat=True):
            for _ in range(rng.randint(0, 2)):
                scenario, lesson = rng.choice(DRILLS)
                drills.append(Drill(unit_id=code, held_on=on - timedelta(days=rng.randint(1, 300)), scenario=scenario,
                                    participants=rng.randint(30, 300), lessons=lesson))
        Drill.objects.bulk_create(drills)
        counts["drills"] = len(drills)
    return counts


def seed(on: date | None = None) -> dict[str, int]:
    on = on or today()
    rng = random.Random(20251128)  # noqa: S311
    seed_rules()
    visits = seed_visits(on, rng)
    return {"visits": visits, **seed_readiness(on, rng)}

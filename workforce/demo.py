"""Demo data for the workforce module (seed_workforce): deterministic and idempotent.

For every village-level unit that has residents and no workers yet: 3–9 workers, always a
party secretary and a director (or one person holding both), phones synthetic and encrypted.
Rotation trainings for 2025 and 2026 (province, city, each county) with about 90% of
secretaries and directors completing one each year, and a business training for the others.
Works with an empty register (then only the trainings are created).
"""

import datetime as dt
import random

from django.db import transaction

from people.crypto import encrypt, search_hash
from people.masking import mask_phone
from people.models import Resident
from places.models import OrgUnit
from workforce.models import LEADER_POSITIONS, CommunityWorker, Position, Training, TrainingAttendance

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = ["建国", "秀英", "桂兰", "志强", "海燕", "春梅", "国华", "玉兰", "红霞", "文杰", "立新", "丽娜", "晓东", "静", "伟"]
YEARS = (2025, 2026)
CITY = "131100000000"


def _phone(rng: random.Random) -> str:
    return rng.choice(["139", "138", "151", "186", "133"]) + "".join(str(rng.randint(0, 9)) for _ in range(8))


def _positions(rng: random.Random) -> list[Position]:
    leaders = [Position.SECRETARY_DIRECTOR] if rng.random() < 0.5 else [Position.SECRETARY, Position.DIRECTOR]
    size = rng.randint(3, 9)
    others = [Position.COMMITTEE_MEMBER] * rng.randint(1, 3) + [Position.FULL_TIME] * rng.randint(0, 4)
    others += [Position.GRID_WORKER] * rng.randint(0, 1) + [Position.BUILDING_LEADER] * rng.randint(0, 1)
    everyone = leaders + others + [Position.COMMITTEE_MEMBER] * 9
    return everyone[:size]


def _worker(code: str, position: str, rng: random.Random) -> CommunityWorker:
    phone = _phone(rng)
    started = dt.date(rng.randint(2016, 2024), rng.randint(1, 12), rng.randint(1, 28))
    return CommunityWorker(unit_id=code, name=rng.choice(SURNAMES) + rng.choice(GIVEN), gender=rng.choice("MF"),
                           position=position, phone_enc=encrypt(phone), phone_hash=search_hash(phone),
                           phone_masked=mask_phone(phone), started_on=started)


@transaction.atomic
def seed_workers() -> int:
    with_residents = set(Resident.objects.values_list("unit_id", flat=True).distinct())
    staffed = set(CommunityWorker.objects.values_list("unit_id", flat=True).distinct())
    codes = sorted(OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE, code__in=with_residents - staffed)
                   .values_list("code", flat=True))
    rows = []
    for code in codes:
        rng = random.Random(f"workforce-{code}")  # noqa: S311 - demo data, not security
        rows += [_worker(code, position, rng) for position in _positions(rng)]
    CommunityWorker.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _course(unit: str, level: str, kind: str, title: str, year: int, month: int, organiser: str) -> Training:
    return Training.objects.get_or_create(
        unit_id=unit, title=title,
        defaults={"level": level, "kind": kind, "starts_on": dt.date(year, month, 10),
                  "ends_on": dt.date(year, month, 12), "organiser": organiser})[0]


@transaction.atomic
def seed_trainings() -> dict[int, list[Training]]:
    """Per year: the rotation courses a village-level unit may attend (province, city, its county) and one business course."""
    by_year: dict[int, list[Training]] = {}
    counties = list(OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY).values_list("code", "name"))
    for year in YEARS:
        courses = [
            _course(CITY, "provincial", "rotation", f"{year}年河北省城乡社区党组织书记示范培训班", year, 4, "省委组织部、省民政厅"),
            _course(CITY, "municipal", "rotation", f"{year}年衡水市社区书记主任重点轮训班", year, 5, "市委组织部、市民政局"),
            _course(CITY, "municipal", "business", f"{year}年衡水市社区工作者业务培训班", year, 6, "市民政局"),
        ]
        courses += [_course(code, "district", "rotation", f"{year}年{name}村（社区）书记主任兜底轮训班", year, 7,
                            f"{name}委组织部") for code, name in counties]
        by_year[year] = courses
    return by_year


@transaction.atomic
def seed_attendance(by_year: dict[int, list[Training]]) -> int:
    workers = CommunityWorker.objects.filter(attendances__isnull=True).values_list("pk", "unit_id", "position")
    rows = []
    for pk, code, position in workers:
        rng = random.Random(f"workforce-training-{pk}")  # noqa: S311 - demo data, not security
        for courses in by_year.values():
            if position in LEADER_POSITIONS:
                rotation = [c for c in courses if c.kind == "rotation" and c.unit_id in (CITY, str(code)[:6] + "000000")]
                course = rng.choice(rotation)
            else:
                course = next(c for c in courses if c.kind == "business")
                if rng.random() > 0.6:
                    continue
            rows.append(TrainingAttendance(worker_id=pk, training=course, completed=rng.random() < 0.9))
    TrainingAttendance.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def seed() -> dict[str, int]:
    workers = seed_workers()
    by_year = seed_trainings()
    attendance = seed_attendance(by_year)
    return {"社区工作者": workers, "培训": sum(len(c) for c in by_year.values()), "参训记录": attendance}

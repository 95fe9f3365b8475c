"""Demo data for the workforce module (seed_workforce): deterministic and idempotent.

For every village-level unit that has residents and no workers yet: 3–9 workers, always a
party secretary and a director (or one person holding both), phones synthetic and encrypted.
Rotation trainings for 2025 and 2026 (province, city, each county) with about 90% of
secretaries and directors completing one each year, and a business training for the others.
Then: the city's 资格联审 departments (when none are set), 书记备案 for about 85% of serving
secretaries (the rest show as gaps), 0–3 reserve-pool people per staffed community, social-work
exam records for about a fifth of the workers, and one 居（村）委会 election round with candidates
sent for review (some answered) in the first three staffed communities of each county.
Works with an empty register (then only the trainings and the reviewing departments are created).
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from people.crypto import encrypt, search_hash
from people.idcard import make_number
from people.masking import mask_id, mask_phone
from people.models import Resident
from places.models import Department, OrgUnit
from workforce.models import (
    COUNTED,
    LEADER_POSITIONS,
    SECRETARY_POSITIONS,
    Answer,
    Candidate,
    CommunityWorker,
    ElectionKind,
    ElectionRound,
    Position,
    ReserveCandidate,
    ReserveSource,
    ReviewDepartment,
    ReviewRequest,
    SecretaryFiling,
    SocialWorkExam,
    Training,
    TrainingAttendance,
)

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
        online = _course(CITY, "municipal", "online", f"{year}年衡水市社区工作者网络学习", year, 3, "市民政局")
        if online.ends_on != dt.date(year, 12, 20):
            Training.objects.filter(pk=online.pk).update(ends_on=dt.date(year, 12, 20), hours=20)
            online.refresh_from_db()
        courses.append(online)
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
        for courses in by_year.values():
            online = next(c for c in courses if c.kind == "online")
            if position in COUNTED and rng.random() < 0.7:
                rows.append(TrainingAttendance(worker_id=pk, training=online, completed=True,
                                               hours=Decimal(rng.randint(8, 24))))
    TrainingAttendance.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


# The city's 资格联审 departments (组织部, 政法委, 公安, 民政, 司法, 卫健, 自然资源 …), in order.
REVIEW_DEPARTMENTS = ["org_dept", "political_legal_committee", "public_security", "civil_affairs", "justice",
                      "health_commission", "natural_resources_planning", "veterans_affairs", "market_regulation",
                      "ecology_environment", "agriculture_rural"]


@transaction.atomic
def seed_review_departments() -> int:
    if ReviewDepartment.objects.exists():
        return 0
    found = {d.code: d for d in Department.objects.filter(code__in=REVIEW_DEPARTMENTS)}
    ReviewDepartment.objects.bulk_create([ReviewDepartment(department=found[c], order=i)
                                          for i, c in enumerate(REVIEW_DEPARTMENTS) if c in found])
    return len(found)


def _person(code: str, rng: random.Random, n: int) -> dict[str, object]:
    gender = rng.choice("MF")
    birth = dt.date(rng.randint(1970, 1998), rng.randint(1, 12), rng.randint(1, 28))
    number = make_number(code[:6], birth, n, gender)
    return {"name": rng.choice(SURNAMES) + rng.choice(GIVEN), "gender": gender, "birth_date": birth,
            "id_number_enc": encrypt(number), "id_number_hash": search_hash(number), "id_number_masked": mask_id(number)}


@transaction.atomic
def seed_filings() -> int:
    today = timezone.localdate()
    secretaries = CommunityWorker.objects.filter(position__in=SECRETARY_POSITIONS, filing__isnull=True,
                                                 ended_on__isnull=True).values_list("pk", "unit_id", "started_on")
    rows = []
    for pk, code, started in secretaries:
        rng = random.Random(f"workforce-filing-{pk}")  # noqa: S311 - demo data, not security
        if rng.random() < 0.85:
            filed = min(started + dt.timedelta(days=rng.randint(10, 60)), today)
            rows.append(SecretaryFiling(worker_id=pk, filed_on=filed, approval=f"{code[:6]}组备〔{filed.year}〕{pk}号",  # type: ignore[index]  # why: the stubs type a to_field foreign key's id as int; it is the unit code
                                        documents="任职批复、资格联审表、个人简历"))
    SecretaryFiling.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def seed_reserve() -> int:
    staffed = set(CommunityWorker.objects.values_list("unit_id", flat=True).distinct())
    pooled = set(ReserveCandidate.objects.values_list("unit_id", flat=True).distinct())
    rows = []
    for code in sorted(staffed - pooled):
        rng = random.Random(f"workforce-reserve-{code}")  # noqa: S311 - demo data, not security
        for n in range(rng.randint(0, 3)):
            rows.append(ReserveCandidate(unit_id=code, source=rng.choice(ReserveSource.values),
                                         joined_on=dt.date(rng.randint(2021, 2025), rng.randint(1, 12), 1),
                                         assessment="政治素质好，群众基础较好", training="跟岗锻炼、参加轮训",
                                         **_person(code, rng, 400 + n)))  # type: ignore[arg-type]  # the person's fields
    ReserveCandidate.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def seed_exams() -> int:
    workers = CommunityWorker.objects.filter(position__in=COUNTED, exams__isnull=True).values_list("pk", flat=True)
    rows = []
    for pk in workers:
        rng = random.Random(f"workforce-exam-{pk}")  # noqa: S311 - demo data, not security
        if rng.random() < 0.2:
            rows.append(SocialWorkExam(worker_id=pk, year=rng.choice(YEARS) - 1,
                                       level=rng.choice(["assistant", "assistant", "intermediate"]),
                                       passed=rng.random() < 0.6))
    SocialWorkExam.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def seed_elections() -> int:
    """One committee election per county (first three staffed communities), candidates sent, some answered."""
    if ElectionRound.objects.exists():
        return 0
    departments = list(ReviewDepartment.objects.filter(active=True).values_list("department_id", flat=True))
    staffed = sorted(set(CommunityWorker.objects.values_list("unit_id", flat=True).distinct()))
    per_county: dict[str, list[str]] = {}
    for code in staffed:
        per_county.setdefault(code[:6], [])  # type: ignore[index]  # why: the stubs type a to_field foreign key's id as int; it is the unit code
        if len(per_county[code[:6]]) < 3:  # type: ignore[index]  # why: the stubs type a to_field foreign key's id as int; it is the unit code
            per_county[code[:6]].append(code)  # type: ignore[index,arg-type]  # why: the stubs type a to_field foreign key's id as int; it is the unit code
    now = timezone.now()
    start = timezone.localdate() + dt.timedelta(days=20)
    created = 0
    for codes in per_county.values():
        for code in codes:  # type: ignore[assignment]  # why: the stubs type a to_field foreign key's id as int; it is the unit code
            rng = random.Random(f"workforce-election-{code}")  # noqa: S311 - demo data, not security
            kind = ElectionKind.RESIDENTS if OrgUnit.objects.filter(code=code, kind="urban").exists() \
                else ElectionKind.VILLAGERS
            election = ElectionRound.objects.create(unit_id=code, kind=kind, election_date=start - dt.timedelta(days=5),
                                                    term_starts_on=start, term_ends_on=start + dt.timedelta(days=1825))
            posts = [Position.DIRECTOR] + [Position.COMMITTEE_MEMBER] * rng.randint(2, 4)
            candidates = Candidate.objects.bulk_create([Candidate(election=election, nominated_for=post,
                                                                  **_person(code, rng, 450 + n))  # type: ignore[arg-type]  # the person's fields
                                                        for n, post in enumerate(posts)])
            reviews = []
            for c in candidates:
                for d in departments:
                    answer = rng.choice([Answer.PASS, Answer.PASS, Answer.PASS, Answer.PENDING])
                    reviews.append(ReviewRequest(candidate=c, department_id=d, sent_at=now - dt.timedelta(days=3),
                                                 due_at=now + dt.timedelta(days=2), answer=answer,
                                                 answered_at=now if answer == Answer.PASS else None))
            ReviewRequest.objects.bulk_create(reviews, batch_size=2000)
            created += 1
    return created


def seed() -> dict[str, int]:
    workers = seed_workers()
    by_year = seed_trainings()
    attendance = seed_attendance(by_year)
    return {"社区工作者": workers, "培训": sum(len(c) for c in by_year.values()), "参训记录": attendance,
            "联审部门": seed_review_departments(), "书记备案": seed_filings(), "后备人才": seed_reserve(),
            "资格考试": seed_exams(), "换届选举": seed_elections()}

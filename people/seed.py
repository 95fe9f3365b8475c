"""Synthetic population for demos and benchmarks (合成人口), deterministic and streamed.

`seed_population(scale)` builds scale × 4.2 million residents (0.001–1.0):

- spread over the 13 county-level units by their approximate resident population (7th
  census, ../shared/data/README.md) and, in whole households, over each county's villages
  and communities (an urban community weighs 2.5 rural villages, ±40 % per unit, fixed by
  its code), so the total is scale × 4.2 million to within about 1 %;
- in households of about 2.8 persons built from household types (single elderly, elderly
  couple, nuclear family, three generations, grandparents with left-behind grandchildren …)
  whose age rules give an age pyramid with about 21 % aged 60 and over;
- with valid ID numbers whose area code is the county's 6-digit prefix and whose birth
  date and gender are the person's; realistic names, mobile phones, and group tags in the
  proportions of a Hebei prefecture-level city (see the rates below and docs/people-io.md);
- households placed near their community: county centre (README) + a fixed offset per
  township and per village (from their codes) + a few hundred metres per household.

Same seed, same data: every village draws from its own random generator seeded with
(seed, village code), and ages are taken on REFERENCE_DATE, not today. Villages are
written whole, in batches of about BATCH persons, one transaction per batch; a village
whose first household exists is skipped, so a second run adds nothing. The cost per
person is dominated by encrypting its ID and phone number (see bench/people_seed.py).
"""

import datetime as dt
import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from django.db import connection, transaction

from people import crypto
from people.idcard import make_number
from people.importers import BulkInserter, db_date, db_json
from people.masking import mask_id, mask_phone
from people.models import Household, Resident, ResidentTag
from people.tags import Tag
from people.validation import DISABILITY_CATEGORIES, HARDSHIP_CONDITIONS
from places.models import OrgUnit

DEFAULT_SEED = 20201101  # census day of the 7th national census
REFERENCE_DATE = dt.date(2025, 12, 31)  # ages are taken on this day, so the data never changes
CITY_RESIDENTS = 4_200_000
NUMBER_PREFIX = "SD-"  # household numbers of synthetic households: SD-00000 …
BATCH = 10_000
MIN_SCALE, MAX_SCALE = 0.001, 1.0

# County-level units: name, residents (10,000 persons, 7th census, approximate), centre (lat, lng).
COUNTIES: dict[str, tuple[str, float, float, float]] = {
    "131102": ("桃城区", 60.9, 37.73, 115.68),
    "131182": ("深州市", 48.2, 38.00, 115.56),
    "131127": ("景县", 46.4, 37.69, 116.27),
    "131126": ("故城县", 44.5, 37.35, 115.97),
    "131121": ("枣强县", 36.6, 37.51, 115.72),
    "131125": ("安平县", 32.8, 38.23, 115.52),
    "131103": ("冀州区", 30.5, 37.55, 115.58),
    "131128": ("阜城县", 29.4, 37.86, 116.15),
    "131122": ("武邑县", 27.0, 37.80, 115.89),
    "131124": ("饶阳县", 26.0, 38.24, 115.73),
    "131123": ("武强县", 18.0, 38.04, 115.98),
    "131171": ("高新区", 15.0, 37.78, 115.74),
    "131172": ("滨湖新区", 8.0, 37.60, 115.62),
}
CITY_BOUNDS = (37.03, 38.38, 115.17, 116.57)
URBAN_WEIGHT = 2.5
MEAN_HOUSEHOLD = 2.82  # persons per household that HOUSEHOLD_TYPES give (2.87 rural, 2.78 urban)
# Communities of the demo accounts and of the tests' named users: never empty in a demo.
FEATURED_UNITS = {"131102001045", "131102002018"}
FEATURED_MIN = 40

# Household types: (name, weight in rural villages, weight in urban communities).
HOUSEHOLD_TYPES = [
    ("single_elderly", 0.095, 0.085),
    ("single_adult", 0.065, 0.10),
    ("elderly_couple", 0.115, 0.12),
    ("couple", 0.10, 0.12),
    ("nuclear", 0.34, 0.41),
    ("three_generations", 0.14, 0.11),
    ("skipped_generation", 0.085, 0.025),
    ("single_parent", 0.06, 0.045),
]

# Tag rates (per person unless said otherwise), after the 2020 census and Hebei's civil-affairs
# statistics: about 6 % disabled, 3–5 % of the elderly in special hardship, 2–3 % on 低保.
HARDSHIP_RATE = 0.04                     # of residents aged 60+
DISABLED_BY_AGE = ((18, 0.016), (45, 0.038), (60, 0.068), (80, 0.125), (200, 0.21))  # (below age, rate)
SEVERE_SHARE = 0.30                      # grade 1–2 among the disabled
DIBAO_HOUSEHOLD = {"rural": 0.035, "urban": 0.018}
TEKUN_SINGLE_ELDERLY = 0.10              # rural elderly living alone (urban: a third of it)
UNEMPLOYED = {"rural": 0.02, "urban": 0.04}  # of residents aged 18–59
VETERAN = 0.035                          # of men aged 20–85
RESTRICTED_RATES = {Tag.COMMUNITY_CORRECTIONS: 0.0003, Tag.RELEASED_PRISONER: 0.0006, Tag.DRUG_REHAB: 0.0002,
                    Tag.SEVERE_MENTAL_DISORDER: 0.004}
DISABILITY_MIX = [("physical", 50), ("hearing", 15), ("visual", 12), ("mental", 8), ("intellectual", 7),
                  ("multiple", 7), ("speech", 1)]
HARDSHIP_MIX = [("disabled_care", 25), ("semi_disabled", 25), ("aged_alone", 20), ("low_income", 15),
                ("bereaved_family", 5), ("severe_illness", 8), ("other", 2)]
assert {c for c, _ in DISABILITY_MIX} == set(DISABILITY_CATEGORIES)
assert {c for c, _ in HARDSHIP_MIX} == set(HARDSHIP_CONDITIONS)

# Common surnames in Hebei (relative frequency).
SURNAMES = [
    ("王", 100), ("李", 95), ("张", 90), ("刘", 80), ("赵", 45), ("杨", 40), ("陈", 30), ("高", 28), ("孙", 25),
    ("马", 24), ("郭", 22), ("田", 20), ("徐", 17), ("韩", 16), ("杜", 15), ("吴", 14), ("周", 14), ("许", 13),
    ("朱", 12), ("郑", 11), ("宋", 11), ("董", 11), ("梁", 10), ("曹", 10), ("冯", 10), ("魏", 10), ("邢", 9),
    ("齐", 8), ("崔", 8), ("黄", 8), ("胡", 8), ("贾", 8), ("吕", 7), ("孟", 7), ("于", 7), ("史", 6), ("任", 6),
    ("袁", 5), ("苏", 5), ("范", 5), ("闫", 5), ("邓", 4), ("石", 5), ("尹", 4), ("常", 4), ("侯", 4), ("谢", 4),
    ("牛", 4), ("付", 4), ("白", 4), ("薛", 3), ("彭", 3), ("程", 3), ("姚", 3), ("葛", 3), ("耿", 3), ("申", 3),
    ("霍", 3), ("翟", 2), ("庞", 2), ("焦", 2), ("路", 2), ("谷", 2), ("甄", 1), ("欧阳", 1), ("司马", 1),
]
MALE_CHARS = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志新海东峰亮成振春雷兵永胜文博立德"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀英华玲桂兰萍红梅琳燕雪慧莉倩婷晶颖欣悦佳雨淑珍凤云琴月荣洁宁丹"
MOBILE_PREFIXES = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "183", "185", "186", "187",
                   "188", "189", "191", "199"]
UNIT_SUFFIXES = ("社区居民委员会", "居民委员会", "村民委员会", "居委会", "村委会", "委员会")

_SURNAME_CUM = list(accumulate(w for _, w in SURNAMES))
_DISABILITY_CUM = list(accumulate(w for _, w in DISABILITY_MIX))
_HARDSHIP_CUM = list(accumulate(w for _, w in HARDSHIP_MIX))


@dataclass
class Person:
    relation: str
    gender: str
    age: int
    surname: str = ""
    tags: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Village:
    code: str
    name: str
    urban: bool
    lat: float
    lng: float


def _unit_noise(code: str, salt: str) -> float:
    """A fixed number in [0, 1) for a unit code: the same on every machine and run."""
    digest = hashlib.sha256(f"{salt}:{code}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _clamp(lat: float, lng: float) -> tuple[float, float]:
    south, north, west, east = CITY_BOUNDS
    return min(max(lat, south), north), min(max(lng, west), east)


def villages_of(county: str) -> list[Village]:
    _, _, lat0, lng0 = COUNTIES[county]
    units = OrgUnit.objects.villages().filter(code__startswith=county).order_by("code").values_list("code", "name", "kind")
    villages = []
    for code, name, kind in units:
        township = code[:9]
        lat = lat0 + (_unit_noise(township, "lat") - 0.5) * 0.20 + (_unit_noise(code, "lat") - 0.5) * 0.05
        lng = lng0 + (_unit_noise(township, "lng") - 0.5) * 0.24 + (_unit_noise(code, "lng") - 0.5) * 0.06
        lat, lng = _clamp(lat, lng)
        villages.append(Village(code, name, kind == OrgUnit.Kind.URBAN, lat, lng))
    return villages


def county_targets(scale: float) -> dict[str, int]:
    total = sum(pop for _, pop, _, _ in COUNTIES.values())
    return {code: round(CITY_RESIDENTS * scale * pop / total) for code, (_, pop, _, _) in COUNTIES.items()}


def village_targets(villages: list[Village], residents: int) -> list[int]:
    """Split a county's households (residents / MEAN_HOUSEHOLD) over its villages by largest remainder.

    Whole households, so that small scales keep the household sizes and the age pyramid;
    the demo accounts' communities get at least FEATURED_MIN households at any scale.
    """
    households = round(residents / MEAN_HOUSEHOLD)
    weights = [(URBAN_WEIGHT if v.urban else 1.0) * (0.6 + 0.8 * _unit_noise(v.code, "size")) for v in villages]
    total = sum(weights)
    exact = [households * w / total for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(villages)), key=lambda i: (counts[i] - exact[i], villages[i].code))
    for i in order[: households - sum(counts)]:
        counts[i] += 1
    return [max(count, FEATURED_MIN) if v.code in FEATURED_UNITS else count for v, count in zip(villages, counts)]


# --- households --------------------------------------------------------------------------

def _tri(rng: random.Random, low: int, high: int, mode: int) -> int:
    return int(rng.triangular(low, high + 0.999, mode))


def _children(rng: random.Random, parent_age: int, count: int, max_age: int = 35) -> list[Person]:
    kids = []
    for _ in range(count):
        age = parent_age - rng.randint(22, 34)
        if age < 0:
            continue
        kids.append(Person(Resident.Relation.CHILD, rng.choice("MF"), min(age, max_age)))
    return kids


def _household(rng: random.Random, kind: str) -> list[Person]:
    """Members of one household of a type, head first (relations as seen from the head)."""
    head_gender = "M" if rng.random() < 0.82 else "F"
    other = "F" if head_gender == "M" else "M"
    if kind == "single_elderly":
        return [Person(Resident.Relation.HEAD, "F" if rng.random() < 0.62 else "M", _tri(rng, 60, 96, 72))]
    if kind == "single_adult":
        return [Person(Resident.Relation.HEAD, rng.choice("MF"), _tri(rng, 18, 59, 35))]
    if kind == "elderly_couple":
        age = _tri(rng, 60, 92, 66)
        return [Person(Resident.Relation.HEAD, head_gender, age),
                Person(Resident.Relation.SPOUSE, other, max(55, age + rng.randint(-5, 3)))]
    if kind == "couple":
        age = _tri(rng, 22, 59, 50)
        return [Person(Resident.Relation.HEAD, head_gender, age),
                Person(Resident.Relation.SPOUSE, other, max(20, age + rng.randint(-4, 2)))]
    if kind == "nuclear":
        age = _tri(rng, 25, 59, 46)
        count = rng.choices((1, 2, 3), (0.50, 0.42, 0.08))[0]
        return [Person(Resident.Relation.HEAD, head_gender, age),
                Person(Resident.Relation.SPOUSE, other, max(20, age + rng.randint(-4, 2))), *_children(rng, age, count)]
    if kind == "three_generations":
        age = _tri(rng, 30, 56, 44)
        members = [Person(Resident.Relation.HEAD, head_gender, age),
                   Person(Resident.Relation.SPOUSE, other, max(20, age + rng.randint(-4, 2)))]
        elder = min(98, age + rng.randint(24, 34))
        members.append(Person(Resident.Relation.PARENT, "F" if rng.random() < 0.6 else "M", elder))
        if rng.random() < 0.45:
            members.append(Person(Resident.Relation.PARENT, "M" if members[-1].gender == "F" else "F", elder + rng.randint(-3, 3)))
        return members + _children(rng, age, rng.choices((1, 2), (0.6, 0.4))[0], max_age=20)
    if kind == "skipped_generation":
        age = _tri(rng, 52, 78, 62)
        members = [Person(Resident.Relation.HEAD, head_gender, age)]
        if rng.random() < 0.7:
            members.append(Person(Resident.Relation.SPOUSE, other, max(50, age + rng.randint(-4, 2))))
        for _ in range(rng.choices((1, 2), (0.6, 0.4))[0]):
            members.append(Person(Resident.Relation.GRANDCHILD, rng.choice("MF"), rng.randint(1, 15)))
        return members
    age = _tri(rng, 28, 56, 40)  # single parent
    return [Person(Resident.Relation.HEAD, rng.choice("MF"), age),
            *_children(rng, age, rng.choices((1, 2), (0.7, 0.3))[0], max_age=25)]


def _tag_household(rng: random.Random, kind: str, members: list[Person], urban: bool) -> None:
    area = "urban" if urban else "rural"
    if rng.random() < DIBAO_HOUSEHOLD[area]:
        for person in members:
            person.tags[Tag.DIBAO] = {}
    for person in members:
        elderly = person.age >= 60
        if kind == "single_elderly" and elderly:
            person.tags[Tag.LIVING_ALONE] = {}
            if rng.random() < TEKUN_SINGLE_ELDERLY * (0.35 if urban else 1):
                person.tags[Tag.TEKUN] = {}
                person.tags.pop(Tag.DIBAO, None)
        if kind == "elderly_couple" and elderly:
            person.tags[Tag.EMPTY_NEST] = {}
        if kind == "skipped_generation":
            if person.relation == Resident.Relation.GRANDCHILD and person.age < 16:
                person.tags[Tag.LEFT_BEHIND_CHILD] = {}
            elif elderly:
                person.tags[Tag.LEFT_BEHIND_ELDERLY] = {}
        if elderly and rng.random() < HARDSHIP_RATE:
            condition = HARDSHIP_MIX[_pick(rng, _HARDSHIP_CUM)][0]
            person.tags[Tag.SPECIAL_HARDSHIP_ELDERLY] = {"condition": condition}
        if rng.random() < disabled_rate(person.age):
            grade = (1 if rng.random() < 0.33 else 2) if rng.random() < SEVERE_SHARE else rng.choice((3, 4))
            person.tags[Tag.DISABLED] = {"category": DISABILITY_MIX[_pick(rng, _DISABILITY_CUM)][0], "grade": int(grade)}
            if grade <= 2:
                person.tags[Tag.SEVERE_DISABILITY] = {}
        if 18 <= person.age < 60 and rng.random() < UNEMPLOYED[area]:
            person.tags[Tag.UNEMPLOYED] = {}
        if person.gender == "M" and 20 <= person.age <= 85 and rng.random() < VETERAN:
            person.tags[Tag.VETERAN] = {}
        if person.age >= 18:
            for code, rate in RESTRICTED_RATES.items():
                if rng.random() < rate:
                    person.tags[code] = {}


def disabled_rate(age: int) -> float:
    return next(rate for limit, rate in DISABLED_BY_AGE if age < limit)


def _pick(rng: random.Random, cumulative: list[int]) -> int:
    return rng.choices(range(len(cumulative)), cum_weights=cumulative)[0]


def _name(rng: random.Random, surname: str, gender: str) -> str:
    chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return surname + given


def _short_name(name: str) -> str:
    for suffix in UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class HouseholdPlan:
    number: str
    village: Village
    members: list[Person]
    address: dict[str, str]
    lat: float
    lng: float
    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    births: list[dt.date] = field(default_factory=list)


def plan_village(seed: int, village: Village, households: int) -> list[HouseholdPlan]:
    """The households of one village; depends only on (seed, village)."""
    rng = random.Random(f"{seed}:{village.code}")
    kinds = [k for k, _, _ in HOUSEHOLD_TYPES]
    weights = [urban if village.urban else rural for _, rural, urban in HOUSEHOLD_TYPES]
    short = _short_name(village.name)
    plans: list[HouseholdPlan] = []
    while len(plans) < households:
        kind = rng.choices(kinds, weights)[0]
        members = _household(rng, kind)
        _tag_household(rng, kind, members, village.urban)
        if village.urban:
            building, entrance = rng.randint(1, 36), rng.randint(1, 4)
            room = f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
            address = {"building": f"{building}号楼", "entrance": f"{entrance}单元", "room": f"{room}室",
                       "address": f"{short}{building}号楼{entrance}单元{room}室"}
        else:
            group, house = rng.randint(1, 8), rng.randint(1, 260)
            address = {"group_no": f"{group}组", "house_no": f"{house}号", "address": f"{short}{group}组{house}号"}
        plan = HouseholdPlan(f"{NUMBER_PREFIX}{len(plans):05d}", village, members, address,
                             round(village.lat + rng.uniform(-0.004, 0.004), 6),
                             round(village.lng + rng.uniform(-0.005, 0.005), 6))
        family = SURNAMES[_pick(rng, _SURNAME_CUM)][0]
        for person in members:
            own = person.relation in (Resident.Relation.SPOUSE,) or (
                person.relation == Resident.Relation.PARENT and person.gender == "F")
            surname = SURNAMES[_pick(rng, _SURNAME_CUM)][0] if own else family
            plan.names.append(_name(rng, surname, person.gender))
            has_phone = person.age >= 16 and rng.random() < (0.95 if person.age < 75 else 0.6)
            plan.phones.append(f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}" if has_phone else "")
            year_start = dt.date(REFERENCE_DATE.year - person.age, REFERENCE_DATE.month, REFERENCE_DATE.day)
            plan.births.append(year_start - dt.timedelta(days=rng.randrange(365)))
        plans.append(plan)
    return plans


# --- writing -------------------------------------------------------------------------------

@dataclass
class SeedResult:
    residents: int = 0
    households: int = 0
    tags: int = 0
    skipped_villages: int = 0
    villages: int = 0


Progress = Callable[[int, int], None]  # (residents done or skipped, residents planned)


def _id_numbers(county: str, plans: list[HouseholdPlan], counters: dict[tuple[int, str], int]) -> list[list[str]]:
    """ID numbers for every member, unique in the county: a running sequence per (birth date, gender)."""
    numbers = []
    for plan in plans:
        row = []
        for person, birth in zip(plan.members, plan.births):
            key = (birth.toordinal(), person.gender)
            sequence = counters.get(key, 0)
            counters[key] = sequence + 1
            if sequence >= 300:
                raise RuntimeError("too many synthetic residents born on one day in one county")
            row.append(make_number(county, birth, 200 + sequence, person.gender))
        numbers.append(row)
    return numbers


HOUSEHOLD_FIELDS = ["unit_id", "number", "lat", "lng", "building", "entrance", "room", "group_no", "house_no", "address"]
RESIDENT_FIELDS = ["unit_id", "household_id", "relation", "name", "gender", "birth_date", "id_number_enc", "id_number_hash",
                   "id_number_masked", "phone_enc", "phone_hash", "phone_masked", "current_address", "hukou_address"]


def _write(batch: list[tuple[HouseholdPlan, list[str]]], result: SeedResult) -> None:
    encrypt, search_hash = crypto.encrypt, crypto.search_hash
    empty = db_json(ResidentTag, "detail", {})
    with transaction.atomic():
        households = BulkInserter(Household, HOUSEHOLD_FIELDS)
        residents = BulkInserter(Resident, RESIDENT_FIELDS)
        tags = BulkInserter(ResidentTag, ["resident_id", "tag", "detail"])
        household_ids = households.insert([
            (plan.village.code, plan.number, plan.lat, plan.lng, *(plan.address.get(f, "") for f in HOUSEHOLD_FIELDS[4:]))
            for plan, _ in batch])
        rows = []
        for household_id, (plan, numbers) in zip(household_ids, batch):
            address = plan.address["address"]
            for person, name, phone, birth, number in zip(plan.members, plan.names, plan.phones, plan.births, numbers):
                rows.append((plan.village.code, household_id, str(person.relation),
                             name, person.gender, db_date(birth),
                             encrypt(number), search_hash(number), mask_id(number),
                             encrypt(phone), search_hash(phone), mask_phone(phone), address, address))
        resident_ids = iter(residents.insert(rows))
        tag_rows: list[tuple[int, str, Any]] = []
        heads: list[tuple[int, int]] = []
        for household_id, (plan, _) in zip(household_ids, batch):
            for person in plan.members:
                resident_id = next(resident_ids)
                if person.relation == Resident.Relation.HEAD:
                    heads.append((resident_id, household_id))
                tag_rows += [(resident_id, str(code), db_json(ResidentTag, "detail", detail) if detail else empty)
                             for code, detail in person.tags.items()]
        tags.insert(tag_rows)
        table = connection.ops.quote_name(Household._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET head_id = %s WHERE id = %s", heads)  # noqa: S608
    result.households += len(household_ids)
    result.residents += len(rows)
    result.tags += len(tag_rows)


def seeded_villages() -> set[str]:
    return {str(code) for code in Household.objects.filter(number=f"{NUMBER_PREFIX}00000").values_list("unit_id", flat=True)}


def iter_county_plans(seed: int, county: str, residents: int) -> Iterator[tuple[Village, list[HouseholdPlan]]]:
    villages = villages_of(county)
    for village, target in zip(villages, village_targets(villages, residents)):
        yield village, plan_village(seed, village, target) if target else []


def seed_population(scale: float, *, seed: int = DEFAULT_SEED, batch: int = BATCH,
                    progress: Progress | None = None) -> SeedResult:
    """Write the population for scale (about scale × 4.2 million residents); see the module docstring."""
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between {MIN_SCALE} and {MAX_SCALE}")
    targets = county_targets(scale)
    planned = sum(targets.values())
    done_units = seeded_villages()
    result = SeedResult()
    done = 0
    for county in sorted(COUNTIES):
        counters: dict[tuple[int, str], int] = {}
        pending: list[tuple[HouseholdPlan, list[str]]] = []
        pending_people = 0
        for village, plans in iter_county_plans(seed, county, targets[county]):
            numbers = _id_numbers(county, plans, counters)  # always, so sequences do not depend on what exists
            people = sum(len(p.members) for p in plans)
            result.villages += 1
            if village.code in done_units:
                result.skipped_villages += 1
                done += people
                continue
            pending += zip(plans, numbers)
            pending_people += people
            if pending_people >= batch:
                _write(pending, result)
                done += pending_people
                pending, pending_people = [], 0
                if progress:
                    progress(done, planned)
        if pending:
            _write(pending, result)
            done += pending_people
        if progress:
            progress(done, planned)
    return result

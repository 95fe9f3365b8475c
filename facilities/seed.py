"""Demo facilities (演示数据): deterministic, idempotent, placed where the synthetic households live.

Covers every village-level unit that has households in the register, plus every
`sample_every`-th other village (by code), plus every township. Each choice comes from
a hash of the unit code, so two runs (on any machine) give the same rows; rows that
already exist (same unit and name) are left alone.
"""

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Avg

from accounts import audit
from facilities.hours import min_weekday_minutes
from facilities.models import (
    CommunityProfile,
    Facility,
    FacilityKind,
    FacilityService,
    FacilityStatus,
    HousedService,
    PointKind,
    ServicePoint,
    Space,
    SpaceKind,
    SpaceRule,
)
from places.models import OrgUnit

CENTRE = (37.739, 115.670)


def noise(code: str, salt: str) -> float:
    digest = hashlib.sha256(f"facilities:{salt}:{code}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _short(name: str) -> str:
    for suffix in ("社区居民委员会", "村民委员会", "居民委员会", "街道办事处", "街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _centres(units: list[OrgUnit]) -> dict[str, tuple[float, float]]:
    """Where each unit's households are: their average position, else a fixed point near its county."""
    found: dict[str, tuple[float, float]] = {}
    counties: dict[str, tuple[str, float, float, float]] = {}  # without the register: the city centre for every county
    if apps.is_installed("people"):
        from people.seed import COUNTIES as counties

        Household = apps.get_model("people", "Household")
        rows = (Household.objects.filter(unit_id__in=[u.code for u in units], lat__isnull=False)
                .values("unit_id").annotate(lat=Avg("lat"), lng=Avg("lng")))
        found = {r["unit_id"]: (r["lat"], r["lng"]) for r in rows}
    out = {}
    for unit in units:
        if unit.code in found:
            out[unit.code] = found[unit.code]
            continue
        county = counties.get(unit.code[:6])
        lat0, lng0 = (county[2], county[3]) if county else CENTRE
        out[unit.code] = (lat0 + (noise(unit.code[:9], "lat") - 0.5) * 0.2 + (noise(unit.code, "lat") - 0.5) * 0.05,
                          lng0 + (noise(unit.code[:9], "lng") - 0.5) * 0.24 + (noise(unit.code, "lng") - 0.5) * 0.06)
    return out


def _near(centre: tuple[float, float], code: str, salt: str, spread: float = 0.003) -> tuple[float, float]:
    return (round(centre[0] + (noise(code, salt + "y") - 0.5) * spread, 6),
            round(centre[1] + (noise(code, salt + "x") - 0.5) * spread, 6))


WEEKDAY_HOURS = ["08:30-12:00,14:00-18:00", "08:00-17:00", "09:00-17:00", "08:30-12:00,14:30-17:30"]
POINT_MIX = [PointKind.SUPERMARKET, PointKind.CLINIC, PointKind.PHARMACY, PointKind.EXPRESS_STATION,
             PointKind.POST_OFFICE, PointKind.BANK, PointKind.RECYCLING, PointKind.BARBER, PointKind.REPAIR,
             PointKind.PARCEL_LOCKER, PointKind.HOUSEKEEPING, PointKind.CANTEEN]


def _facility(unit: OrgUnit, centre: tuple[float, float], kind: str, name: str, **values: Any) -> Facility:
    lat, lng = _near(centre, unit.code, name)
    hours = values.pop("hours", [WEEKDAY_HOURS[int(noise(unit.code, "hours") * 4)]] * 5 + ["09:00-12:00", ""])
    return Facility(unit=unit, kind=kind, name=name, lat=lat, lng=lng, opening_hours=hours,
                    min_weekday_minutes=min_weekday_minutes(hours), **values)


def plan_rows(units: list[OrgUnit], townships: list[OrgUnit]) -> tuple[list[Facility], list[list[str]], list[ServicePoint],
                                                                    list[CommunityProfile]]:
    centres = _centres(units + townships)
    facilities: list[Facility] = []
    services: list[list[str]] = []
    points: list[ServicePoint] = []
    profiles: list[CommunityProfile] = []
    for unit in units:
        code, short, urban = unit.code, _short(unit.name), unit.kind == OrgUnit.Kind.URBAN
        centre = centres[code]
        roll = noise(code, "status")
        # About 97% of urban and 78% of rural units have a comprehensive facility in use.
        if roll < (0.97 if urban else 0.78):
            status = FacilityStatus.IN_USE
        elif roll < 0.9:
            status = FacilityStatus.BUILDING
        else:
            status = FacilityStatus.PLANNED
        area = Decimal(int(380 + noise(code, "area") * 520 if urban else 120 + noise(code, "area") * 380))
        activity = (area * Decimal(0.5 + noise(code, "activity") * 0.25)).quantize(Decimal(1))
        office = (area * Decimal(0.1 + noise(code, "office") * 0.1)).quantize(Decimal(1))
        built = dt.date(2012 + int(noise(code, "built") * 13), 1 + int(noise(code, "month") * 12), 1)
        name = f"{short}{'社区党群服务中心' if urban else '村综合服务站'}"
        facilities.append(_facility(
            unit, centre, FacilityKind.COMPREHENSIVE, name, status=status, building_area=area, activity_area=activity,
            office_area=office, built_on=built if status == FacilityStatus.IN_USE else None,
            has_ramp=noise(code, "ramp") < 0.8, has_accessible_toilet=noise(code, "toilet") < 0.55,
            has_lift=urban and noise(code, "lift") < 0.35, has_tactile_paving=noise(code, "tactile") < 0.3,
            address=f"{unit.name}办公楼",
        ))
        housed = [str(s) for s, rate in [
            (HousedService.ELDERLY_DAY_CARE, 0.85 if urban else 0.45), (HousedService.CHILDREN_HOME, 0.7),
            (HousedService.HEALTH_STATION, 0.6), (HousedService.SOCIAL_WORK_ROOM, 0.5),
            (HousedService.VOLUNTEER_STATION, 0.82), (HousedService.DISABLED_ASSOCIATION, 0.9),
            (HousedService.POLICE_OFFICE, 0.6 if urban else 0.3), (HousedService.LIBRARY_CORNER, 0.75),
            (HousedService.SELF_SERVICE_TERMINAL, 0.9 if urban else 0.2), (HousedService.CIVILIZATION_STATION, 0.92),
        ] if noise(code, s) < rate]
        services.append(housed)
        if noise(code, "fitness") < (0.9 if urban else 0.7):
            facilities.append(_facility(unit, centre, FacilityKind.FITNESS, f"{short}健身广场", hours=["06:00-21:00"] * 7))
            services.append([])
        if urban and noise(code, "care") < 0.6:
            facilities.append(_facility(unit, centre, FacilityKind.ELDERLY_CARE, f"{short}居家养老服务中心",
                                        building_area=Decimal(260), activity_area=Decimal(180), office_area=Decimal(30)))
            services.append([])
        count = 2 + int(noise(code, "points") * (6 if urban else 3))
        for index in range(count):
            kind = POINT_MIX[(int(noise(code, "mix") * len(POINT_MIX)) + index) % len(POINT_MIX)]
            lat, lng = _near(centre, code, f"point{index}", spread=0.008)
            points.append(ServicePoint(unit=unit, kind=kind, name=f"{short}{PointKind(kind).label.split('（')[0]}",
                                       operator="个体经营" if index % 2 else f"{short}便民服务有限公司",
                                       opening_hours="07:30-21:00", lat=lat, lng=lng))
        total = Decimal(int(60000 + noise(code, "total") * 140000)) if urban else Decimal(int(20000 + noise(code, "total") * 60000))
        share = Decimal(0.06 + noise(code, "share") * 0.08)
        profiles.append(CommunityProfile(unit=unit, total_building_area=total,
                                         commercial_service_area=(total * share).quantize(Decimal(1)),
                                         is_relocation_community=not urban and noise(code, "hollow") < 0.04))
    for township in townships:
        code, short, centre = township.code, _short(township.name), centres[township.code]
        if noise(code, "social_work") < 0.75:
            facilities.append(_facility(township, centre, FacilityKind.SOCIAL_WORK, f"{short}社会工作服务站",
                                        building_area=Decimal(150), activity_area=Decimal(90), office_area=Decimal(30)))
            services.append([])
        if noise(code, "civilization") < 0.9:
            facilities.append(_facility(township, centre, FacilityKind.CIVILIZATION, f"{short}新时代文明实践所",
                                        building_area=Decimal(300), activity_area=Decimal(200), office_area=Decimal(40)))
            services.append([])
    return facilities, services, points, profiles


def demo_units(sample_every: int) -> list[OrgUnit]:
    with_households: set[str] = set()
    if apps.is_installed("people"):
        Household = apps.get_model("people", "Household")
        with_households = set(Household.objects.values_list("unit_id", flat=True).distinct())
    villages = OrgUnit.objects.villages().order_by("code")
    return [v for i, v in enumerate(villages) if v.code in with_households or i % sample_every == 0]


@transaction.atomic
def seed_facilities(*, sample_every: int = 10) -> dict[str, int]:
    units = demo_units(sample_every)
    townships = list(OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP).order_by("code"))
    facilities, services, points, profiles = plan_rows(units, townships)
    have = set(Facility.objects.values_list("unit_id", "name"))
    new = [(f, s) for f, s in zip(facilities, services) if (f.unit.code, f.name) not in have]
    Facility.objects.bulk_create([f for f, _ in new], batch_size=1000)
    keyed = {(str(u), n): pk for pk, u, n in Facility.objects.filter(
        unit_id__in={f.unit.code for f, _ in new}).values_list("pk", "unit_id", "name")}
    FacilityService.objects.bulk_create(
        [FacilityService(facility_id=keyed[(f.unit.code, f.name)], service=s) for f, wanted in new for s in wanted],
        batch_size=2000, ignore_conflicts=True)
    have_points = set(ServicePoint.objects.values_list("unit_id", "name"))
    seen: set[tuple[str, str]] = set()
    new_points = []
    for p in points:
        key = (p.unit.code, p.name)
        if key not in have_points and key not in seen:
            seen.add(key)
            new_points.append(p)
    ServicePoint.objects.bulk_create(new_points, batch_size=1000)
    have_profiles = set(CommunityProfile.objects.values_list("unit_id", flat=True))
    new_profiles = [p for p in profiles if p.unit.code not in have_profiles]
    CommunityProfile.objects.bulk_create(new_profiles, batch_size=1000)
    spaces = _demo_spaces(units)
    counts = {"units": len(units), "facilities": len(new), "points": len(new_points), "profiles": len(new_profiles),
              "spaces": spaces}
    audit.record(actor=None, action="facilities.seed", username="seed_facilities", detail=counts)
    return counts


def _demo_spaces(units: list[OrgUnit]) -> int:
    """Two spaces in each of the first few urban communities: a facility room and a school's sports ground."""
    created = 0
    for unit in [u for u in units if u.kind == OrgUnit.Kind.URBAN][:20]:
        short = _short(unit.name)
        hall = Facility.objects.filter(unit=unit, kind=FacilityKind.COMPREHENSIVE).first()
        if hall is not None and not Space.objects.filter(unit=unit, name=f"{short}多功能活动室").exists():
            Space.objects.create(unit=unit, facility=hall, kind=SpaceKind.ROOM, name=f"{short}多功能活动室", capacity=40,
                                 rule=SpaceRule.FREE, opens_at=dt.time(8, 30), closes_at=dt.time(20, 30), slot_minutes=60)
            created += 1
        if not Space.objects.filter(unit=unit, name=f"{short}小学操场").exists():
            Space.objects.create(unit=unit, host=f"{short}小学", kind=SpaceKind.SPORTS, name=f"{short}小学操场", capacity=80,
                                 rule=SpaceRule.APPROVAL, opens_at=dt.time(17, 0), closes_at=dt.time(21, 0), slot_minutes=60,
                                 weekdays="0123456", rules_text="节假日及放学后开放；请爱护场地，垃圾带走。")
            created += 1
    return created

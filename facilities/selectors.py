"""Scoped reads and the computed shares, for any unit's subtree as of any date.

Every measure returns {unit code: (numerator, denominator)} for the lowest units it is
measured on (village-level units; townships for township-level measures), computed
with a few GROUP BY queries on a code prefix, never per unit. Shares of a subtree are
the sums of numerators over the sums of denominators (see docs/facilities.md).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, FloatField, OuterRef, Q, Sum

from accounts.roles import Role
from accounts.scoping import get_visible_or_404, scope_prefix
from facilities.circles import Homes, coverage_of
from facilities.conf import circle_radius_m
from facilities.models import (
    Booking,
    CommunityProfile,
    Facility,
    FacilityKind,
    FacilityPhoto,
    HousedService,
    PointKind,
    ServicePoint,
    Space,
    in_use_on,
)
from places.codes import within
from places.models import OrgUnit

CITY_PREFIX = "1311"
# The plan period (十四五): facilities built from this day on are "new" (新建).
PLAN_START = dt.date(2021, 1, 1)
NEW_URBAN_FACILITY_MIN_AREA = Decimal(600)
MIN_DAILY_OPEN_MINUTES = 8 * 60

Measure = dict[str, tuple[float, float]]


# ---------------------------------------------------------------- access helpers

def facilities_for(user: Any) -> Any:
    return Facility.objects.visible_to(user).select_related("unit")


def facility_for_user(user: Any, pk: int) -> Facility:
    return get_visible_or_404(facilities_for(user).prefetch_related("services", "photos"), pk=pk)


def points_for(user: Any) -> Any:
    return ServicePoint.objects.visible_to(user).select_related("unit")


def point_for_user(user: Any, pk: int) -> ServicePoint:
    return get_visible_or_404(points_for(user), pk=pk)


def photo_for_user(user: Any, pk: int) -> FacilityPhoto:
    return get_visible_or_404(FacilityPhoto.objects.filter(facility__in=Facility.objects.visible_to(user)), pk=pk)


def unit_for_user(user: Any, code: str) -> OrgUnit:
    prefix = scope_prefix(user)
    units = OrgUnit.objects.filter(within("code", prefix)) if prefix else OrgUnit.objects.none()
    return get_visible_or_404(units, code=code)


def profile_of(unit: OrgUnit) -> CommunityProfile | None:
    return CommunityProfile.objects.filter(unit=unit).first()


def spaces_for(user: Any) -> Any:
    """Staff see the spaces of their subtree; residents those of their own village or community."""
    if getattr(user, "role", None) == Role.RESIDENT and user.is_authenticated and user.is_active and user.unit_id:
        return Space.objects.filter(unit_id=user.unit_id, is_active=True).select_related("unit", "facility")
    return Space.objects.visible_to(user).select_related("unit", "facility")


def space_for_user(user: Any, pk: int) -> Space:
    return get_visible_or_404(spaces_for(user), pk=pk)


def bookings_for(user: Any) -> Any:
    """Staff see the bookings of their subtree; everyone sees their own."""
    mine = Q(booker_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    scoped = Booking.objects.visible_to(user) if getattr(user, "role", None) != Role.RESIDENT else Booking.objects.none()
    return Booking.objects.filter(mine | Q(pk__in=scoped.values("pk"))).select_related("space", "booker", "unit")


def booking_for_user(user: Any, pk: int) -> Booking:
    return get_visible_or_404(bookings_for(user), pk=pk)


def calendar(space: Space, start: dt.date, days: int = 7) -> list[dict[str, Any]]:
    """Each day from start: its slots, with the holding booking if any."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    end = begin + dt.timedelta(days=days)
    held = {
        timezone.localtime(b.starts_at): b
        for b in space.bookings.filter(status__in=["pending", "confirmed"], starts_at__lt=end, ends_at__gt=begin)
    }
    spans = [(b.starts_at, b.ends_at, b) for b in held.values()]
    now = timezone.now()
    out = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        slots = []
        if str(day.weekday()) in space.weekdays:
            at = dt.datetime.combine(day, space.opens_at, tzinfo=tz)
            closes = dt.datetime.combine(day, space.closes_at, tzinfo=tz)
            while at + dt.timedelta(minutes=space.slot_minutes) <= closes:
                booking = next((b for s, e, b in spans if s <= at < e), None)
                slots.append({"starts_at": at, "booking": booking, "past": at <= now})
                at += dt.timedelta(minutes=space.slot_minutes)
        out.append({"day": day, "slots": slots})
    return out


# ---------------------------------------------------------------- measures (indicators)

def _villages(prefix: str, kind: str | None = None) -> list[str]:
    units = OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.VILLAGE)
    if kind:
        units = units.filter(kind=kind)
    return list(units.values_list("code", flat=True))


def _townships(prefix: str) -> list[str]:
    return list(OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.TOWNSHIP).values_list("code", flat=True))


def _in_use(prefix: str, as_of: dt.date) -> Any:
    return Facility.objects.filter(within("unit_id", prefix)).filter(in_use_on(as_of))


def _villages_having(prefix: str, as_of: dt.date, condition: Q, kind: str | None = None) -> Measure:
    """(1 if the village-level unit has a facility in use meeting condition else 0, 1), one query for all units."""
    units = OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.VILLAGE)
    if kind:
        units = units.filter(kind=kind)
    having = Exists(Facility.objects.filter(in_use_on(as_of), condition, unit_id=OuterRef("code")))
    return {code: (1.0 if has else 0.0, 1.0) for code, has in units.annotate(has=having).values_list("code", "has")}


def _flag(units: list[str], having: set[str]) -> Measure:
    return {code: (1.0 if code in having else 0.0, 1.0) for code in units}


def _units_of(queryset: Any) -> set[str]:
    return set(queryset.values_list("unit_id", flat=True).distinct())


def comprehensive_coverage(prefix: str, as_of: dt.date, kind: str) -> Measure:
    """Village-level units of `kind` (urban / rural) with a comprehensive facility in use."""
    return _villages_having(prefix, as_of, Q(kind=FacilityKind.COMPREHENSIVE), kind)


def housing_coverage(prefix: str, as_of: dt.date, service: str, kinds: tuple[str, ...] = (),
                     unit_kind: str | None = None) -> Measure:
    """Village-level units with a facility in use that houses `service` (or is of one of `kinds`)."""
    condition = Q(services__service=service)
    if kinds:
        condition |= Q(kind__in=kinds)
    return _villages_having(prefix, as_of, condition, unit_kind)


def commercial_service_share(prefix: str, as_of: dt.date) -> Measure:
    """Urban communities: (commercial-and-service floor area, total floor area) from their profiles."""
    profiles: dict[str, tuple[float, float]] = {
        str(unit): (float(commercial), float(total))
        for unit, commercial, total in CommunityProfile.objects.filter(within("unit_id", prefix), unit__kind=OrgUnit.Kind.URBAN)
        .values_list("unit_id", "commercial_service_area", "total_building_area")
    }
    return {code: profiles.get(code, (0.0, 0.0)) for code in _villages(prefix, OrgUnit.Kind.URBAN)}


def household_counts(prefix: str) -> dict[str, int]:
    if not apps.is_installed("people"):
        return {}
    Household = apps.get_model("people", "Household")
    rows = Household.objects.filter(within("unit_id", prefix)).values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    return dict(rows)


def area_per_100_households(prefix: str, as_of: dt.date) -> Measure:
    """(floor area of comprehensive facilities in use × 100, households in the register)."""
    area = _comprehensive_sums(prefix, as_of, _sum("building_area"), _count())
    households = household_counts(prefix)
    return {code: (building * 100, float(households.get(code, 0))) for code, (building, _) in area.items()}


def _comprehensive_sums(prefix: str, as_of: dt.date, numerator: Any, denominator: Any, *, kind: str | None = None,
                        only: Q | None = None) -> Measure:
    """Per village-level unit: two aggregates over its comprehensive facilities in use (0 when it has none).

    One query from the units (a LEFT JOIN and GROUP BY), so a unit without facilities is still a row.
    numerator/denominator are aggregates over "facilities__…" fields; only= narrows the facilities.
    """
    counted = in_use_on(as_of, "facilities__") & Q(facilities__kind=FacilityKind.COMPREHENSIVE) & (only or Q())
    units = OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.VILLAGE)
    if kind:
        units = units.filter(kind=kind)
    rows = units.annotate(n=numerator(counted), d=denominator(counted)).values_list("code", "n", "d")
    return {code: (float(n or 0), float(d or 0)) for code, n, d in rows}


def _sum(field: str) -> Any:
    return lambda counted: Sum(f"facilities__{field}", filter=counted, output_field=FloatField())


def _count(extra: Q | None = None) -> Any:
    return lambda counted: Count("facilities", filter=counted & (extra or Q()))


def activity_share(prefix: str, as_of: dt.date) -> Measure:
    """(residents' activity area, building area) of comprehensive facilities in use."""
    return _comprehensive_sums(prefix, as_of, _sum("activity_area"), _sum("building_area"))


def opening_hours_compliance(prefix: str, as_of: dt.date) -> Measure:
    """(comprehensive facilities in use open ≥ 8 h every weekday, comprehensive facilities in use)."""
    return _comprehensive_sums(prefix, as_of, _count(Q(facilities__min_weekday_minutes__gte=MIN_DAILY_OPEN_MINUTES)), _count())


def new_urban_area_compliance(prefix: str, as_of: dt.date) -> Measure:
    """Urban communities: (new comprehensive facilities ≥ 600 m², new comprehensive facilities).

    New: built in the plan period, from PLAN_START to as_of, and in use on as_of.
    """
    return _comprehensive_sums(prefix, as_of, _count(Q(facilities__building_area__gte=NEW_URBAN_FACILITY_MIN_AREA)), _count(),
                               kind=OrgUnit.Kind.URBAN, only=Q(facilities__built_on__gte=PLAN_START, facilities__built_on__lte=as_of))


def relocation_coverage(prefix: str, as_of: dt.date) -> Measure:
    """空心村 relocation communities with a comprehensive facility in use."""
    relocation = [str(code) for code in CommunityProfile.objects.filter(
        within("unit_id", prefix), is_relocation_community=True).values_list("unit_id", flat=True)]
    having = _units_of(_in_use(prefix, as_of).filter(kind=FacilityKind.COMPREHENSIVE, unit_id__in=relocation))
    return _flag(relocation, having)


def township_social_work_coverage(prefix: str, as_of: dt.date) -> Measure:
    """Townships with a social-work station (社会工作服务站) in use anywhere in their subtree."""
    units = _units_of(_in_use(prefix, as_of).filter(kind=FacilityKind.SOCIAL_WORK))
    having = {code[:9] + "000" for code in units}
    return _flag(_townships(prefix), having)


def civilization_coverage(prefix: str, as_of: dt.date) -> Measure:
    """Townships with a 新时代文明实践所 and village-level units with a 新时代文明实践站.

    A township's 所 is a civilisation-practice facility recorded on the township itself; a
    village's 站 is one recorded on the village, or a facility there housing the station.
    """
    townships = _units_of(_in_use(prefix, as_of).filter(kind=FacilityKind.CIVILIZATION, unit__level=OrgUnit.Level.TOWNSHIP))
    villages = _villages_having(prefix, as_of, Q(kind=FacilityKind.CIVILIZATION) | Q(services__service=HousedService.CIVILIZATION_STATION))
    return _flag(_townships(prefix), townships) | villages


# ---------------------------------------------------------------- 15-minute circles

@dataclass(frozen=True)
class Target:
    """What a circle is drawn around: facilities of a kind, or service points of a kind."""

    source: str  # "facility" | "point"
    kind: str

    @property
    def label(self) -> str:
        return FacilityKind(self.kind).label if self.source == "facility" else PointKind(self.kind).label


FITNESS = Target("facility", FacilityKind.FITNESS)


def target_points(target: Target, as_of: dt.date) -> tuple[list[float], list[float]]:
    model = Facility if target.source == "facility" else ServicePoint
    rows = model.objects.filter(in_use_on(as_of), kind=target.kind, lat__isnull=False, lng__isnull=False).values_list("lat", "lng")
    pairs = [(float(a or 0), float(b or 0)) for a, b in rows]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def household_points(prefix: str) -> tuple[list[str], list[float], list[float]]:
    if not apps.is_installed("people"):
        return [], [], []
    Household = apps.get_model("people", "Household")
    rows = list(Household.objects.filter(within("unit_id", prefix), lat__isnull=False, lng__isnull=False)
                .values_list("unit_id", "lat", "lng").iterator(chunk_size=20000))
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def household_homes(prefix: str) -> Homes:
    """The households under prefix that have coordinates, as arrays (see circles.Homes)."""
    if not apps.is_installed("people"):
        return Homes.from_rows([])
    Household = apps.get_model("people", "Household")
    return Homes.from_rows(Household.objects.filter(within("unit_id", prefix), lat__isnull=False, lng__isnull=False)
                           .values_list("unit_id", "lat", "lng").iterator(chunk_size=20000))


def circle_coverage(prefix: str, as_of: dt.date, target: Target = FITNESS, radius_m: float | None = None,
                    *, brute: bool = False) -> Measure:
    """Village-level units: (households within the radius of a target in use, households with coordinates).

    Targets anywhere in the city count (a fitness site across the road in the next
    community serves these households too).
    """
    radius = circle_radius_m() if radius_m is None else radius_m
    plat, plng = target_points(target, as_of)
    by_unit = coverage_of(household_homes(prefix), plat, plng, radius, brute=brute)
    return {code: (float(c), float(t)) for code, (c, t) in by_unit.items()}


def circle_summary(prefix: str, as_of: dt.date) -> list[dict[str, Any]]:
    """Household share within the radius of a fitness site and of each essential service type."""
    homes = household_homes(prefix)
    radius = circle_radius_m()
    rows = []
    for target in [FITNESS, *[Target("point", k) for k in _essential_kinds()]]:
        plat, plng = target_points(target, as_of)
        by_unit = coverage_of(homes, plat, plng, radius)
        covered = sum(c for c, _ in by_unit.values())
        rows.append({"label": target.label, "covered": covered, "total": len(homes),
                     "share": covered / len(homes) if len(homes) else None})
    return rows


def _essential_kinds() -> list[str]:
    from facilities.models import ESSENTIAL_POINT_KINDS

    return [str(k) for k in ESSENTIAL_POINT_KINDS]


# ---------------------------------------------------------------- the measures by indicator code

MEASURES: dict[str, Callable[[str, dt.date], Measure]] = {
    "rural_facility_coverage": lambda p, d: comprehensive_coverage(p, d, OrgUnit.Kind.RURAL),
    "urban_facility_coverage": lambda p, d: comprehensive_coverage(p, d, OrgUnit.Kind.URBAN),
    "commercial_service_area_share": commercial_service_share,
    "facility_area_per_100_households": area_per_100_households,
    "activity_area_share": activity_share,
    "self_service_terminal_coverage": lambda p, d: housing_coverage(
        p, d, HousedService.SELF_SERVICE_TERMINAL, unit_kind=OrgUnit.Kind.URBAN),
    "township_social_work_station_coverage": township_social_work_coverage,
    "home_care_facility_coverage": lambda p, d: housing_coverage(
        p, d, HousedService.ELDERLY_DAY_CARE, (FacilityKind.ELDERLY_CARE,), unit_kind=OrgUnit.Kind.URBAN),
    "fitness_circle_coverage": lambda p, d: circle_coverage(p, d, FITNESS),
    "civilization_practice_coverage": civilization_coverage,
    "relocation_community_facility_coverage": relocation_coverage,
    "new_urban_facility_area_compliance": new_urban_area_compliance,
    "facility_opening_hours_compliance": opening_hours_compliance,
}

LABELS = {
    "rural_facility_coverage": ("农村社区综合服务设施覆盖率", "ratio"),
    "urban_facility_coverage": ("城市社区综合服务设施覆盖率", "ratio"),
    "commercial_service_area_share": ("商业和综合服务设施面积占社区总建筑面积比例", "ratio"),
    "facility_area_per_100_households": ("每百户居民拥有综合服务设施面积（㎡）", "number"),
    "activity_area_share": ("居民活动区域面积占设施建筑面积比例", "ratio"),
    "self_service_terminal_coverage": ("城市社区政务通用自助服务覆盖率", "ratio"),
    "township_social_work_station_coverage": ("乡镇（街道）社会工作服务站覆盖率", "ratio"),
    "home_care_facility_coverage": ("社区居家养老服务设施覆盖率", "ratio"),
    "fitness_circle_coverage": ("“15分钟健身圈”覆盖住户比例", "ratio"),
    "civilization_practice_coverage": ("新时代文明实践所（站）覆盖率", "ratio"),
    "relocation_community_facility_coverage": ("“空心村”治理集中安置社区综合服务设施覆盖率", "ratio"),
    "new_urban_facility_area_compliance": ("新建城市社区综合服务设施面积达标率（≥600㎡）", "ratio"),
    "facility_opening_hours_compliance": ("综合服务设施工作日每天开放不少于8小时的比例", "ratio"),
}


def measure(code: str, prefix: str, as_of: dt.date) -> Measure:
    return MEASURES[code](prefix, as_of)


def share(code: str, prefix: str, as_of: dt.date) -> tuple[float, float, float | None]:
    """(numerator, denominator, value) of one measure over a subtree; value None when nothing to measure."""
    rows = measure(code, prefix, as_of)
    num = sum(n for n, _ in rows.values())
    den = sum(d for _, d in rows.values())
    return num, den, (num / den if den else None)


def summary(prefix: str, as_of: dt.date, *, with_circles: bool = True) -> list[dict[str, Any]]:
    out = []
    for code, (label, unit) in LABELS.items():
        if code == "fitness_circle_coverage" and not with_circles:
            continue
        num, den, value = share(code, prefix, as_of)
        out.append({"code": code, "label": label, "unit": unit, "numerator": num, "denominator": den, "value": value})
    return out


def counts_by_kind(prefix: str) -> dict[str, int]:
    rows = Facility.objects.filter(within("unit_id", prefix)).values("kind").annotate(n=Count("id"))
    return defaultdict(int, {r["kind"]: r["n"] for r in rows})

"""Bench: the planning engine over the real modules' tables, against one hand-written SQL statement per indicator.

    SHEQU_VAR_DIR=/tmp/somedir .venv/bin/python bench/planning_real.py [--period 2026-11] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/somedb .venv/bin/python bench/planning_real.py

The database is prepared beforehand (`manage.py migrate && manage.py setup_demo [--scale S]`);
the bench only reads it, except in the incremental step, which runs in a transaction that is
rolled back. SHEQU_VAR_DIR defaults to /tmp/shequ_planning_real (never the repo's var/).

For every indicator with a real provider (planning.providers.discover(): facilities, care,
workforce, places) and the period (default: the current month):

1. engine: planning.engine.compute(indicator, period) — the module's provider plus the roll-up
   by code prefix to every unit (village → township → county → city). Best of --repeat runs;
   peak Python memory of one whole pass (tracemalloc) is measured separately.
2. floor: ONE hand-written SQL statement (portable: substr, CASE, COALESCE, EXISTS, GROUP BY,
   UNION ALL, CTEs) giving every unit's (unit_code, numerator, denominator) at every level,
   with the provider's semantics (same as-of date from engine.window: facilities in use on the
   date, workers in post, due visit rows of the period, serving officers, households, present
   residents …), fetched into Python. Best of --repeat runs.
   Exception: fitness_circle_coverage is spatial (households within a radius of a fitness
   facility in use, KD-tree in facilities/circles.py). Its floor is two hand-written SQL
   fetches (households' unit_code/lat/lng, in-use fitness facilities' points), the same
   facilities.circles.coverage_by_unit and a Python roll-up by code prefix.
3. check: the engine's and the floor's (numerator, denominator) must agree for every unit
   (abs 1e-6; relative 1e-12 for sums above 10^6, where float summation order shows; a unit
   missing on one side counts as (0, 0)). Mismatches are printed and the exit code is 1.
4. incremental: fill the cache (engine.refresh) for this period only, then, one at a time,
   record one visit for a due, unvisited special-hardship elderly row (care.services.record_visit)
   and create one comprehensive facility in a village without one
   (facilities.services.create_facility), both audited by the services; after each, time
   engine.sync_audit() + engine.process_dirty() (the path update, rows touched) against a full
   engine.refresh of the affected indicator and of every indicator the record dirtied, and
   check the cached values along the path against a fresh compute. All inside a transaction
   that is rolled back (throwaway community-worker actors included): the database is unchanged.
   A period without a due, unvisited row on its end date skips the visit (--no-incremental: skip all).
5. summary: total engine / total floor time (target ≤ 1.5), also without the circle indicator,
   peak memory, incremental vs full refresh, database vendor and the row counts measured on.

On PostgreSQL the tables read are ANALYZEd first (planner statistics only, as autovacuum would
keep them; a freshly seeded database has none and the planner then picks nested loops):
--no-analyze skips it. Timings are wall-clock on a shared machine: run with --repeat ≥ 3.
"""

import argparse
import datetime as dt
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SHEQU_VAR_DIR", "/tmp/shequ_planning_real")  # noqa: S108 - a bench-only directory, never var/
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
Path(os.environ["SHEQU_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import F, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import AuditEntry, User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from care.models import DisasterOfficer, DueVisit  # noqa: E402
from facilities.circles import coverage_by_unit  # noqa: E402
from facilities.conf import circle_radius_m  # noqa: E402
from facilities.models import CommunityProfile, Facility, FacilityKind, FacilityService, HousedService, in_use_on  # noqa: E402
from people.models import Household, Resident, ResidentMove, ResidentTag  # noqa: E402
from places.models import CommunityBody, OrgUnit  # noqa: E402
from planning import engine, periods, providers  # noqa: E402
from planning.models import AuditCursor, CachedPeriod, DirtyUnit, Indicator, IndicatorValue  # noqa: E402
from workforce.models import CommunityWorker, Training, TrainingAttendance  # noqa: E402

Figures = dict[str, tuple[float, float]]
CIRCLE = "fitness_circle_coverage"
ABS_TOL = 1e-6
REL_TOL = 1e-12

# Table names from the models' meta (the SQL below is hand-written against their columns).
T = {
    "unit": OrgUnit._meta.db_table, "body": CommunityBody._meta.db_table,
    "fac": Facility._meta.db_table, "svc": FacilityService._meta.db_table, "profile": CommunityProfile._meta.db_table,
    "household": Household._meta.db_table, "resident": Resident._meta.db_table, "tag": ResidentTag._meta.db_table,
    "move": ResidentMove._meta.db_table, "due": DueVisit._meta.db_table, "officer": DisasterOfficer._meta.db_table,
    "worker": CommunityWorker._meta.db_table, "attendance": TrainingAttendance._meta.db_table,
    "training": Training._meta.db_table,
}


# ---------------------------------------------------------------- the floor: hand-written SQL

# Facility f in use on %(day)s: status 在用, or 停用 with a later closing date; opened on or before
# the day (投入使用日期, else 建成日期; neither recorded counts as always) — facilities.models.in_use_on.
IN_USE = (
    "((f.opened_on IS NULL AND (f.built_on IS NULL OR f.built_on <= %(day)s)) OR f.opened_on <= %(day)s)"
    " AND (f.status = 'in_use' OR (f.status = 'closed' AND f.closed_on > %(day)s))"
)
IN_CITY = "BETWEEN '131100000000' AND '131199999999'"  # within("…", "1311")
VILLAGES = f"u.level = 'village' AND u.code {IN_CITY}"
URBAN_VILLAGES = f"{VILLAGES} AND u.kind = 'urban'"
RURAL_VILLAGES = f"{VILLAGES} AND u.kind = 'rural'"
TOWNSHIPS = f"t.level = 'township' AND t.code {IN_CITY}"


def rolled_up(leaf: str) -> str:
    """Every unit's (unit_code, n, d): the leaf rows (villages and/or townships) plus their sums by code prefix."""
    return f"""
WITH leaf (unit_code, n, d) AS ({leaf}),
township AS (SELECT substr(unit_code, 1, 9) || '000' AS unit_code, SUM(n) AS n, SUM(d) AS d FROM leaf GROUP BY 1),
county AS (SELECT substr(unit_code, 1, 6) || '000000' AS unit_code, SUM(n) AS n, SUM(d) AS d FROM township GROUP BY 1),
city AS (SELECT substr(unit_code, 1, 4) || '00000000' AS unit_code, SUM(n) AS n, SUM(d) AS d FROM county GROUP BY 1)
SELECT unit_code, n, d FROM leaf WHERE substr(unit_code, 10, 3) <> '000'
UNION ALL SELECT unit_code, n, d FROM township
UNION ALL SELECT unit_code, n, d FROM county
UNION ALL SELECT unit_code, n, d FROM city"""


URBAN_BODIES = "'party_org', 'residents_committee', 'owners_committee', 'property_company', 'building_leaders', 'service_station'"
RURAL_BODIES = "'party_branch', 'villagers_committee', 'supervision_committee', 'service_station', 'economic_cooperative'"


def has_facility(units: str, condition: str) -> str:
    """(1 if the village-level unit has a facility in use meeting condition, 1) for the units u."""
    return (f"SELECT u.code, CASE WHEN EXISTS (SELECT 1 FROM {T['fac']} f WHERE f.unit_code = u.code AND {IN_USE} "  # noqa: S608
            f"AND {condition}) THEN 1 ELSE 0 END, 1 FROM {T['unit']} u WHERE {units}")


def houses(service: str) -> str:
    return f"EXISTS (SELECT 1 FROM {T['svc']} s WHERE s.facility_id = f.id AND s.service = '{service}')"  # noqa: S608


def comprehensive_sums(units: str, sums: str, extra: str = "") -> str:
    """Per village-level unit u: aggregates `sums` (two columns n, d) over its comprehensive facilities in use."""
    return (f"SELECT u.code, COALESCE(a.n, 0), COALESCE(a.d, 0) FROM {T['unit']} u LEFT JOIN ("  # noqa: S608
            f"SELECT f.unit_code, {sums} FROM {T['fac']} f WHERE f.kind = 'comprehensive' AND {IN_USE} {extra} "
            f"GROUP BY f.unit_code) a ON a.unit_code = u.code WHERE {units}")


def leaf_sql() -> dict[str, str]:
    """Indicator code → the SQL of its lowest-level rows (unit_code, numerator, denominator)."""
    households = f"SELECT unit_code, COUNT(*) AS n FROM {T['household']} GROUP BY unit_code"  # noqa: S608
    urban = f"JOIN {T['unit']} v ON v.code = x.unit_code AND v.level = 'village' AND v.kind = 'urban'"
    present = f"SELECT x.unit_code, COUNT(*) AS n FROM {T['resident']} x {urban} WHERE x.status = 'present' GROUP BY x.unit_code"  # noqa: S608
    still_due = (  # care.selectors.due_q: a visited row always counts; an unvisited one while the resident is there
        "(dv.visited_on IS NOT NULL OR ((dv.removed_on IS NULL OR dv.removed_on > %(day)s)"
        f" AND (r.unit_code = dv.unit_code OR EXISTS (SELECT 1 FROM {T['move']} m WHERE m.resident_id = dv.resident_id"
        "   AND m.from_unit_code = dv.unit_code AND m.moved_on > %(day)s))"
        " AND (r.status = 'present' OR r.status_date > %(day)s)"
        f" AND EXISTS (SELECT 1 FROM {T['tag']} g WHERE g.resident_id = dv.resident_id AND g.tag = dv.tag)))"
    )
    civilization_here = f"(f.kind = 'civilization' OR {houses('civilization_station')})"
    return {
        # facilities
        "rural_facility_coverage": has_facility(RURAL_VILLAGES, "f.kind = 'comprehensive'"),
        "urban_facility_coverage": has_facility(URBAN_VILLAGES, "f.kind = 'comprehensive'"),
        "commercial_service_area_share": (
            f"SELECT u.code, COALESCE(p.commercial_service_area, 0), COALESCE(p.total_building_area, 0) "  # noqa: S608
            f"FROM {T['unit']} u LEFT JOIN {T['profile']} p ON p.unit_code = u.code WHERE {URBAN_VILLAGES}"),
        "facility_area_per_100_households": (
            f"SELECT u.code, COALESCE(a.area, 0) * 100, COALESCE(h.n, 0) FROM {T['unit']} u "  # noqa: S608
            f"LEFT JOIN (SELECT f.unit_code, SUM(f.building_area) AS area FROM {T['fac']} f "
            f"  WHERE f.kind = 'comprehensive' AND {IN_USE} GROUP BY f.unit_code) a ON a.unit_code = u.code "
            f"LEFT JOIN ({households}) h ON h.unit_code = u.code WHERE {VILLAGES}"),
        "activity_area_share": comprehensive_sums(VILLAGES, "SUM(f.activity_area) AS n, SUM(f.building_area) AS d"),
        "facility_opening_hours_compliance": comprehensive_sums(
            VILLAGES, "SUM(CASE WHEN f.min_weekday_minutes >= 480 THEN 1 ELSE 0 END) AS n, COUNT(*) AS d"),
        "new_urban_facility_area_compliance": comprehensive_sums(
            URBAN_VILLAGES, "SUM(CASE WHEN f.building_area >= 600 THEN 1 ELSE 0 END) AS n, COUNT(*) AS d",
            "AND f.built_on >= '2021-01-01' AND f.built_on <= %(day)s"),
        "self_service_terminal_coverage": has_facility(URBAN_VILLAGES, houses("self_service_terminal")),
        "home_care_facility_coverage": has_facility(URBAN_VILLAGES, f"(f.kind = 'elderly_care' OR {houses('elderly_day_care')})"),
        "volunteer_service_point_coverage": has_facility(VILLAGES, houses("volunteer_station")),
        "disabled_persons_association_coverage": has_facility(VILLAGES, houses("disabled_association")),
        "relocation_community_facility_coverage": (
            f"SELECT p.unit_code, CASE WHEN EXISTS (SELECT 1 FROM {T['fac']} f WHERE f.unit_code = p.unit_code "  # noqa: S608
            f"AND f.kind = 'comprehensive' AND {IN_USE}) THEN 1 ELSE 0 END, 1 FROM {T['profile']} p "
            f"WHERE p.is_relocation_community = %(yes)s AND p.unit_code {IN_CITY}"),
        "township_social_work_station_coverage": (  # a station anywhere in the township's subtree
            f"SELECT t.code, CASE WHEN EXISTS (SELECT 1 FROM {T['fac']} f WHERE f.unit_code BETWEEN t.code "  # noqa: S608
            f"AND substr(t.code, 1, 9) || '999' AND f.kind = 'social_work' AND {IN_USE}) THEN 1 ELSE 0 END, 1 "
            f"FROM {T['unit']} t WHERE {TOWNSHIPS}"),
        "civilization_practice_coverage": (  # townships: a 所 on the township itself; villages: a 站 or a facility housing one
            f"SELECT t.code, CASE WHEN EXISTS (SELECT 1 FROM {T['fac']} f WHERE f.unit_code = t.code "  # noqa: S608
            f"AND f.kind = 'civilization' AND {IN_USE}) THEN 1 ELSE 0 END, 1 FROM {T['unit']} t WHERE {TOWNSHIPS} "
            f"UNION ALL {has_facility(VILLAGES, civilization_here)}"),
        # care
        "hardship_elderly_monthly_visit_rate": (
            f"SELECT u.code, COALESCE(v.visited, 0), COALESCE(v.due, 0) FROM {T['unit']} u LEFT JOIN ("  # noqa: S608
            "SELECT dv.unit_code, SUM(CASE WHEN dv.visited_on <= %(day)s THEN 1 ELSE 0 END) AS visited, COUNT(*) AS due "
            f"FROM {T['due']} dv JOIN {T['resident']} r ON r.id = dv.resident_id "
            "WHERE dv.tag = 'special_hardship_elderly' AND dv.period_start <= %(day)s AND dv.period_end >= %(day)s "
            f"AND {still_due} GROUP BY dv.unit_code) v ON v.unit_code = u.code WHERE {VILLAGES}"),
        "disaster_officer_coverage": (
            f"SELECT u.code, CASE WHEN EXISTS (SELECT 1 FROM {T['officer']} o WHERE o.unit_code = u.code "  # noqa: S608
            "AND o.appointed_on <= %(day)s AND (o.ended_on IS NULL OR o.ended_on > %(day)s)) THEN 1 ELSE 0 END, 1 "
            f"FROM {T['unit']} u WHERE {VILLAGES}"),
        # workforce (两委 members and full-time workers in post; present residents / 10,000)
        "workers_per_10k_urban_residents": (
            f"SELECT u.code, COALESCE(w.n, 0), COALESCE(r.n, 0) / 10000.0 FROM {T['unit']} u "  # noqa: S608
            f"LEFT JOIN (SELECT x.unit_code, COUNT(*) AS n FROM {T['worker']} x {urban} "
            "  WHERE x.\"position\" IN ('secretary', 'director', 'secretary_director', 'committee_member', 'full_time') "
            "  AND x.started_on <= %(day)s AND (x.ended_on IS NULL OR x.ended_on > %(day)s) GROUP BY x.unit_code) w "
            f"  ON w.unit_code = u.code LEFT JOIN ({present}) r ON r.unit_code = u.code "
            "WHERE u.level = 'village' AND u.kind = 'urban'"),
        "secretary_director_training_rate": (  # post-holders in post some day of the year so far; trained: a rotation ended in it
            f"SELECT u.code, COALESCE(w.trained, 0), COALESCE(w.holders, 0) FROM {T['unit']} u LEFT JOIN ("  # noqa: S608
            "SELECT k.unit_code, COUNT(*) AS holders, SUM(CASE WHEN EXISTS ("
            f"  SELECT 1 FROM {T['attendance']} a JOIN {T['training']} tr ON tr.id = a.training_id "
            "  WHERE a.worker_id = k.id AND a.completed = %(yes)s AND tr.kind = 'rotation' "
            "  AND tr.ends_on >= %(first)s AND tr.ends_on <= %(day)s) THEN 1 ELSE 0 END) AS trained "
            f"FROM {T['worker']} k WHERE k.\"position\" IN ('secretary', 'director', 'secretary_director') "
            "AND k.started_on <= %(day)s AND (k.ended_on IS NULL OR k.ended_on > %(first)s) GROUP BY k.unit_code"
            ") w ON w.unit_code = u.code WHERE u.level = 'village'"),
        # places (六位一体 urban: 6 bodies, 五位一体 rural: 5; only the bodies the unit's kind requires count)
        "org_system_coverage": (
            f"SELECT u.code, CASE WHEN (SELECT COUNT(*) FROM {T['body']} b WHERE b.unit_code = u.code "  # noqa: S608
            f"AND b.\"exists\" = %(yes)s AND ((u.kind = 'urban' AND b.kind IN ({URBAN_BODIES})) "
            f"OR (u.kind = 'rural' AND b.kind IN ({RURAL_BODIES})))) "
            ">= CASE WHEN u.kind = 'urban' THEN 6 ELSE 5 END THEN 1 ELSE 0 END, 1 "
            f"FROM {T['unit']} u WHERE u.level = 'village'"),
    }


def analyze() -> bool:
    """PostgreSQL: refresh the planner statistics of the tables read, as autovacuum would after seeding.

    A freshly seeded database has none, and the planner then estimates one row per table and
    picks nested loops (a floor statement took 20 s instead of 20 ms). SQLite is left as is.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(sorted(T.values())))
    return True


def sql_params(end: dt.date) -> dict[str, Any]:
    adapt = connection.ops.adapt_datefield_value
    return {"day": adapt(end), "first": adapt(dt.date(end.year, 1, 1)), "yes": True}


def fetch(sql: str, params: dict[str, Any]) -> Figures:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {str(code): (float(n or 0), float(d or 0)) for code, n, d in cursor.fetchall()}


def prefix_rollup(leaves: dict[str, tuple[int, int]]) -> Figures:
    """A plain roll-up by code prefix (for the circle floor, whose leaves come from numpy)."""
    out: dict[str, list[float]] = {}
    for code, (num, den) in leaves.items():
        keys = {code, code[:9] + "000", code[:6] + "000000", code[:4] + "00000000"}
        for key in keys:
            cell = out.setdefault(key, [0.0, 0.0])
            cell[0] += num
            cell[1] += den
    return {code: (n, d) for code, (n, d) in out.items()}


def circle_floor(end: dt.date) -> Figures:
    """Households within the radius of an in-use fitness facility: two SQL fetches, the KD-tree, a roll-up."""
    params = sql_params(end)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unit_code, lat, lng FROM {T['household']} WHERE unit_code {IN_CITY} "  # noqa: S608
                       "AND lat IS NOT NULL AND lng IS NOT NULL", params)
        homes = cursor.fetchall()
        cursor.execute(f"SELECT f.lat, f.lng FROM {T['fac']} f WHERE f.kind = 'fitness' "  # noqa: S608
                       f"AND f.lat IS NOT NULL AND f.lng IS NOT NULL AND {IN_USE}", params)
        points = cursor.fetchall()
    by_unit = coverage_by_unit([h[0] for h in homes], [h[1] for h in homes], [h[2] for h in homes],
                               [p[0] for p in points], [p[1] for p in points], circle_radius_m())
    return prefix_rollup(by_unit)


def floor_for(code: str, sql: dict[str, str]) -> Callable[[dt.date], Figures]:
    if code == CIRCLE:
        return circle_floor
    statement = rolled_up(sql[code])
    return lambda end: fetch(statement, sql_params(end))


# ---------------------------------------------------------------- timing and comparing


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def close(a: float, b: float) -> bool:
    diff = abs(a - b)
    return diff <= ABS_TOL or diff <= REL_TOL * max(abs(a), abs(b))


def mismatches(left: dict[str, Any], right: dict[str, Any]) -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    """Units whose (numerator, denominator) differ; a unit missing on one side is (0, 0) there."""
    out = []
    for code in sorted(set(left) | set(right)):
        a = tuple(left.get(code, (0.0, 0.0)))
        b = tuple(right.get(code, (0.0, 0.0)))
        if not (close(a[0], b[0]) and close(a[1], b[1])):
            out.append((code, (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))))
    return out


def end_of(indicator: Indicator, period: periods.Period) -> dt.date:
    return engine.window(indicator, period)[1]


def measure(indicators: list[Indicator], period: periods.Period, found: dict[str, Any], repeat: int) -> list[dict[str, Any]]:
    """Engine and floor, best of `repeat` each, and their disagreements, per indicator."""
    sql = leaf_sql()
    rows = []
    for indicator in indicators:
        end = end_of(indicator, period)
        floor = floor_for(indicator.code, sql)
        engine_s, (_, computed) = timed(partial(engine.compute, indicator, period, found), repeat)
        floor_s, floored = timed(partial(floor, end), repeat)
        rows.append({"code": indicator.code, "app": found[indicator.code][0], "end": end, "units": len(computed),
                     "engine": engine_s, "floor": floor_s, "bad": mismatches(computed, floored)})
    return rows


def peak_memory(indicators: list[Indicator], period: periods.Period, found: dict[str, Any]) -> int:
    tracemalloc.start()
    try:
        for indicator in indicators:
            engine.compute(indicator, period, found)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ---------------------------------------------------------------- incremental update


def throwaway_worker(unit_code: str) -> User:
    """A community worker of the unit (inside the rolled-back transaction)."""
    return User.objects.create_user(username=f"bench_real_{unit_code}", role=Role.COMMUNITY_WORKER, unit_id=unit_code)


def record_one_visit(period: periods.Period) -> str:
    """Record a visit for a due, unvisited special-hardship-elderly row; returns its unit code ("" when there is none)."""
    from care import selectors as care_selectors
    from care.services import record_visit

    monthly = Indicator.objects.get(code="hardship_elderly_monthly_visit_rate")
    day = min(timezone.localdate(), end_of(monthly, period))
    due = (care_selectors.rows_in_period(day).filter(visited_on__isnull=True, resident__status=Resident.Status.PRESENT,
                                                     resident__unit_id=F("unit_id"))
           .select_related("resident").order_by("unit_id", "pk").first())
    if due is None:
        return ""
    now = timezone.now()
    at = now if day == timezone.localdate() else timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    record_visit(actor=throwaway_worker(str(due.unit_id)), resident=due.resident, visited_at=at, method="home",
                 health="good", home_safety="good", living="fair", mood="good", notes="bench")
    return str(due.unit_id)


def create_one_facility(period: periods.Period) -> str:
    """A comprehensive facility in use in a village without one (or the first village); returns its code."""
    from facilities.services import FacilityInput, create_facility

    end = period.end
    having = Facility.objects.filter(in_use_on(end), kind=FacilityKind.COMPREHENSIVE).values("unit_id")
    villages = OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE).order_by("code")
    unit = villages.exclude(code__in=having).first() or villages.first()
    assert unit is not None
    day = min(timezone.localdate(), end)
    hours = ["08:00-12:00,13:30-18:00"] * 5 + ["", ""]
    data = FacilityInput(unit=unit, name="基准测试综合服务设施", kind=FacilityKind.COMPREHENSIVE, built_on=day, opened_on=day,
                         building_area=Decimal(650), activity_area=Decimal(400), office_area=Decimal(100),
                         opening_hours=hours, services=[HousedService.VOLUNTEER_STATION, HousedService.SELF_SERVICE_TERMINAL])
    create_facility(actor=throwaway_worker(unit.code), data=data)
    return unit.code


def cached(indicator: Indicator, label: str, codes: set[str]) -> Figures:
    rows = IndicatorValue.objects.filter(indicator=indicator, period=label, unit_code__in=codes)
    return {r.unit_code: (r.numerator, r.denominator) for r in rows}


def incremental(indicators: list[Indicator], period: periods.Period, found: dict[str, Any]) -> dict[str, Any]:
    """Fill the cache, then one visit and one facility through the services, each followed by the path update; rolled back."""
    with transaction.atomic():
        try:
            return _incremental(indicators, period, found)
        finally:
            transaction.set_rollback(True)


def _incremental(indicators: list[Indicator], period: periods.Period, found: dict[str, Any]) -> dict[str, Any]:
    # Only this period is cached (process_dirty updates every cached period of a dirty indicator).
    other_periods = CachedPeriod.objects.filter(indicator__in=indicators).exclude(period=period.label).delete()[0]
    fill_s, written = timed(partial(engine.refresh, period, indicators), 1)
    # Start from an empty feed: the cache was just filled from the live records.
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    AuditCursor.objects.update_or_create(name="indicators", defaults={"last_id": last})
    DirtyUnit.objects.all().delete()
    by_code = {i.code: i for i in indicators}
    steps = [one_update("visit", record_one_visit, "care", period, by_code, found),
             one_update("facility", create_one_facility, "facilities", period, by_code, found)]
    return {"fill": fill_s, "written": written, "other_periods": other_periods, "steps": steps}


def one_update(what: str, add: Callable[[periods.Period], str], app: str, period: periods.Period,
               by_code: dict[str, Indicator], found: dict[str, Any]) -> dict[str, Any]:
    """Add one record through a service, time sync_audit + process_dirty, check its path, time full refreshes."""
    unit = add(period)
    if not unit:
        return {"what": what, "app": app, "skipped": True, "wrong": []}
    codes = sorted(c for c, (owner, _) in found.items() if owner == app and c in by_code)
    path = set(engine.path_of(unit))  # the village, its township, county and the city
    before = {c: cached(by_code[c], period.label, path) for c in codes}
    started = time.perf_counter()
    entries = engine.sync_audit()
    touched = engine.process_dirty()
    update_s = time.perf_counter() - started
    wrong, changed = [], []
    for code in codes:
        fresh = engine.compute(by_code[code], period, found)[1]
        after = cached(by_code[code], period.label, path)
        if after != before[code]:
            changed.append(code)
        wrong += [(code, *m) for m in mismatches(after, {u: fresh[u] for u in path if u in fresh})]
    full = {c: timed(partial(engine.refresh, period, [by_code[c]]), 1)[0] for c in codes}
    return {"what": what, "app": app, "unit": unit, "codes": codes, "entries": entries, "touched": touched, "update": update_s,
            "changed": changed, "wrong": wrong, "full": full}


def headline(step: dict[str, Any]) -> str:
    """The indicator a record is about: the visit rate, or the coverage of the facility's kind of village."""
    if step["what"] == "visit":
        return "hardship_elderly_monthly_visit_rate"
    kind = OrgUnit.objects.get(code=step["unit"]).kind
    return "urban_facility_coverage" if kind == OrgUnit.Kind.URBAN else "rural_facility_coverage"


# ---------------------------------------------------------------- scale and report


def scale(period: periods.Period) -> dict[str, int]:
    end = period.end
    monthly_end = min(period.as_type("month").end, end)
    return {
        "units": OrgUnit.objects.count(),
        "residents": Resident.objects.count(),
        "present residents": Resident.objects.filter(status=Resident.Status.PRESENT).count(),
        "households": Household.objects.count(),
        "households with coordinates": Household.objects.filter(lat__isnull=False, lng__isnull=False).count(),
        "facilities": Facility.objects.count(),
        "facilities in use": Facility.objects.filter(in_use_on(end)).count(),
        "visit rows of the month (all groups)": DueVisit.objects.filter(period_start__lte=monthly_end, period_end__gte=monthly_end).count(),
        "special-hardship-elderly rows": DueVisit.objects.filter(period_start__lte=monthly_end, period_end__gte=monthly_end,
                                                                 tag="special_hardship_elderly").count(),
        "workers": CommunityWorker.objects.count(),
        "workers in post": CommunityWorker.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end), started_on__lte=end).count(),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'indicator':44} {'app':10} {'as of':10} {'units':>6} {'engine ms':>10} {'floor ms':>10} {'ratio':>6}  check")
    for r in rows:
        check = "ok" if not r["bad"] else f"{len(r['bad'])} MISMATCH"
        note = "  (floor: SQL fetch + KD-tree + Python roll-up)" if r["code"] == CIRCLE else ""
        print(f"{r['code']:44} {r['app']:10} {r['end'].isoformat():10} {r['units']:6d} {r['engine'] * 1000:10.1f} "
              f"{r['floor'] * 1000:10.1f} {r['engine'] / r['floor']:6.2f}  {check}{note}")


def print_mismatches(rows: list[dict[str, Any]], limit: int = 5) -> None:
    for r in rows:
        for code, eng, flo in r["bad"][:limit]:
            print(f"  MISMATCH {r['code']} {code}: engine {eng} floor {flo}")


def print_incremental(inc: dict[str, Any]) -> None:
    print("\nincremental update (one transaction, rolled back: the database is unchanged)")
    print(f"  cache fill, every computed indicator: {inc['fill']:.3f}s ({inc['written']:,} rows)"
          + (f"; {inc['other_periods']} cached markers of other periods set aside" if inc["other_periods"] else ""))
    for step in inc["steps"]:
        if step.get("skipped"):
            print(f"  one {step['what']}: skipped, no record to add for this period (e.g. no due, unvisited row on its end date)")
            continue
        main_code, full_all = headline(step), sum(step["full"].values())
        print(f"  one {step['what']} in {step['unit']}: sync_audit + process_dirty {step['update'] * 1000:.1f} ms "
              f"({step['entries']} audit entry, {len(step['codes'])} {step['app']} "
              f"indicators dirtied, {step['touched']} path rows touched; values changed: {', '.join(step['changed']) or 'none'})")
        print(f"    vs full refresh of {main_code}: {step['full'][main_code] * 1000:.1f} ms; "
              f"of all {len(step['full'])} dirtied indicators: {full_all * 1000:.1f} ms")
        for code, unit, cached_value, fresh in step["wrong"][:5]:
            print(f"    PATH MISMATCH {code} {unit}: cached {cached_value} fresh {fresh}")
        print(f"    cached values along the path vs a fresh compute: {'ok' if not step['wrong'] else 'MISMATCH'}")


def print_summary(rows: list[dict[str, Any]], peak: int, inc: dict[str, Any] | None, counts: dict[str, int]) -> None:
    eng, flo = sum(r["engine"] for r in rows), sum(r["floor"] for r in rows)
    plain = [r for r in rows if r["code"] != CIRCLE]
    eng_p, flo_p = sum(r["engine"] for r in plain), sum(r["floor"] for r in plain)
    verdict = "met" if eng / flo <= 1.5 else "NOT met"
    print("\nsummary")
    print(f"  database: {connection.vendor}; " + ", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    print(f"  engine total {eng:.3f}s / floor total {flo:.3f}s = ratio {eng / flo:.2f} (target <= 1.5: {verdict})")
    if plain:
        print(f"  without {CIRCLE}: engine {eng_p:.3f}s / floor {flo_p:.3f}s = ratio {eng_p / flo_p:.2f}")
    print("  per indicator: " + ", ".join(f"{r['code']} {r['engine'] / r['floor']:.2f}" for r in rows))
    print(f"  peak Python memory, one whole engine pass: {peak / 1e6:.1f} MB")
    for step in inc["steps"] if inc is not None else []:
        if step.get("skipped"):
            continue
        main_code = headline(step)
        print(f"  one {step['what']}: path update {step['update'] * 1000:.1f} ms ({step['touched']} rows) vs full refresh "
              f"of {main_code} {step['full'][main_code] * 1000:.1f} ms, of all its {len(step['full'])} indicators "
              f"{sum(step['full'].values()) * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--period", default=periods.current("month").label, help="e.g. 2026-11 (default: this month)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-incremental", action="store_true", help="skip step 4 (cache fill and path update)")
    parser.add_argument("--no-analyze", action="store_true", help="PostgreSQL: do not ANALYZE the tables read first")
    args = parser.parse_args()
    period = periods.parse(args.period)
    found = providers.discover()
    indicators = list(Indicator.objects.filter(code__in=found).order_by("code"))
    if not indicators:
        print("no indicators with a provider: run manage.py migrate && manage.py setup_demo first", file=sys.stderr)
        return 2
    counts = scale(period)
    analyzed = not args.no_analyze and analyze()
    print(f"planning engine vs hand-written SQL — {connection.vendor}, period {period.label}, "
          f"{len(indicators)} computed indicators, best of {args.repeat}"
          + (f"; ANALYZE of the {len(T)} tables read first" if analyzed else "") + "\n")
    rows = measure(indicators, period, found, args.repeat)
    print_table(rows)
    print_mismatches(rows)
    peak = peak_memory(indicators, period, found)
    inc = None if args.no_incremental else incremental(indicators, period, found)
    if inc is not None:
        print_incremental(inc)
    print_summary(rows, peak, inc, counts)
    bad = sum(len(r["bad"]) for r in rows) + sum(len(step["wrong"]) for step in (inc["steps"] if inc else []))
    if bad:
        print(f"\nFAILED: {bad} disagreements — the figures above compare different things", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

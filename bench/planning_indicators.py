"""Bench: recompute every indicator for all 5,261 units for one period, against hand-written SQL.

    SHEQU_VAR_DIR=/tmp/shequ_planning_bench .venv/bin/python bench/planning_indicators.py [--rows-per-village 14]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/planning_bench .venv/bin/python bench/planning_indicators.py

Synthetic full scale: one operational-record table (bench_planning_record: unit_code,
indicator, hit, weight, on_date) with rows for every village-level unit and every one of the
28 indicators (~2 million rows at 14 per village and indicator). Each indicator gets a bench
provider honouring the planning contract: one GROUP BY over that table, returning
{village code: (numerator, denominator)} as of `end`.

- floor: one hand-written SQL statement per indicator producing every unit's figures
  (village, township, county, city) in the database: one GROUP BY over the records, then
  the roll-up over its result by code prefix (WITH … UNION ALL).
- engine: planning.engine.compute for every indicator (provider + roll-up by code prefix), and
  engine.refresh (the same plus writing the cache table).
- incremental: one new record → invalidate + process_dirty (its path, 4 rows) vs a full refresh.
Ratios are measured in the same run; peak Python memory by tracemalloc.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SHEQU_VAR_DIR", "/tmp/shequ_planning_bench")  # noqa: S108 - the bench-only database the brief names
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
Path(os.environ["SHEQU_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

TABLE = "bench_planning_record"
PERIOD_END = dt.date(2025, 12, 31)


def setup(rows_per_village: int) -> list[str]:
    call_command("migrate", verbosity=0)
    from conftest import load_tree
    from planning.models import Indicator
    from planning.services import load_plan

    load_tree()
    if not Indicator.objects.exists():
        load_plan()
    from places.models import OrgUnit

    villages = list(OrgUnit.objects.filter(level="village").values_list("code", flat=True))
    codes = list(Indicator.objects.values_list("code", flat=True))
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '{TABLE}'"
                    if connection.vendor == "postgresql" else f"SELECT COUNT(*) FROM sqlite_master WHERE name = '{TABLE}'")
        exists = cur.fetchone()[0]
        if exists:
            cur.execute(f"SELECT COUNT(*) FROM {TABLE}")
            if cur.fetchone()[0] == len(villages) * len(codes) * rows_per_village:
                return codes
            cur.execute(f"DROP TABLE {TABLE}")
        cur.execute(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, unit_code VARCHAR(12) NOT NULL, indicator VARCHAR(60) NOT NULL,"
                    " hit INTEGER NOT NULL, weight INTEGER NOT NULL, on_date DATE NOT NULL)")
    rng = random.Random(7)
    print(f"generating {len(villages) * len(codes) * rows_per_village:,} records …", flush=True)
    batch: list[tuple[int, str, str, int, int, str]] = []
    next_id = 1
    sql = f"INSERT INTO {TABLE} (id, unit_code, indicator, hit, weight, on_date) VALUES (%s, %s, %s, %s, %s, %s)"
    with transaction.atomic(), connection.cursor() as cur:
        for code in codes:
            for village in villages:
                for _ in range(rows_per_village):
                    day = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 1900))
                    batch.append((next_id, village, code, int(rng.random() < 0.7), 1, day.isoformat()))
                    next_id += 1
                if len(batch) >= 50_000:
                    cur.executemany(sql, batch)
                    batch.clear()
        if batch:
            cur.executemany(sql, batch)
    with connection.cursor() as cur:
        cur.execute(f"CREATE INDEX {TABLE}_ind ON {TABLE} (indicator, unit_code)")
        cur.execute(f"ANALYZE {TABLE}" if connection.vendor == "postgresql" else "ANALYZE")
    return codes


def provider_for(code: str):
    """A provider over the bench table: one GROUP BY, as every module's provider does."""

    def provide(start: dt.date, end: dt.date, prefix: str = "") -> dict[str, tuple[float, float]]:
        sql = (f"SELECT unit_code, SUM(hit), SUM(weight) FROM {TABLE} WHERE indicator = %s AND on_date <= %s"
               + (" AND unit_code >= %s AND unit_code <= %s" if prefix else "") + " GROUP BY unit_code")
        params: list[str] = [code, end.isoformat()]
        if prefix:
            params += [prefix.ljust(12, "0"), prefix.ljust(12, "9")]
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return {unit: (float(num), float(den)) for unit, num, den in cur.fetchall()}

    return provide


def floor(codes: list[str]) -> int:
    """Hand-written SQL: every unit's numerator and denominator for each indicator, aggregated in the database."""
    total = 0
    substr = "substr" if connection.vendor == "sqlite" else "substring"
    levels = [
        "unit_code",
        f"{substr}(unit_code, 1, 9) || '000'",
        f"{substr}(unit_code, 1, 6) || '000000'",
        f"{substr}(unit_code, 1, 4) || '00000000'",
    ]
    leaf = (f"WITH leaf AS (SELECT unit_code, SUM(hit) AS n, SUM(weight) AS d FROM {TABLE} "
            "WHERE indicator = %s AND on_date <= %s GROUP BY unit_code) ")
    parts = ["SELECT unit_code, n, d FROM leaf"] + [
        f"SELECT {expr}, SUM(n), SUM(d) FROM leaf GROUP BY 1" for expr in levels[1:]
    ]
    with connection.cursor() as cur:
        for code in codes:
            cur.execute(leaf + " UNION ALL ".join(parts), [code, PERIOD_END.isoformat()])
            total += len(cur.fetchall())
    return total


def timed(fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows-per-village", type=int, default=14)
    args = parser.parse_args()
    codes = setup(args.rows_per_village)
    from planning import engine, periods, providers
    from planning.models import Indicator

    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {TABLE}")
        records = cur.fetchone()[0]
    period = periods.parse("2025")
    indicators = list(Indicator.objects.all())
    bench_providers = {code: provider_for(code) for code in codes}
    with providers.registered(bench_providers, app="bench", exclusive=True):
        floor_s, floor_rows = timed(lambda: floor(codes))

        def compute_all() -> int:
            found = providers.discover()
            return sum(len(engine.compute(i, period, found)[1]) for i in indicators)

        compute_s, engine_rows = timed(compute_all)
        tracemalloc.start()
        compute_all()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        from planning.models import CachedPeriod, IndicatorValue

        def first_fill() -> int:
            IndicatorValue.objects.filter(period=period.label).delete()
            CachedPeriod.objects.filter(period=period.label).delete()
            started = time.perf_counter()
            written = engine.refresh(period)
            fill_times.append(time.perf_counter() - started)
            return written

        fill_times: list[float] = []
        for _ in range(2):
            written = first_fill()
        fill_s = min(fill_times)
        refresh_s, _ = timed(lambda: engine.refresh(period), repeat=2)

        # Incremental: one new record in one village, then only its path is updated.
        village = "131102002018"
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {TABLE} (id, unit_code, indicator, hit, weight, on_date) "
                        f"VALUES ({records + 10_000_000}, %s, %s, 1, 1, '2025-06-01')", [village, "rural_facility_coverage"])

        def one_record() -> int:
            engine.invalidate(village, ["rural_facility_coverage"])
            return engine.process_dirty()

        incr_s, touched = timed(one_record, repeat=1)
        one = Indicator.objects.get(code="rural_facility_coverage")
        single_s, _ = timed(lambda: engine.refresh(period, [one]), repeat=1)
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {TABLE} WHERE id = {records + 10_000_000}")
    print(f"database: {connection.vendor}; records: {records:,}; indicators: {len(codes)}; units: 5,261")
    print(f"floor (hand SQL, all units, {len(codes)} queries): {floor_s:.3f}s ({floor_rows:,} unit values)")
    print(f"engine compute (providers + roll-up):            {compute_s:.3f}s ({engine_rows:,} unit values)  ratio {compute_s / floor_s:.2f}")
    print(f"engine refresh, steady (compute + write changes): {refresh_s:.3f}s ({written:,} rows)  ratio {refresh_s / floor_s:.2f}")
    print(f"engine refresh, empty cache (compute + write all): {fill_s:.3f}s  ratio {fill_s / floor_s:.2f}")
    print(f"peak Python memory during compute: {peak / 1e6:.1f} MB")
    print(f"incremental, one new record: {incr_s * 1000:.1f} ms, {touched} path rows updated "
          f"(vs {single_s * 1000:.1f} ms to recompute that indicator for every unit)")


if __name__ == "__main__":
    main()

"""Bench: hours and star level of every volunteer and the per-unit figures, against a hand-written SQL.

    .venv/bin/python bench/volunteers_hours.py                       # SQLite in /tmp/shequ_volunteers_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteers_bench .venv/bin/python bench/volunteers_hours.py
    options: --volunteers 200000 --records 5000000 --repeat 3

Builds its own database (fresh each run): the real tree (5,261 units), `volunteers` volunteers spread over the
village-level units, `records` confirmed service records (random days over three years, 1–4 hours, about one in
five overlapping the volunteer's previous one). Then, `repeat` times each, alternating:

- product: volunteers.dashboard.unit_figures("") — every volunteer's hours (overlaps counted once, the one hours
  rule in volunteers.hours) and per village: volunteers, hours, volunteers per star level;
- baseline: hand-written SQL over the same tables doing the same thing in the database (gaps and islands with
  window functions: merged intervals per volunteer and their hours, fetched; then the same merge per unit: counts,
  hours and star levels) — two statements, so the merge runs twice;
- a stricter baseline as well: the per-volunteer statement alone (the merge once), its ratio printed too.

Prints both medians, the ratio product ÷ baseline (target ≤ 1.5), a check that both give the same totals, and the
process's peak memory (ru_maxrss).
"""

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("SHEQU_VAR_DIR", "/tmp/shequ_volunteers_bench")  # noqa: S108 (the bench DB, rebuilt each run)
    Path(os.environ["SHEQU_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    for leftover in Path(os.environ["SHEQU_VAR_DIR"]).glob("shequ.sqlite3*"):
        leftover.unlink()
os.environ.setdefault("SHEQU_DISABLE_APPS", "planning,workforce,exchange")


def _fresh_postgres() -> None:
    import psycopg

    base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    _fresh_postgres()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

STARS_SQL = "CASE WHEN h >= 1500 THEN 5 WHEN h >= 1000 THEN 4 WHEN h >= 600 THEN 3 WHEN h >= 300 THEN 2 WHEN h >= 100 THEN 1 ELSE 0 END"


def _seconds(later: str, earlier: str) -> str:
    if connection.vendor == "sqlite":
        return f"(julianday({later}) - julianday({earlier})) * 86400.0"
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


def hours_sql() -> str:
    """Per volunteer: the hours of the union of their confirmed records (gaps and islands)."""
    return f"""
        WITH r AS (
            SELECT volunteer_id, started_at AS s, ended_at AS e,
                   MAX(ended_at) OVER (PARTITION BY volunteer_id ORDER BY started_at, ended_at
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
            FROM volunteers_servicerecord WHERE confirmed
        ), g AS (
            SELECT volunteer_id, s, e,
                   SUM(CASE WHEN prev_end IS NULL OR s > prev_end THEN 1 ELSE 0 END)
                       OVER (PARTITION BY volunteer_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp
            FROM r
        ), i AS (
            SELECT volunteer_id, MIN(s) AS s, MAX(e) AS e FROM g GROUP BY volunteer_id, grp
        )
        SELECT volunteer_id, SUM({_seconds("e", "s")}) / 3600.0 AS h FROM i GROUP BY volunteer_id"""


def strict_baseline() -> dict[int, float]:
    """The stricter baseline: the per-volunteer query alone (the merge done once, in the database)."""
    with connection.cursor() as cursor:
        cursor.execute(hours_sql())
        return {int(pk): float(h) for pk, h in cursor.fetchall()}


def baseline() -> tuple[dict[int, float], dict[str, tuple[int, float, list[int]]]]:
    found = strict_baseline()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH hv AS ({hours_sql()}),
            v AS (SELECT vol.unit_code, COALESCE(hv.h, 0) AS h FROM volunteers_volunteer vol
                  LEFT JOIN hv ON hv.volunteer_id = vol.id)
            SELECT unit_code, COUNT(*), SUM(h), {", ".join(f"SUM(CASE WHEN ({STARS_SQL}) = {n} THEN 1 ELSE 0 END)" for n in range(6))}
            FROM v GROUP BY unit_code""")
        units = {str(row[0]): (int(row[1]), float(row[2]), [int(x) for x in row[3:]]) for row in cursor.fetchall()}
    return found, units


def seed(volunteers: int, records: int) -> None:
    from bench.raw_sql import insert_many
    from places.models import OrgUnit

    rng = random.Random(14)
    villages = list(OrgUnit.objects.filter(level="village").values_list("code", flat=True))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = [(villages[i % len(villages)], f"志愿者{i}", "id_card", "x", f"bench-{i}", "131102************", "", "", "", "",
             "[]", "[]", "", True, now, 0, now) for i in range(volunteers)]
    insert_many("volunteers_volunteer", "unit_code, name, id_type, id_number_enc, id_number_hash, id_number_masked, "
                "phone_enc, phone_hash, phone_masked, skills, categories, availability, political_status, consent, "
                "consent_at, stars_notified, created_at", rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, unit_code FROM volunteers_volunteer ORDER BY id")
        people = cursor.fetchall()
    start = now - dt.timedelta(days=3 * 365)
    per, batch = max(1, records // max(1, volunteers)), []
    made = 0
    for pk, unit in people:
        moment = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        for _ in range(per):
            if made >= records:
                break
            length = dt.timedelta(minutes=rng.choice((60, 90, 120, 180, 240)))
            batch.append((pk, "服务", unit, moment, moment + length, True, True, now))
            made += 1
            # about one in five overlaps the previous record; the others start 1–60 days later
            moment += length / 2 if rng.random() < 0.2 else dt.timedelta(days=rng.randint(1, 60))
        if len(batch) >= 50_000:
            insert_many("volunteers_servicerecord", "volunteer_id, activity_name, unit_code, started_at, ended_at, "
                        "confirmed, imported, created_at", batch)
            batch = []
    insert_many("volunteers_servicerecord", "volunteer_id, activity_name, unit_code, started_at, ended_at, confirmed, "
                "imported, created_at", batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(fn) -> tuple[float, object]:  # noqa: ANN001
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--volunteers", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from conftest import load_tree

    load_tree()
    from places.models import OrgUnit
    from volunteers.dashboard import unit_figures

    began = time.perf_counter()
    seed(args.volunteers, args.records)
    print(f"[{connection.vendor}] {OrgUnit.objects.count()} units, {args.volunteers} volunteers, {args.records} records "
          f"seeded in {time.perf_counter() - began:.0f} s")
    product_times, baseline_times, strict_times = [], [], []
    product: Any = None
    base: Any = None
    for _ in range(args.repeat):
        t, product = timed(lambda: unit_figures(""))
        product_times.append(t)
        t, base = timed(baseline)
        baseline_times.append(t)
        strict_times.append(timed(strict_baseline)[0])
    assert product is not None and base is not None
    p_hours, p_units = product
    b_hours, b_units = base
    same = (abs(sum(p_hours.values()) - sum(b_hours.values())) < 0.01 * max(1, len(p_hours))
            and {k: (v[0], v[2]) for k, v in p_units.items()} == {k: (v[0], v[2]) for k, v in b_units.items()})
    p, b = statistics.median(product_times), statistics.median(baseline_times)
    print(f"[{connection.vendor}] product (unit_figures): median {p:.2f} s of {[round(x, 2) for x in product_times]}")
    print(f"[{connection.vendor}] baseline (hand-written SQL): median {b:.2f} s of {[round(x, 2) for x in baseline_times]}")
    print(f"[{connection.vendor}] same hours, volunteers and star levels per unit: {same}")
    print(f"[{connection.vendor}] ratio product / baseline = {p / b:.2f} (target ≤ 1.5: {'met' if p / b <= 1.5 else 'NOT met'})")
    strict = statistics.median(strict_times)
    print(f"[{connection.vendor}] stricter baseline (per-volunteer SQL alone, no per-unit query): median {strict:.2f} s; "
          f"ratio product / it = {p / strict:.2f}")
    print(f"[{connection.vendor}] peak memory (ru_maxrss) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()

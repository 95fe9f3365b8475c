"""Bench: one month's visit plans for the whole city, and the monthly rate for all 5,261 units.

    .venv/bin/python bench/care_plans.py [--per-village 20] [--workers 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/care_plans.py

Uses its own database (SHEQU_VAR_DIR defaults to a temporary directory for SQLite). When the
register lacks hardship elderly residents, synthesises them with bulk_create (default 20 per
village-level unit ≈ 102,000 people, plus 2 workers per unit). Prints ratios measured in the
same run:
  plans: raw executemany of the same rows ÷ generate_visit_plans   (target ≥ 0.5)
  rate:  rates_all_units ÷ one hand-written GROUP BY               (target ≤ 1.5)
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("SHEQU_VAR_DIR", tempfile.mkdtemp(prefix="care_bench_"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

MONTH = date(2025, 3, 1)
HARDSHIP = "special_hardship_elderly"


def populate(per_village: int, workers_per_village: int) -> None:
    from accounts.models import User
    from people.models import Resident, ResidentTag
    from places.models import OrgUnit

    villages = list(OrgUnit.objects.filter(level="village").values_list("code", flat=True))
    have = ResidentTag.objects.filter(tag=HARDSHIP, resident__status="present").count()
    if have < len(villages) * per_village // 2:
        print(f"synthesising {per_village} hardship elderly per village for {len(villages)} villages …", flush=True)
        with transaction.atomic():
            people = [Resident(unit_id=code, name=f"老人{i}", gender="F" if i % 2 else "M", birth_date=date(1940, 1, 1))
                      for code in villages for i in range(per_village)]
            Resident.objects.bulk_create(people, batch_size=5000)
            ids = Resident.objects.filter(name__startswith="老人").values_list("id", flat=True)
            ResidentTag.objects.bulk_create([ResidentTag(resident_id=pk, tag=HARDSHIP) for pk in ids], batch_size=5000)
    if not User.objects.filter(role="community_worker").exists():
        with transaction.atomic():
            User.objects.bulk_create(
                [User(username=f"w{code}_{j}", role="community_worker", unit_id=code, password="!")
                 for code in villages for j in range(workers_per_village)], batch_size=5000)


def analyze() -> None:
    """Fresh planner statistics after a bulk load (what autovacuum does in production)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-village", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from conftest import load_tree

    load_tree()
    populate(args.per_village, args.workers)

    from raw_sql import insert_many  # bench/ is on sys.path: the scripts run as files

    from care import services
    from care.models import DueVisit
    from care.selectors import rates_all_units

    due_columns = "rule_id, tag, resident_id, unit_code, period_start, period_end, assignee_id, volunteer_name"

    analyze()

    DueVisit.objects.all().delete()
    t_ours, created = timed(lambda: services.generate_visit_plans(month=MONTH))
    n = created[HARDSHIP]
    rows = list(DueVisit.objects.filter(period_start=MONTH).values_list(
        "rule_id", "tag", "resident_id", "unit_id", "period_start", "period_end", "assignee_id", "volunteer_name"))
    DueVisit.objects.all().delete()

    def raw_insert() -> None:
        # The same rows, already computed, through the fastest plain SQL: multi-row VALUES, 1,000 rows a statement.
        with transaction.atomic():
            insert_many("care_duevisit", due_columns + ", removed_reason", [(*r, "") for r in rows])

    t_raw, _ = timed(raw_insert)
    DueVisit.objects.all().delete()
    services.generate_visit_plans(month=MONTH)
    analyze()
    t_again, _ = timed(lambda: services.generate_visit_plans(month=MONTH))
    print(f"[{connection.vendor}] plans: {n} rows; generate {t_ours:.2f}s, raw insert {t_raw:.2f}s, "
          f"ratio raw/generate = {t_raw / t_ours:.2f} (target ≥ 0.5); idempotent re-run {t_again:.2f}s")

    # Mark a third visited so the aggregation has both counts.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE care_duevisit SET visited_on = %s WHERE id %% 3 = 0", [date(2025, 3, 5)])
    analyze()
    as_of = date(2025, 3, 20)
    sql = """
        SELECT d.unit_code, COUNT(*), COUNT(CASE WHEN d.visited_on <= %s THEN 1 END)
        FROM care_duevisit d JOIN people_resident r ON r.id = d.resident_id
        WHERE d.tag = %s AND d.period_start <= %s AND d.period_end >= %s AND d.unit_code >= '131100000000' AND d.unit_code <= '131199999999'
          AND (d.visited_on IS NOT NULL OR (
                (d.removed_on IS NULL OR d.removed_on > %s)
                AND (r.unit_code = d.unit_code OR EXISTS (SELECT 1 FROM people_residentmove m WHERE m.resident_id = d.resident_id
                                                          AND m.from_unit_code = d.unit_code AND m.moved_on > %s))
                AND (r.status = 'present' OR r.status_date > %s)
                AND EXISTS (SELECT 1 FROM people_residenttag t WHERE t.resident_id = d.resident_id AND t.tag = d.tag)))
        GROUP BY d.unit_code
    """

    def hand_written() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, [as_of, HARDSHIP, as_of, as_of, as_of, as_of, as_of])
            return cursor.fetchall()

    best_raw = min(timed(hand_written)[0] for _ in range(3))
    best_ours, rates = min((timed(lambda: rates_all_units(as_of)) for _ in range(3)), key=lambda t: t[0])
    base = hand_written()
    assert sum(r[1] for r in base) == rates["131100000000"][1], "the two computations disagree"
    print(f"[{connection.vendor}] rate: {len(rates)} units; rates_all_units {best_ours * 1000:.0f} ms, hand-written SQL "
          f"{best_raw * 1000:.0f} ms, ratio = {best_ours / best_raw:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()

"""Bench: activity figures (activities and attendances) for all 5,261 units over about 1 million attendances.

    .venv/bin/python bench/activities_figures.py [--per-village 2] [--per-activity 110]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/activities_bench .venv/bin/python bench/activities_figures.py

Uses its own database (SHEQU_VAR_DIR defaults to a temporary directory for SQLite). Synthesises per-village activities
in 2025 and attendances (200 shared resident accounts), then prints
  figures: activities.selectors.figures_all_units ÷ one hand-written GROUP BY per table   (target ≤ 1.5)
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("SHEQU_VAR_DIR", tempfile.mkdtemp(prefix="activities_bench_"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

START, END = date(2025, 1, 1), date(2025, 12, 31)


def populate(per_village: int, per_activity: int) -> None:
    from raw_sql import insert_many  # bench/ is on sys.path: the scripts run as files

    from accounts.models import User
    from activities.models import CommunityActivity, Participation
    from places.models import OrgUnit

    if Participation.objects.exists():
        return
    villages = list(OrgUnit.objects.filter(level="village").values_list("code", flat=True))
    print(f"synthesising {per_village} activities per village × {per_activity} attendances …", flush=True)
    with transaction.atomic():
        User.objects.bulk_create([User(username=f"bench_r{i}", role="resident", unit_id=villages[i % len(villages)],
                                       password="!") for i in range(200)])
        accounts = list(User.objects.filter(username__startswith="bench_r").values_list("id", flat=True))
        base = datetime(2025, 3, 1, 9, tzinfo=UTC)
        CommunityActivity.objects.bulk_create([
            CommunityActivity(unit_id=code, kind="culture", title=f"基准活动{j}", audience="all", organiser="社区",
                              place="活动室", starts_at=base + timedelta(days=j * 30), ends_at=base + timedelta(days=j * 30, hours=2),
                              capacity=per_activity) for code in villages for j in range(per_village)], batch_size=5000)
        rows = [(pk, unit, accounts[k], "signed_up", k % 10 != 0, 60 + k % 30 if k % 3 else 8, "", timezone_now)
                for pk, unit in CommunityActivity.objects.values_list("pk", "unit_id")
                for k in range(per_activity)]
        insert_many("activities_participation",
                    "activity_id, unit_code, account_id, status, attended, age, rating_note, created_at", rows, batch=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


timezone_now = datetime(2025, 2, 1, tzinfo=UTC)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


SQL_ACTIVITIES = """
    SELECT a.unit_code, COUNT(*) FROM activities_communityactivity a
    WHERE a.unit_code >= '131100000000' AND a.unit_code <= '131199999999' AND a.starts_at >= %s AND a.starts_at < %s
      AND NOT a.cancelled GROUP BY a.unit_code
"""
SQL_ATTENDANCES = """
    SELECT p.unit_code, COUNT(*) FROM activities_participation p JOIN activities_communityactivity a ON a.id = p.activity_id
    WHERE p.unit_code >= '131100000000' AND p.unit_code <= '131199999999' AND p.attended
      AND a.starts_at >= %s AND a.starts_at < %s AND NOT a.cancelled GROUP BY p.unit_code
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-village", type=int, default=2)
    parser.add_argument("--per-activity", type=int, default=110)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from conftest import load_tree

    load_tree()
    populate(args.per_village, args.per_activity)
    from activities.selectors import figures_all_units
    from places.models import OrgUnit

    low = datetime(2024, 12, 31, 16, tzinfo=UTC)  # Asia/Shanghai midnight
    high = datetime(2025, 12, 31, 16, tzinfo=UTC)

    def hand_written() -> dict:
        with connection.cursor() as cursor:
            cursor.execute(SQL_ACTIVITIES, [low, high])
            acts = dict(cursor.fetchall())
            cursor.execute(SQL_ATTENDANCES, [low, high])
            came = dict(cursor.fetchall())
        prefixes = dict(OrgUnit.objects.values_list("prefix", "code"))
        out = dict.fromkeys(prefixes.values(), (0, 0))
        for village in set(acts) | set(came):
            for size in (12, 9, 6, 4):
                code = prefixes.get(village[:size])
                if code is not None:
                    a, c = out[code]
                    out[code] = (a + acts.get(village, 0), c + came.get(village, 0))
        return out

    best_raw, base = min((timed(hand_written) for _ in range(3)), key=lambda t: t[0])
    best_ours, ours = min((timed(lambda: figures_all_units(START, END)) for _ in range(3)), key=lambda t: t[0])
    assert ours == base, "the two computations disagree"
    total = ours["131100000000"]
    print(f"[{connection.vendor}] figures: {len(ours)} units, {total[0]} activities, {total[1]} attendances; "
          f"ours {best_ours * 1000:.0f} ms, hand-written SQL {best_raw * 1000:.0f} ms, "
          f"ratio = {best_ours / best_raw:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()

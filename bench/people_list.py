"""Bench: a county staff member's filtered, paginated resident list at 1% and at full scale.

    .venv/bin/python bench/people_list.py                       # SQLite in /tmp/shequ_people_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/people_bench .venv/bin/python bench/people_list.py
    options: --small 0.01 --large 1.0 --repeat 15

Builds its own database (fresh each run): the real tree, then a synthetic register of
`small` × 4.2 million residents spread over the counties by population (ages: ~21% aged 60+;
6% disabled, 3% living alone; 3% moved out or deceased), rows inserted in random unit order.
It times the list page (server time through Django's test client: middleware, view,
queries, template) for a 桃城区 county user over several filters, then grows the register
to `large` × 4.2 million and times the same requests. Prints each scenario's median and
the ratio large ÷ small (target ≤ 1.5).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("SHEQU_VAR_DIR", "/tmp/shequ_people_bench")  # noqa: S108 (the bench DB, rebuilt each run)
    Path(os.environ["SHEQU_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    for leftover in Path(os.environ["SHEQU_VAR_DIR"]).glob("shequ.sqlite3*"):
        leftover.unlink()
os.environ.setdefault("SHEQU_DISABLE_APPS", "appeals,care,facilities,planning")


def _fresh_postgres() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    _fresh_postgres()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

CITY_RESIDENTS = 4_212_933
# 10,000 persons per county-level unit (../shared/data/README.md), by name.
COUNTY_POPULATION = {
    "桃城区": 60.9, "深州市": 48.2, "景县": 46.4, "故城县": 44.5, "枣强县": 36.6, "安平县": 32.8, "冀州区": 30.5,
    "阜城县": 29.4, "武邑县": 27.0, "饶阳县": 26.0, "武强县": 18.0, "高新": 15.0, "滨湖": 8.0,
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰淑珍文"
COLUMNS = ("unit_code", "name", "gender", "birth_date", "id_type", "id_number_enc", "id_number_hash", "id_number_masked",
           "phone_enc", "phone_hash", "phone_masked", "hukou_address", "current_address", "registered_here", "status",
           "status_date", "relation", "created_at", "updated_at")
COUNTY = "131102000000"   # 桃城区
TOWNSHIP = "131102002000"  # 河东街道


def village_weights() -> tuple[list[str], list[float]]:
    from places.models import OrgUnit

    counties = {u.code[:6]: u.name for u in OrgUnit.objects.filter(level="county")}
    villages = list(OrgUnit.objects.filter(level="village").values_list("code", flat=True))
    per_county: dict[str, list[str]] = {}
    for code in villages:
        per_county.setdefault(code[:6], []).append(code)
    codes, weights = [], []
    for prefix, members in per_county.items():
        name = counties.get(prefix, "")
        population = next((v for k, v in COUNTY_POPULATION.items() if k in name), 10.0)
        for code in members:
            codes.append(code)
            weights.append(population / len(members))
    return codes, weights


def birth_date(rng: random.Random, today: date) -> date:
    roll = rng.random()
    age = rng.randint(60, 99) if roll < 0.21 else rng.randint(0, 17) if roll < 0.40 else rng.randint(18, 59)
    return today - timedelta(days=age * 365 + rng.randint(0, 364))


def rows(start: int, count: int, codes: list[str], weights: list[float], seed: int):
    rng = random.Random(seed)
    today = date(2026, 6, 1)
    now = timezone.now()
    units = rng.choices(codes, weights=weights, k=count)
    for n in range(count):
        serial = start + n
        roll = rng.random()
        status = "present" if roll < 0.97 else "moved_out" if roll < 0.99 else "deceased"
        yield (units[n], rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), rng.choice("MF"),
               birth_date(rng, today), "id_card", "x", f"{serial:064x}", "131102********0000", "x", f"p{serial}",
               "138****0000", "", "", True, status, None if status == "present" else today, "other", now, now)


def insert(count: int, codes: list[str], weights: list[float], seed: int) -> float:
    """Append count synthetic residents (and their tags); returns seconds."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM people_resident")
        first_id = cursor.fetchone()[0] + 1
        start = first_id
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY people_resident ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows(start, count, codes, weights, seed):
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            batch: list[tuple] = []
            for row in rows(start, count, codes, weights, seed):
                batch.append(row)
                if len(batch) == 20000:
                    cursor.executemany(f"INSERT INTO people_resident ({', '.join(COLUMNS)}) VALUES ({placeholders})", batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO people_resident ({', '.join(COLUMNS)}) VALUES ({placeholders})", batch)
        # Independent draws per tag (a pseudo-random hash of the id), so that tags overlap as in life.
        for tag, multiplier, percent in (("disabled", 7919, 6), ("living_alone", 104729, 3), ("dibao", 1299709, 2)):
            cursor.execute(
                "INSERT INTO people_residenttag (resident_id, tag, detail) SELECT id, %s, '{}' FROM people_resident "
                "WHERE id >= %s AND ((id * %s) %% 1000003) %% 100 < %s", [tag, first_id, multiplier, percent])
        # A settled database: statistics and the visibility map (index-only scans), as autovacuum leaves it.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - started


def scenarios(search_number: str) -> dict[str, str]:
    return {
        "list": "/people/residents/",
        "page 5": "/people/residents/?page=5",
        "tag disabled": "/people/residents/?tag=disabled",
        "township 60+": f"/people/residents/?unit={TOWNSHIP}&tag=aged_60",
        "ages 0-17": "/people/residents/?min_age=0&max_age=17",
        "disabled 60+ living alone": "/people/residents/?tag=disabled&tag=aged_60&tag=living_alone",
        "all statuses": "/people/residents/?status=",
        "exact ID": f"/people/residents/?q={search_number}",
        "name 王": "/people/residents/?q=王",
    }


def measure(client: Client, urls: dict[str, str], repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for label, url in urls.items():
        for _ in range(3):
            client.get(url)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        times[label] = samples
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=float, default=0.01)
    parser.add_argument("--large", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from conftest import load_tree

    load_tree()
    from accounts.models import User
    from people import crypto
    from people.idcard import make_number

    user = User.objects.create(username="bench_county", role="county_staff", unit_id=COUNTY, password="!")
    client = Client()
    client.force_login(user)
    codes, weights = village_weights()

    small = round(CITY_RESIDENTS * args.small)
    took = insert(small, codes, weights, seed=1)
    number = make_number("131102", date(1950, 5, 5), 1, "M")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_resident SET id_number_hash = %s WHERE id = (SELECT MIN(id) FROM people_resident "
                       "WHERE unit_code LIKE '131102%%')", [crypto.search_hash(number)])
    print(f"{connection.vendor}: {small:,} residents inserted in {took:.1f}s", flush=True)
    urls = scenarios(number)
    before = measure(client, urls, args.repeat)

    large = round(CITY_RESIDENTS * args.large)
    took = insert(large - small, codes, weights, seed=2)
    print(f"{connection.vendor}: grown to {large:,} residents (+{large - small:,} in {took:.1f}s)", flush=True)
    after = measure(client, urls, args.repeat)

    print(f"\n{'scenario':28} {args.small:>10g} {args.large:>10g}  ratio (target ≤ 1.5)")
    ratios = []
    for label in urls:
        a, b = statistics.median(before[label]) * 1000, statistics.median(after[label]) * 1000
        ratios.append(b / a)
        print(f"{label:28} {a:8.1f}ms {b:8.1f}ms  {b / a:5.2f}")
    overall_a = statistics.median([t for v in before.values() for t in v])
    overall_b = statistics.median([t for v in after.values() for t in v])
    print(f"{'median of all requests':28} {overall_a * 1000:8.1f}ms {overall_b * 1000:8.1f}ms  {overall_b / overall_a:5.2f}")
    print(f"worst scenario ratio {max(ratios):.2f}")


if __name__ == "__main__":
    main()

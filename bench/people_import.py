"""Bench: the resident import pipeline against a raw bulk insert of the same rows.

    .venv/bin/python bench/people_import.py                    # SQLite under /tmp/shequ_people_import_bench
    .venv/bin/python bench/people_import.py --rows 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/people_import_bench .venv/bin/python bench/people_import.py

On a fresh database with the real tree, N template rows (valid, ~2.8 persons per household,
spread over 200 villages of every county) are:

- baseline: inserted raw — every column value computed beforehand (already encrypted,
  hashed, masked), then one executemany per table (households, residents, tags, events)
  and the head-of-household update, in one transaction;
- pipeline: imported by ResidentImporter from the same rows held in memory — pass 1
  validates every row (people.validation, duplicates in the file and against the
  register) and spills it encrypted, pass 2 writes (validation + encryption + insert);
- file: imported from an .xlsx of the same rows (the workbook read once with openpyxl
  in read-only mode), for reference: reading the workbook is the larger part of it.

Prints rows per second for each and the ratio pipeline ÷ baseline (target ≥ 0.3).
With --memory 20000,200000 it instead imports .xlsx files of those sizes, each in a fresh
process, and prints each one's peak memory (flat: the file is streamed, not loaded).
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SHEQU_DISABLE_APPS", "appeals,care,facilities,planning")
CHILD = "--memory-child" in sys.argv  # a child process uses the database its parent prepared
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("SHEQU_VAR_DIR", "/tmp/shequ_people_import_bench")  # noqa: S108 (the bench DB, rebuilt each run)
    Path(os.environ["SHEQU_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    for leftover in Path(os.environ["SHEQU_VAR_DIR"]).glob("shequ.sqlite3*"):
        if not CHILD:
            leftover.unlink()
elif os.environ["DATABASE_URL"].startswith("postgres") and not CHILD:
    import psycopg

    _base, _name = os.environ["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{_base}/postgres", autocommit=True) as _conn:
        _conn.execute(f'DROP DATABASE IF EXISTS "{_name}"')
        _conn.execute(f'CREATE DATABASE "{_name}"')

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from people import crypto  # noqa: E402
from people.idcard import make_number  # noqa: E402
from people.importers import HEADERS, BulkInserter, ResidentImporter, db_date, db_json  # noqa: E402
from people.masking import mask_id, mask_phone  # noqa: E402
from people.models import Household, Resident, ResidentEvent, ResidentTag  # noqa: E402
from places.models import OrgUnit  # noqa: E402

SURNAMES = "王李张刘赵杨陈高孙马郭田徐韩杜"
GIVEN = "伟芳娜敏静强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
TAGS = ["", "", "", "", "", "", "残疾", "独居", "低保", "退役军人", "残疾、低保"]


def make_rows(count: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    villages = list(OrgUnit.objects.villages().order_by("code").values_list("code", flat=True))
    chosen = rng.sample(villages, 200)
    rows: list[dict[str, str]] = []
    household = 0
    while len(rows) < count:
        unit = rng.choice(chosen)
        household += 1
        for member in range(min(rng.choice((1, 2, 2, 3, 3, 4, 5)), count - len(rows))):
            n = len(rows)
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 80))
            tags = TAGS[n % len(TAGS)]
            gender = "M" if n % 2 else "F"
            rows.append({
                "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), "性别": "男" if gender == "M" else "女",
                "出生日期": birth.isoformat(), "证件类型": "居民身份证",
                "证件号码": make_number(unit[:6], birth, n % 500, gender), "联系电话": f"13{n % 10}{n:08d}",
                "所属村（社区）代码": unit, "户编号": f"B{household:06d}", "与户主关系": "户主" if member == 0 else "子女",
                "现住址": f"幸福路{household}号", "人员标签": tags,
            })
    # ID numbers must be unique: n % 500 repeats only with another birth date or unit.
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row["证件号码"] not in seen:
            seen.add(row["证件号码"])
            unique.append(row)
    return unique


def clear() -> None:
    """Empty the register's tables with plain SQL (the ORM's delete would load every row)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(Household._meta.db_table)} SET head_id = NULL")  # noqa: S608
        for model in (ResidentEvent, ResidentTag, Resident, Household):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608


def baseline(rows: list[dict[str, str]]) -> float:
    """Raw insert of prepared values (already encrypted) into the same tables; returns seconds."""
    from people.validation import parse_tags

    households: dict[tuple[str, str], int] = {}
    prepared = []
    empty = db_json(ResidentTag, "detail", {})
    for row in rows:
        key = (row["所属村（社区）代码"], row["户编号"])
        households.setdefault(key, len(households))
        number, phone = row["证件号码"], row["联系电话"]
        prepared.append((key, (
            row["所属村（社区）代码"], "head" if row["与户主关系"] == "户主" else "child", row["姓名"],
            "M" if row["性别"] == "男" else "F", db_date(dt.date.fromisoformat(row["出生日期"])), "id_card",
            crypto.encrypt(number), crypto.search_hash(number), mask_id(number),
            crypto.encrypt(phone), crypto.search_hash(phone), mask_phone(phone), row["现住址"], "", True,
        ), parse_tags(row["人员标签"])[0]))
    started = time.perf_counter()
    with transaction.atomic():
        household_ids = BulkInserter(Household, ["unit_id", "number", "address"]).insert(
            [(unit, number, "") for unit, number in households])
        by_key = dict(zip(households, household_ids))
        resident_ids = BulkInserter(Resident, [
            "household_id", "unit_id", "relation", "name", "gender", "birth_date", "id_type", "id_number_enc",
            "id_number_hash", "id_number_masked", "phone_enc", "phone_hash", "phone_masked", "current_address",
            "hukou_address", "registered_here"]).insert([(by_key[key], *values) for key, values, _ in prepared])
        BulkInserter(ResidentTag, ["resident_id", "tag", "detail"]).insert(
            [(pk, tag, empty) for pk, (_, _, tags) in zip(resident_ids, prepared) for tag in tags])
        BulkInserter(ResidentEvent, ["resident_id", "kind", "actor_name", "unit_code", "summary"]).insert(
            [(pk, "created", "operator", values[0], "Excel导入") for pk, (_, values, _) in zip(resident_ids, prepared)])
        heads = [(pk, by_key[key]) for pk, (key, values, _) in zip(resident_ids, prepared) if values[1] == "head"]
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE people_household SET head_id = %s WHERE id = %s", heads)
    return time.perf_counter() - started


def pipeline(rows: list[dict[str, str]]) -> float:
    started = time.perf_counter()
    result = ResidentImporter(actor=None).run(lambda: enumerate(rows, start=2))
    assert result.ok and result.created == len(rows), result.errors[:5]
    return time.perf_counter() - started


def from_file(rows: list[dict[str, str]]) -> float:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        write_book(rows, handle.name)
        started = time.perf_counter()
        result = ResidentImporter(actor=None).import_file(handle.name)
        elapsed = time.perf_counter() - started
    assert result.ok and result.created == len(rows), result.errors[:5]
    return elapsed


def write_book(rows: list[dict[str, str]], path: str) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民信息")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row[h] for h in HEADERS])
    book.save(path)


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: after fork and exec Linux
    keeps the parent's high-water mark in it."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def memory_child(path: str) -> None:
    """Import one file in this (fresh) process and print its peak resident memory in MB."""
    clear()
    started = time.perf_counter()
    result = ResidentImporter(actor=None).import_file(path)
    assert result.ok, result.errors[:5]
    peak = peak_mb()
    print(f"{result.created} {time.perf_counter() - started:.1f} {peak:.0f}")


def memory(sizes: list[int]) -> None:
    """Peak memory of importing files of each size, each in a fresh process: flat means streaming works."""
    import subprocess

    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = f"{folder}/rows_{size}.xlsx"
            write_book(make_rows(size), path)
            connection.close()  # no reader of ours holds the database while the child writes
            out = subprocess.run([sys.executable, __file__, "--memory-child", path], capture_output=True, text=True,
                                 check=True, env=os.environ)
            created, seconds, peak = out.stdout.split()[-3:]
            print(f"import of {int(created):>8,} rows from .xlsx: {float(seconds):7.1f}s, peak memory {peak} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", default="", help="e.g. 20000,200000: peak memory of file imports of these sizes")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    call_command("migrate", verbosity=0)
    call_command("import_divisions", stdout=open(os.devnull, "w"))  # noqa: SIM115
    if args.memory:
        memory([int(n) for n in args.memory.split(",")])
        return
    rows = make_rows(args.rows)
    print(f"{len(rows)} rows on {connection.vendor}")
    timings: dict[str, list[float]] = {"baseline": [], "pipeline": [], "file": []}
    for _ in range(args.repeat):  # interleaved, so a busy machine slows every kind alike
        for name, run in (("baseline", baseline), ("pipeline", pipeline), ("file", from_file)):
            clear()
            timings[name].append(run(rows))
    best = {name: min(values) for name, values in timings.items()}
    rate = {name: len(rows) / seconds for name, seconds in best.items()}
    print(f"baseline  raw bulk insert (values prepared)      {rate['baseline']:9,.0f} rows/s")
    print(f"pipeline  validate + encrypt + insert (rows)     {rate['pipeline']:9,.0f} rows/s")
    print(f"file      same from .xlsx (openpyxl read-only)  {rate['file']:9,.0f} rows/s")
    print(f"ratio pipeline ÷ baseline: {rate['pipeline'] / rate['baseline']:.2f} (target ≥ 0.3)")
    print(f"ratio file ÷ baseline:     {rate['file'] / rate['baseline']:.2f}")


if __name__ == "__main__":
    main()

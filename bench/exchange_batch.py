"""Bench: a 5,118-row village dataset batch validated, diffed and landed, against a raw bulk insert of the same rows.

    .venv/bin/python bench/exchange_batch.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exchange_bench .venv/bin/python bench/exchange_batch.py

Uses its own database (SHEQU_VAR_DIR defaults to a temporary directory for SQLite). One row per village-level unit
of the disabled_persons_associations dataset. Prints, measured in the same run (target ≤ 2):
  first:  services.deliver of the whole city (all added) ÷ BulkInserter of the same 5,118 fact rows
  second: services.deliver of the next batch (every 10th unit changed, the last one removed) ÷ the same raw insert
"""

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("SHEQU_VAR_DIR", tempfile.mkdtemp(prefix="exchange_bench_"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

HEADER = ["村（社区）代码", "成立日期", "主席姓名"]


class Rollback(Exception):
    pass


def main() -> None:
    from exchange import services
    from exchange.models import Batch, Dataset, Fact
    from places.models import OrgUnit
    from shequ.bulk import BulkInserter

    call_command("migrate", verbosity=0)
    if not OrgUnit.objects.exists():
        call_command("import_divisions", verbosity=0)
        call_command("import_departments", verbosity=0)
    services.sync_datasets()
    dataset = Dataset.objects.get(code="disabled_persons_associations")
    Fact.objects.filter(dataset=dataset).delete()
    Batch.objects.filter(dataset=dataset).delete()
    codes = list(OrgUnit.objects.filter(level="village").order_by("code").values_list("code", flat=True))
    rows = [(n, {HEADER[0]: c, HEADER[1]: "2021-03-01", HEADER[2]: f"主席{n}"}) for n, c in enumerate(codes, start=2)]

    field = Fact._meta.get_field("values")
    batch = Batch.objects.create(dataset=dataset, channel="command", status="landed")
    raw_rows = [(dataset.pk, batch.pk, c, dt.date(2021, 3, 1), field.get_db_prep_save({"established_on": "2021-03-01",
                 "chair": f"主席{n}"}, connection), False) for n, c in enumerate(codes, start=2)]
    started = time.perf_counter()
    try:
        with transaction.atomic():
            BulkInserter(Fact, ["dataset_id", "batch_id", "unit_id", "as_of", "values", "removed"]).write(raw_rows)
            raw = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    batch.delete()

    started = time.perf_counter()
    first = services.deliver(dataset=dataset, rows=rows, actor=None, channel="command", source_name="bench.csv")
    first_time = time.perf_counter() - started
    assert first.ok and len(first.added) == len(codes), first.errors[:3]

    second_rows = [(n, {**r, HEADER[2]: r[HEADER[2]] + "新" if n % 10 == 0 else r[HEADER[2]]}) for n, r in rows[:-1]]
    started = time.perf_counter()
    second = services.deliver(dataset=dataset, rows=second_rows, actor=None, channel="command", source_name="bench2.csv")
    second_time = time.perf_counter() - started
    assert second.ok and len(second.removed) == 1, second.errors[:3]

    print(f"{connection.vendor}: {len(codes)} rows; raw bulk insert {raw * 1000:.0f} ms")
    print(f"first batch (all added)  {first_time * 1000:.0f} ms  ratio {first_time / raw:.2f}")
    print(f"second batch ({len(second.changed)} changed, {len(second.removed)} removed)  {second_time * 1000:.0f} ms  "
          f"ratio {second_time / raw:.2f}")


if __name__ == "__main__":
    main()

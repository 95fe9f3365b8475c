"""Bench: what the admission check adds to a department's assignment to a community.

    .venv/bin/python bench/duties_admission.py [--repeat 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duties_bench .venv/bin/python bench/duties_admission.py

Times, in the same run and on the same data, the median of:
  gate:      duties.services.admit alone (the list in force, the item, its kind and funding)
  baseline:  the assignment without the gate (one DutyTask row and its audit entry, in a transaction)
  with gate: duties.services.send_task to one community (gate + the same writes)
The issue's budget: the check adds at most 2 ms (median) — that is admit() alone; "with gate" also resolves the
community codes and validates the task, which the bare baseline skips.
Measured on the shared 2-core helper box (SQLite, load from other jobs): admit() 1.3 ms, baseline 1.0 ms,
send_task 5.0 ms.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("SHEQU_VAR_DIR", tempfile.mkdtemp(prefix="duties_bench_"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from conftest import load_tree

    load_tree()

    from accounts import audit
    from accounts.models import User
    from duties import services
    from duties.demo import ensure_lists
    from duties.models import DutyTask, WorkItem
    from places.models import Department

    ensure_lists()
    department = Department.objects.get(code="civil_affairs")
    actor = User.objects.filter(username="bench_erin").first() or User.objects.create_user(
        username="bench_erin", password="x", role="department_staff", department=department)
    item = WorkItem.objects.filter(code="XZ01").order_by("-version__number").first()
    assert item is not None
    unit = "131102002018"
    deadline = dt.date.today() + dt.timedelta(days=30)  # noqa: DTZ011 - a bench date, any day will do
    data = {"unit_codes": [unit], "item_code": "XZ01", "title": "基准任务", "kind": "form", "deadline": deadline,
            "hours": 1}

    def without_gate() -> None:
        with transaction.atomic():
            task = DutyTask.objects.create(unit_id=unit, department=department, item=item, title="基准任务",
                                           kind="form", deadline=deadline, hours=1, funding=item.funding)
            audit.record(actor=actor, action="duties.send_task", obj=task)

    gate = median_ms(lambda: services.admit(department=department, item_code="XZ01"), args.repeat)
    baseline = median_ms(without_gate, args.repeat)
    with_gate = median_ms(lambda: services.send_task(actor=actor, data=data), args.repeat)
    print(f"admit() alone:          {gate:.3f} ms (median of {args.repeat})")
    print(f"assignment, no gate:    {baseline:.3f} ms")
    print(f"assignment, with gate:  {with_gate:.3f} ms  (+{with_gate - baseline:.3f} ms; budget 2 ms)")


if __name__ == "__main__":
    main()

"""Bench: bookings under contention on PostgreSQL.

    .venv/bin/python bench/facilities_bookings.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/facilities_bench .venv/bin/python bench/facilities_bookings.py
    options: --attempts 200 --threads 40 --bookings 400

Builds its own PostgreSQL database (dropped and created fresh): the real tree, one
community with 200 residents and bookable spaces. Then:

1. Contention: `attempts` booking requests for the same slot of one space, released
   together behind a barrier from `threads` threads (each thread holds one database
   connection; PostgreSQL's default max_connections is 100, so 200 simultaneous
   connections are not possible; every attempt is still in flight together with
   `threads - 1` others). Exactly one must succeed; the others get "该时段已被预约".
2. Throughput of non-conflicting bookings: `bookings` bookings of distinct spaces,
   first one after another in one thread (the baseline), then from `threads` threads.
   Prints bookings per second for both and the ratio.
"""

import argparse
import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/facilities_bench")
os.environ.setdefault("SHEQU_VAR_DIR", "/tmp/shequ_facilities_bench")  # noqa: S108 (keys of this throwaway DB)
Path(os.environ["SHEQU_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("SHEQU_DISABLE_APPS", "appeals,care,planning")

if not os.environ["DATABASE_URL"].startswith("postgres"):
    sys.exit("This bench needs PostgreSQL (DATABASE_URL=postgres://…).")


def _fresh_postgres() -> None:
    import psycopg

    base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--threads", type=int, default=40)
    parser.add_argument("--bookings", type=int, default=400)
    args = parser.parse_args()

    _fresh_postgres()
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from facilities import services
    from facilities.models import Booking, Space
    from places.models import OrgUnit

    call_command("migrate", verbosity=0)
    call_command("import_divisions", verbosity=0)
    unit = OrgUnit.objects.get(code="131102002018")
    worker = User.objects.create(username="bench_worker", role=Role.COMMUNITY_WORKER, unit=unit)
    people = User.objects.bulk_create(
        [User(username=f"bench_r{i}", role=Role.RESIDENT, unit=unit) for i in range(max(args.attempts, args.threads))])
    tz = timezone.get_current_timezone()
    day = timezone.localdate() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=tz)
    contested = services.create_space(actor=worker, unit=unit, name="争抢的会议室", kind="meeting", capacity=50,
                                      rule="free", host="桥东小学")
    connections.close_all()

    # 1. Contention.
    lock = threading.Lock()
    queue = list(range(args.attempts))
    outcomes: list[str] = []
    barrier = threading.Barrier(args.threads)

    def contend() -> None:
        barrier.wait()
        while True:
            with lock:
                if not queue:
                    break
                index = queue.pop()
            try:
                services.book_space(actor=people[index], space=contested, starts_at=start, purpose="并发测试")
                result = "ok"
            except ValidationError:
                result = "taken"
            with lock:
                outcomes.append(result)
        connections.close_all()

    threads = [threading.Thread(target=contend) for _ in range(args.threads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    held = Booking.objects.filter(space=contested, status__in=["pending", "confirmed"]).count()
    print(f"contention: {len(outcomes)} attempts at one slot from {args.threads} threads in {elapsed:.2f} s → "
          f"{outcomes.count('ok')} accepted, {outcomes.count('taken')} refused; bookings in the database: {held}")
    exactly_one = outcomes.count("ok") == 1 and held == 1 and len(outcomes) == args.attempts

    # 2. Throughput of non-conflicting bookings (distinct spaces, so no two requests wait on the same row lock).
    spaces = Space.objects.bulk_create([
        Space(unit=unit, name=f"场地{i}", kind="meeting", capacity=50, rule="free", host="桥东小学")
        for i in range(2 * args.bookings)])
    serial_spaces, parallel_spaces = spaces[: args.bookings], spaces[args.bookings:]

    t0 = time.perf_counter()
    for i, space in enumerate(serial_spaces):
        services.book_space(actor=people[i % len(people)], space=space, starts_at=start, purpose="吞吐测试")
    serial = args.bookings / (time.perf_counter() - t0)
    connections.close_all()

    work = list(enumerate(parallel_spaces))
    failures: list[str] = []
    barrier = threading.Barrier(args.threads)

    def book_many() -> None:
        barrier.wait()
        while True:
            with lock:
                if not work:
                    break
                i, space = work.pop()
            try:
                services.book_space(actor=people[i % len(people)], space=space, starts_at=start, purpose="吞吐测试")
            except ValidationError as exc:
                failures.append(str(exc))
        connections.close_all()

    threads = [threading.Thread(target=book_many) for _ in range(args.threads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    parallel = args.bookings / (time.perf_counter() - t0)
    print(f"non-conflicting bookings: one thread {serial:.0f}/s (baseline); {args.threads} threads {parallel:.0f}/s "
          f"→ ratio {parallel / serial:.1f}×; refused: {len(failures)}")
    print(f"exactly one booking under contention: {'yes' if exactly_one else 'NO'}")
    if not exactly_one or failures:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Bench: synthetic population (seed_demo) throughput and peak memory at scale 0.1 and 1.0.

    .venv/bin/python bench/people_seed.py                      # SQLite under /tmp/shequ_people_seed_bench
    .venv/bin/python bench/people_seed.py --scales 0.01,0.1    # quicker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/people_seed_bench .venv/bin/python bench/people_seed.py

Each scale runs in a child process on a fresh database (the real tree, then
seed_population(scale)), which reports wall and CPU time and its peak resident memory
(ru_maxrss). The same child then measures what one person's personal data costs
(encrypting and hashing the ID and phone number, masking both) so the share of the
run spent on encryption is known. Prints residents per second, the ratio of throughput
at the largest scale to the smallest (≈ 1 when the seed scales linearly), and peak
memory against the 1.5 GB budget. Full scale takes several minutes (more on a busy machine).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MB = 1536


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: after fork and exec Linux
    keeps the parent's high-water mark in it."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(scale: float) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from people import crypto
    from people.idcard import make_number
    from people.masking import mask_id, mask_phone
    from people.seed import seed_population

    call_command("migrate", verbosity=0)
    call_command("import_divisions", stdout=open(os.devnull, "w"))  # noqa: SIM115
    wall, cpu = time.perf_counter(), time.process_time()
    result = seed_population(scale)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = peak_mb()

    import datetime as dt

    samples = [(make_number("131102", dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000), i % 300, "M"),
                f"139{i:08d}") for i in range(20_000)]
    started = time.process_time()
    for number, phone in samples:
        crypto.encrypt(number), crypto.search_hash(number), mask_id(number)
        crypto.encrypt(phone), crypto.search_hash(phone), mask_phone(phone)
    per_person = (time.process_time() - started) / len(samples)
    print(json.dumps({"scale": scale, "residents": result.residents, "households": result.households,
                      "tags": result.tags, "wall": wall, "cpu": cpu, "peak_mb": peak,
                      "crypto_us": per_person * 1e6}))


def run(scale: float, var_dir: Path) -> dict[str, float]:
    env = dict(os.environ, DEBUG="false", SHEQU_DISABLE_APPS="appeals,care,facilities,planning")
    if env.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        base, name = env["DATABASE_URL"].rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        env["SHEQU_VAR_DIR"] = str(var_dir / f"scale_{scale}")
        Path(env["SHEQU_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
        for leftover in Path(env["SHEQU_VAR_DIR"]).glob("shequ.sqlite3*"):
            leftover.unlink()
    out = subprocess.run([sys.executable, __file__, "--child", str(scale)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="0.1,1.0")
    parser.add_argument("--var-dir", default="/tmp/shequ_people_seed_bench")  # noqa: S108
    parser.add_argument("--child", type=float)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    results = []
    for scale in (float(s) for s in args.scales.split(",")):
        r = run(scale, Path(args.var_dir))
        results.append(r)
        rate = r["residents"] / r["wall"]
        share = r["crypto_us"] * r["residents"] / 1e6 / r["cpu"]
        print(f"scale {scale:<5} residents {r['residents']:>9,} households {r['households']:>9,} tags {r['tags']:>8,}  "
              f"wall {r['wall']:7.1f}s cpu {r['cpu']:7.1f}s  {rate:9,.0f} residents/s (wall) "
              f"{r['residents'] / r['cpu']:9,.0f}/s (cpu)  peak {r['peak_mb']:6.0f} MB  "
              f"encryption {r['crypto_us']:.1f} µs/person = {share:.0%} of cpu", flush=True)
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = (large["residents"] / large["cpu"]) / (small["residents"] / small["cpu"])
        print(f"throughput (cpu) at scale {large['scale']} ÷ scale {small['scale']}: {ratio:.2f}")
    worst = max(r["peak_mb"] for r in results)
    print(f"peak memory {worst:.0f} MB of {BUDGET_MB} MB budget: {'OK' if worst < BUDGET_MB else 'OVER'}")


if __name__ == "__main__":
    main()

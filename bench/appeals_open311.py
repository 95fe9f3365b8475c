"""Bench: POST /open311/v2/requests.json under gunicorn (2 workers), against the same server's bare one-row insert.

    .venv/bin/python bench/appeals_open311.py                  # PostgreSQL and SQLite
    .venv/bin/python bench/appeals_open311.py --db sqlite --seconds 5

For each database it builds a fresh one (PostgreSQL: database appeals_bench, dropped and created;
SQLite: a file under /tmp), loads the tree, issues an Open311 api_key, starts
gunicorn with 2 workers and the bench's own settings (bench/appeals_settings.py, whose URLconf
bench/appeals_urls.py adds the baseline /open311/v2/_bench_insert: one row into the bench's own table
bench_baseline, nothing else; the product has no such route), and drives both endpoints with
32 concurrent keep-alive clients (4 processes × 8 threads, http.client) for --seconds each, baseline and
target interleaved --rounds times. The server runs with the README's production setting
DB_CONN_MAX_AGE=60 (persistent connections) unless --conn-max-age says otherwise, and the worker class
that suits the database unless --threads says otherwise: on PostgreSQL the README's production command,
gthread with 4 threads (a thread serves another request while one waits for its commit); on SQLite sync
workers (SQLite lets one writer in at a time, so more threads would only queue on its lock). Prints the
medians of requests/s and p50/p95 latency, and the median of the per-round ratios
target/baseline (goal ≥ 0.5): interleaving keeps the comparison fair on a machine whose load
changes. Both run in the same server process, so the ratio is what the Open311 work costs.
"""

import argparse
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The interpreter running the bench, and its gunicorn (the project's .venv when run as the docstring says).
PY = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
PG_URL = "postgres://postgres@127.0.0.1:5432/appeals_bench"
COMMUNITIES = ["131102001045", "131102002018", "131102001046", "131102003012"]
CODES = ["sanitation", "municipal", "noise", "property", "fire_safety", "utilities"]


def _env(db: str, var_dir: str, conn_max_age: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "SHEQU_VAR_DIR": var_dir, "DEBUG": "false", "LOG_LEVEL": "WARNING",
        "SECURE_COOKIES": "false", "DJANGO_SETTINGS_MODULE": "bench.appeals_settings", "DB_CONN_MAX_AGE": str(conn_max_age),
    })
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL
    else:
        env.pop("DATABASE_URL", None)
    return env


def _fresh_postgres() -> None:
    import psycopg

    base, name = PG_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _prepare(env: dict[str, str]) -> str:
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "import_divisions"], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([*manage, "import_departments"], env=env, check=True, cwd=ROOT, capture_output=True)
    out = subprocess.run(
        [*manage, "shell", "-c",
         "from bench.appeals_urls import create_table; create_table(); "
         "from appeals import services; c, raw = services.issue_api_client(actor=None, name='bench'); print(raw)"],
        env=env, check=True, cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _client(url: str, payload: dict[str, str] | None, seconds: float, threads: int, queue: "multiprocessing.Queue[list[float]]") -> None:
    """Keep-alive clients on http.client (light on CPU, which the server shares)."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(url)
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def run(n: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        mine: list[float] = []
        i = 0
        while time.perf_counter() < stop:
            body = ""
            if payload is not None:
                data = dict(payload)
                data["service_code"] = CODES[(n + i) % len(CODES)]
                data["attribute[community]"] = COMMUNITIES[(n + i) % len(COMMUNITIES)]
                body = urlencode(data)
            t0 = time.perf_counter()
            conn.request("POST", parts.path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 201:
                print(f"{url}: {response.status} {text[:300]!r}", file=sys.stderr, flush=True)
                os._exit(1)
            i += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put(latencies)


def _load(url: str, payload: dict[str, str] | None, seconds: float, clients: int) -> tuple[float, float, float]:
    procs_n = 4 if clients % 4 == 0 else 1
    queue: multiprocessing.Queue[list[float]] = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client, args=(url, payload, seconds, clients // procs_n, queue))
             for _ in range(procs_n)]
    start = time.perf_counter()
    for p in procs:
        p.start()
    latencies: list[float] = []
    for _ in procs:
        latencies += queue.get()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, p95 * 1000


def _worker_class(threads: int) -> list[str]:
    return ["-k", "gthread", "--threads", str(threads)] if threads > 1 else ["-k", "sync"]


def _describe(threads: int) -> str:
    return f"gthread, {threads} threads each" if threads > 1 else "sync"


def bench(db: str, seconds: float, clients: int, rounds: int, conn_max_age: int, threads: int) -> dict[str, Any]:
    var_dir = tempfile.mkdtemp(prefix=f"shequ_appeals_bench_{db}_")
    env = _env(db, var_dir, conn_max_age)
    if db == "postgres":
        _fresh_postgres()
    key = _prepare(env)
    port = _free_port()
    worker_class = _worker_class(threads)
    server = subprocess.Popen([GUNICORN, "shequ.wsgi", "-w", "2", *worker_class, "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "--keep-alive", "30"], env=env, cwd=ROOT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}/open311/v2"
        for _ in range(100):
            try:
                import requests

                if requests.get(f"{base}/services.json", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        payload = {"api_key": key, "lat": "37.739", "long": "115.686", "description": "路灯不亮，晚上看不清路，请尽快修理"}
        _load(f"{base}/_bench_insert", None, 2, clients)  # warm up
        _load(f"{base}/requests.json", payload, 2, clients)
        runs: dict[str, list[tuple[float, float, float]]] = {"baseline": [], "open311": []}
        for _ in range(rounds):
            runs["baseline"].append(_load(f"{base}/_bench_insert", None, seconds, clients))
            runs["open311"].append(_load(f"{base}/requests.json", payload, seconds, clients))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)

    def med(name: str) -> tuple[float, float, float]:
        return tuple(statistics.median(r[i] for r in runs[name]) for i in range(3))  # type: ignore[return-value]  # a 3-tuple by construction (range(3))

    base_rps, base_p50, base_p95 = med("baseline")
    o_rps, o_p50, o_p95 = med("open311")
    ratios = [o[0] / b[0] for b, o in zip(runs["baseline"], runs["open311"])]
    return {"baseline_rps": base_rps, "baseline_p50": base_p50, "baseline_p95": base_p95,
            "open311_rps": o_rps, "open311_p50": o_p50, "open311_p95": o_p95,
            "ratio": statistics.median(ratios), "ratios": ratios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per gunicorn worker, 1 for sync workers (default: PostgreSQL 4, SQLite 1)")
    parser.add_argument("--rounds", type=int, default=6, help="baseline/target pairs, interleaved; the median is reported")
    parser.add_argument("--conn-max-age", type=int, default=60,
                        help="DB_CONN_MAX_AGE of the server (60: the production setting in the README; 0: a connection per request)")
    args = parser.parse_args()
    dbs = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    print(f"gunicorn 2 workers, {args.clients} concurrent clients, {os.cpu_count()} CPUs shared by server, database and clients, "
          f"DB_CONN_MAX_AGE={args.conn_max_age}")
    for db in dbs:
        threads = args.threads or (4 if db == "postgres" else 1)
        print(f"[{db}] gunicorn workers: {_describe(threads)}")
        r = bench(db, args.seconds, args.clients, args.rounds, args.conn_max_age, threads)
        print(f"[{db}] bare insert: {r['baseline_rps']:.0f} req/s (p50 {r['baseline_p50']:.1f} ms, p95 {r['baseline_p95']:.1f} ms)")
        print(f"[{db}] POST requests.json: {r['open311_rps']:.0f} req/s (p50 {r['open311_p50']:.1f} ms, p95 {r['open311_p95']:.1f} ms)")
        verdict = "ok" if r["ratio"] >= 0.5 else "BELOW TARGET"
        each = ", ".join(f"{x:.2f}" for x in r["ratios"])
        print(f"[{db}] ratio Open311 / bare insert = {r['ratio']:.2f} median of rounds [{each}] (target ≥ 0.5: {verdict})")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

"""F18: the flood limits hold under parallel requests against a threaded server (gunicorn gthread), on SQLite and
PostgreSQL: of 24 parallel anonymous filings from one address exactly APPEALS_RATE_PER_IP_HOUR are filed, and of
15 parallel Open311 filings with one phone exactly APPEALS_RATE_PER_PHONE_DAY.

The server runs in its own process on its own database (a file for SQLite; the test's PostgreSQL server for
PostgreSQL), as in production, because the test database of pytest-django cannot be shared with another process.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PG_BASE = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "appeals_flood"
COMMUNITY = "131102002018"
PASS_DB = "postgres" if os.environ.get("DATABASE_URL", "").startswith(("postgres:", "postgresql:")) else "sqlite"
# One database name (PG_NAME) and one server per module: its tests in one xdist worker.
pytestmark = pytest.mark.xdist_group("flood")


def _postgres_up() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001 (any failure means: no PostgreSQL here)
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    db = request.param
    if db != PASS_DB:
        # The server has its own database, whichever DATABASE_URL the suite runs on: .ci/run's two passes would
        # start each server twice. Each runs in the pass of its own database.
        pytest.skip(f"the {db} server runs in the {db} pass of `make test` (DATABASE_URL)")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    var_dir = tempfile.mkdtemp(prefix=f"shequ_flood_{db}_")
    env.update({"SHEQU_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "shequ.settings", "DEBUG": "false", "LOG_LEVEL": "WARNING",
                "APPEALS_RATE_PER_IP_HOUR": "10", "APPEALS_RATE_PER_PHONE_DAY": "5", "SECURE_COOKIES": "false"})
    if db == "postgres":
        if not _postgres_up():
            pytest.skip("needs PostgreSQL at 127.0.0.1:5432")
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')
        env["DATABASE_URL"] = f"{PG_BASE}/{PG_NAME}"
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([*manage, "import_divisions"], env=env, check=True, cwd=ROOT, capture_output=True)
    key = subprocess.run([*manage, "shell", "-c", "from appeals import services; print(services.issue_api_client(actor=None, name='t')[1])"],
                         env=env, check=True, cwd=ROOT, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    port = _free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen([gunicorn, "shequ.wsgi", "-w", "1", "-k", "gthread", "--threads", "12", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning"], env=env, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(f"{base}/open311/v2/services.json", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield {"base": base, "key": key, "env": env, "manage": manage}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)
        if db == "postgres":
            import psycopg

            with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def _count(server: dict[str, Any]) -> int:
    out = subprocess.run([*server["manage"], "shell", "-c", "from appeals.models import Appeal; print(Appeal.objects.count())"],
                         env=server["env"], check=True, cwd=ROOT, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def _parallel(n: int, prepare: Any, send: Any) -> list[int]:
    """n requests prepared one by one, then sent at the same moment."""
    prepared = [prepare(i) for i in range(n)]
    gate = threading.Barrier(n)
    codes: list[int] = []

    def go(i: int) -> None:
        gate.wait()
        codes.append(send(i, prepared[i]))

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def test_it_files_at_most_the_address_limit_of_24_parallel_web_filings(server) -> None:
    def prepare(i: int) -> tuple[requests.Session, str]:
        session = requests.Session()
        page = session.get(f"{server['base']}/appeals/new/", timeout=30).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token
        return session, token.group(1)

    def send(i: int, ready: tuple[requests.Session, str]) -> int:
        session, token = ready
        response = session.post(f"{server['base']}/appeals/new/", data={
            "csrfmiddlewaretoken": token, "category": "municipal", "description": f"路灯坏了 {i}", "location_kind": "address",
            "address": "人民路路口", "community": COMMUNITY, "phone": f"1380000{i:04d}"}, timeout=60)
        return 201 if "受理编号" in response.text or "已受理" in response.text else response.status_code

    before = _count(server)
    codes = _parallel(24, prepare, send)
    assert _count(server) - before == 10, codes


def test_it_files_at_most_the_phone_limit_of_15_parallel_open311_filings(server) -> None:
    def send(i: int, _: None) -> int:
        return requests.post(f"{server['base']}/open311/v2/requests.json", data={
            "api_key": server["key"], "service_code": "municipal", "address_string": "人民路路口", "description": f"路灯坏了 {i}",
            "phone": "139-1234-5678" if i % 2 else "13912345678", "attribute[community]": COMMUNITY}, timeout=60).status_code

    before = _count(server)
    codes = _parallel(15, lambda i: None, send)
    assert sorted(codes) == [201] * 5 + [400] * 10, codes
    assert _count(server) - before == 5

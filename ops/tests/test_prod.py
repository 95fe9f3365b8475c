"""The production layout (bin/prod) started, probed through nginx, its worker stopped, and stopped: on this machine when
Debian's nginx and pgbouncer are installed and PostgreSQL answers on 127.0.0.1:5432 (`.ci/run` / docs/ops.md), in the
PostgreSQL pass of `make test` (DATABASE_URL=postgres://...)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"PROD_PORT": "18580", "PROD_APP_PORT": "18581", "PROD_BOUNCER_PORT": "18582"}


def _postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.skipif(
        not (Path("/usr/sbin/nginx").exists() and Path("/usr/sbin/pgbouncer").exists() and shutil.which("psql") and _postgres_answers()),
        reason="needs Debian's nginx-light and pgbouncer and PostgreSQL on 127.0.0.1:5432"),
    # The layout runs on its own PostgreSQL database whatever DATABASE_URL says: once, in the PostgreSQL pass.
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres:", "postgresql:")),
                       reason="runs in the PostgreSQL pass of `make test` (DATABASE_URL=postgres://...)"),
    # Fixed ports and one database name: all of it in one xdist worker.
    pytest.mark.xdist_group("prod"),
]


def _get(path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{PORTS['PROD_PORT']}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — our own local nginx
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    folder = tmp_path_factory.mktemp("prod")
    env = {**os.environ, **PORTS, "PY": sys.executable, "SHEQU_PROD_DIR": str(folder), "PROD_PG_DB": "shequ_prod_test",
           "READYZ_WORKER_MAX_AGE_SECONDS": "5", "TASK_WORKER_HEARTBEAT_SECONDS": "1", "READYZ_DISK_FREE_MB": "0",
           "PROD_GUNICORN_WORKERS": "2", "PROD_GUNICORN_THREADS": "2"}
    env.pop("DATABASE_URL", None)
    up = subprocess.run([str(ROOT / "bin" / "prod"), "up"], env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield env, folder
    finally:
        subprocess.run([str(ROOT / "bin" / "prod"), "down"], env=env, capture_output=True, timeout=120, cwd=ROOT)


def test_it_serves_the_site_through_nginx_gunicorn_and_pgbouncer(prod) -> None:
    env, folder = prod
    status, headers, body = _get("/readyz")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok", "worker": "ok", "disk": "ok"}
    assert headers["Server"] == "nginx"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    status, headers, body = _get("/static/vendor/htmx/htmx.min.js")  # nginx itself, from collectstatic's folder
    assert status == 200 and b"htmx" in body[:2000]
    assert "Content-Security-Policy" not in headers  # Django never saw it
    status, headers, body = _get("/metrics")  # nginx relays from 127.0.0.1; gunicorn's workers summed
    assert status == 200 and b"django_http_requests_total_by_view_transport_method_total" in body


def test_it_carries_nginx_request_id_into_djangos_json_log(prod) -> None:
    env, folder = prod
    status, headers, _ = _get("/no-such-page/")
    assert status == 404
    rid = headers["X-Request-ID"]
    time.sleep(0.5)
    assert f"id={rid}" in (folder / "log" / "nginx-access.log").read_text()
    logged = [json.loads(line) for line in (folder / "log" / "gunicorn.log").read_text().splitlines() if line.startswith("{")]
    assert any(r["request_id"] == rid and r["logger"] == "django.request" for r in logged)


def test_it_answers_readyz_503_once_the_worker_is_stopped_and_stops_everything(prod) -> None:
    env, folder = prod
    os.kill(int((folder / "run" / "worker.pid").read_text()), signal.SIGTERM)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status, _, body = _get("/readyz")
        if status == 503:
            break
        time.sleep(0.5)
    assert status == 503 and "heartbeat" in json.loads(body)["checks"]["worker"]
    report = subprocess.run([str(ROOT / "bin" / "prod"), "status"], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert report.returncode != 0 and "worker: stopped" in report.stdout and "nginx: running" in report.stdout
    subprocess.run([str(ROOT / "bin" / "prod"), "down"], env=env, capture_output=True, timeout=120, cwd=ROOT, check=True)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(PORTS["PROD_PORT"])), timeout=1).close()

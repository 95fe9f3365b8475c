import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from ops import heartbeat
from ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(settings):
    """Everything fine: a fresh heartbeat, no disk floor."""
    settings.READYZ_DISK_FREE_MB = 0
    heartbeat.beat("w1")
    return settings


def _readyz() -> tuple[int, dict]:
    response = Client().get("/readyz")
    return response.status_code, response.json()


def test_it_answers_healthz_without_touching_the_database(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_answers_readyz_200_when_every_check_passes(ready) -> None:
    Client().get("/readyz")  # the migration graph is read once per process
    started = time.perf_counter()
    status, body = _readyz()
    elapsed = time.perf_counter() - started
    assert status == 200, body
    assert body == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "ok", "disk": "ok"}}
    assert elapsed < 0.2  # well under 50 ms on an idle machine; this one is shared
    assert not WorkerHeartbeat.objects.filter(worker_id="readyz-probe").exists()  # the write probe was rolled back


def test_it_answers_readyz_503_when_the_worker_heartbeat_is_stale(ready) -> None:
    ready.READYZ_WORKER_MAX_AGE_SECONDS = 60
    heartbeat.beat("w1", now=timezone.now() - timedelta(seconds=61))
    status, body = _readyz()
    assert status == 503
    assert body["status"] == "fail"
    assert "61 s old" in body["checks"]["worker"] or "62 s old" in body["checks"]["worker"]
    assert body["checks"]["database"] == body["checks"]["migrations"] == body["checks"]["disk"] == "ok"
    heartbeat.beat("w2")  # a second worker that is alive makes the site ready again
    assert _readyz()[0] == 200


def test_it_answers_readyz_503_when_no_worker_ever_ran(ready) -> None:
    WorkerHeartbeat.objects.all().delete()
    status, body = _readyz()
    assert status == 503
    assert "task_worker" in body["checks"]["worker"]


def test_it_answers_readyz_503_when_the_disk_is_below_the_floor(ready) -> None:
    ready.READYZ_DISK_FREE_MB = 10**9  # a petabyte
    status, body = _readyz()
    assert status == 503
    assert "floor" in body["checks"]["disk"]
    assert body["checks"]["worker"] == "ok"


def test_it_answers_readyz_503_when_a_migration_is_not_applied(ready) -> None:
    MigrationRecorder(connection).record_unapplied("ops", "0001_worker_heartbeat")
    status, body = _readyz()
    assert status == 503
    assert "ops.0001_worker_heartbeat" in body["checks"]["migrations"]


def test_it_answers_readyz_503_when_the_database_is_read_only(ready) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET default_transaction_read_only = on")
        else:
            cursor.execute("PRAGMA query_only = ON")
    try:
        status, body = _readyz()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = off" if connection.vendor == "postgresql"
                           else "PRAGMA query_only = OFF")
    assert status == 503
    assert "read-only" in body["checks"]["database"] or "not writable" in body["checks"]["database"]


def test_it_refuses_readyz_by_post() -> None:
    assert Client().post("/readyz").status_code == 405


@pytest.mark.django_db(transaction=True)  # the worker closes a connection found inside a transaction
def test_it_beats_while_the_task_worker_runs(settings) -> None:
    call_command("task_worker", "--batch", "--no-startup-delay", "--worker-id", "beat-test", verbosity=0)
    row = WorkerHeartbeat.objects.get(worker_id="beat-test")
    assert timezone.now() - row.beat_at < timedelta(seconds=10)

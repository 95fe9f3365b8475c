"""F7: a big export job runs to the end while other users keep writing (SQLite file database in WAL, and PostgreSQL)."""

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, connections

from people import exporters, jobs
from people.models import Resident
from shequ.testing.world import ALICE_UNIT, World
from web.models import Job

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 1500


@contextmanager
def on_a_file_database(tmp_path: Path) -> Iterator[None]:
    """Threads that open a connection now get a copy of the test database in a file (SQLite); PostgreSQL as is.

    The in-memory SQLite test database cannot show file locking, so it is copied to a file and new connections
    (each thread opens its own) are pointed at it; the test's own connection stays on the in-memory one.
    """
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "shequ.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    settings_dict = connections.settings["default"]
    memory = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = memory


def _in_thread(target, results: dict, key: str) -> threading.Thread:
    def run() -> None:
        try:
            results[key] = target()
        except Exception as exc:  # reported to the test
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _journal_and_timeout() -> tuple[str, int]:
    if connection.vendor != "sqlite":
        return "wal", 10_000  # PostgreSQL: readers never block writers
    with connection.cursor() as cursor:
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        busy = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    return str(mode).lower(), int(busy)


def test_it_finishes_a_big_export_job_while_others_keep_writing(world: World, tmp_path, monkeypatch, caplog) -> None:
    Resident.objects.bulk_create([Resident(unit_id=ALICE_UNIT, name=f"居民{i}", gender="M", birth_date=dt.date(1980, 1, 1),
                                           current_address=f"{i}号")
                                  for i in range(ROWS)])
    job = Job.objects.create(kind=jobs.EXPORT_KIND, owner=world.carl, unit_code=world.carl.unit_id,
                             params={"filters": {}, "unmasked": False})
    monkeypatch.setattr(exporters, "CHUNK", 100)  # many reads, each short
    monkeypatch.setattr("django.conf.settings.MEDIA_ROOT", tmp_path / "media")
    results: dict = {}
    done = threading.Event()

    def export() -> tuple[str, str, int]:
        try:
            jobs.run_export_job.call(job.pk)
            row = Job.objects.get(pk=job.pk)
            return row.status, row.message, row.written
        finally:
            done.set()

    seen: set[int] = set()

    def keep_writing() -> int:
        """Another user edits residents meanwhile, and the job's owner watches the progress bar."""
        from django.db import transaction

        writes = 0
        first = list(Resident.objects.order_by("pk").values_list("pk", flat=True)[:50])
        while not done.is_set():
            with transaction.atomic():
                Resident.objects.filter(pk=first[writes % 50]).update(current_address=f"改{writes}")
            writes += 1
            seen.add(Job.objects.get(pk=job.pk).written)
            time.sleep(0.002)
        return writes

    with on_a_file_database(tmp_path):
        threads = [_in_thread(keep_writing, results, "writes"), _in_thread(export, results, "export")]
        for thread in threads:
            thread.join(timeout=120)
        journal = _in_thread(_journal_and_timeout, results, "journal")
        journal.join()
    assert not isinstance(results["writes"], Exception), results["writes"]
    assert results["writes"] > 10, "the writer kept writing during the export"
    assert results["export"] == ("done", "导出完成：共 1500 行（已脱敏）。", ROWS), results["export"]
    mode, busy_ms = results["journal"]
    assert mode == "wal" and busy_ms >= 5000, "every SQLite connection: WAL and a busy timeout"
    assert {n for n in seen if 0 < n < ROWS}, "the progress bar moved while the export ran"
    assert "database locked" not in caplog.text and "database busy" not in caplog.text


def test_it_starts_an_export_again_when_the_database_stays_locked(world: World, tmp_path, monkeypatch, settings) -> None:
    from django.db import OperationalError

    settings.MEDIA_ROOT = tmp_path / "media"
    Resident.objects.create(unit_id=ALICE_UNIT, name="居民甲", gender="M", birth_date=dt.date(1980, 1, 1))
    monkeypatch.setattr(jobs, "LOCKED_PAUSE_SECONDS", 0.0)
    real = jobs._write_export
    attempts: list[int] = []

    def locked_twice(*args, **kwargs):
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "_write_export", locked_twice)
    job = Job.objects.create(kind=jobs.EXPORT_KIND, owner=world.carl, params={"filters": {}, "unmasked": False})
    jobs.run_export_job.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.written, len(attempts)) == ("done", 1, 3)
    monkeypatch.setattr(jobs, "_write_export", lambda *a, **k: (_ for _ in ()).throw(OperationalError("database is locked")))
    again = Job.objects.create(kind=jobs.EXPORT_KIND, owner=world.carl, params={"filters": {}, "unmasked": False})
    jobs.run_export_job.call(again.pk)
    again.refresh_from_db()
    assert again.status == "failed" and again.message == "导出出错：OperationalError。" and not again.result_file

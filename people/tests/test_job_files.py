"""F6: background jobs' files are owner-only, kept for a limited time, deleted by the clean-up, and say so after."""

import datetime as dt
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEntry
from people import jobs, views_io
from people.tests.io_helpers import ALICE_UNIT, book, grant, import_rows, jobs_inline, person  # noqa: F401
from web.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jobs_inline")]
ROWS = [person(1), person(2), person(3)]


def _export_job(client, unmasked: bool = False) -> Job:
    response = client.get("/people/export/", {"unmasked": "1"} if unmasked else {})
    assert response.status_code == 302
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _later(monkeypatch, *done: Job, **delta: float) -> None:
    """As if delta had passed since the jobs finished (their finish moved back; the sessions stay fresh)."""
    for job in done:
        Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(**delta))


@pytest.fixture
def big(monkeypatch):
    monkeypatch.setattr(views_io, "DIRECT_EXPORT_ROWS", 1)


def test_it_writes_job_files_readable_by_the_server_account_only(world, login, big, settings) -> None:
    import_rows(ROWS)
    job = _export_job(login(world.carl))
    path = Path(job.result_file.path)
    assert path.exists() and _mode(path) == 0o600
    assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700  # jobs/out and jobs/
    upload = book([person(4), {**person(5), "性别": "X"}])
    response = login(world.alice).post("/people/import/", {"file": _named(upload, "r.xlsx")})
    rejected = Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert rejected.status == "rejected" and _mode(Path(rejected.error_file.path)) == 0o600


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_it_keeps_an_unmasked_export_for_hours_and_then_deletes_it(world, login, big, settings, monkeypatch) -> None:
    settings.JOB_UNMASKED_HOURS = 4
    import_rows(ROWS)
    carl = grant(world.carl, "export_unmasked")
    client = login(carl)
    job = _export_job(client, unmasked=True)
    path = Path(job.result_file.path)
    _later(monkeypatch, job, hours=3, minutes=59)
    assert jobs.purge_job_files() == 0 and path.exists()
    assert client.get(f"/people/jobs/{job.pk}/result.xlsx").status_code == 200
    page = client.get(f"/people/jobs/{job.pk}/").content.decode()
    assert "文件保留至" in page
    _later(monkeypatch, job, hours=4)
    expired = client.get(f"/people/jobs/{job.pk}/result.xlsx")  # past its time, even before the clean-up ran
    assert expired.status_code == 410 and "已超过保留期限" in expired.content.decode()
    assert "下载导出文件" not in client.get(f"/people/jobs/{job.pk}/").content.decode()
    assert jobs.purge_job_files() == 1
    assert not path.exists()
    job.refresh_from_db()
    assert not job.result_file and job.params["files_purged_at"]
    gone = client.get(f"/people/jobs/{job.pk}/result.xlsx")
    assert gone.status_code == 410 and "只保留 4 小时" in gone.content.decode()
    assert AuditEntry.objects.filter(action="web.job_files_purged", object_id=str(job.pk)).count() == 1
    assert jobs.purge_job_files() == 0  # once
    assert login(world.cindy).get(f"/people/jobs/{job.pk}/result.xlsx").status_code == 404  # still nobody else's


def test_it_keeps_masked_exports_and_error_reports_for_days(world, login, big, settings, monkeypatch) -> None:
    settings.JOB_FILE_DAYS = 7
    import_rows(ROWS)
    job = _export_job(login(world.carl))
    response = login(world.alice).post("/people/import/", {"file": _named(book([{**person(9), "性别": "X"}]), "r.xlsx")})
    rejected = Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    paths = [Path(job.result_file.path), Path(rejected.error_file.path)]
    _later(monkeypatch, job, rejected, days=6, hours=23)
    call_command("purge_job_files")
    assert all(p.exists() for p in paths)
    assert login(world.carl).get(f"/people/jobs/{job.pk}/result.xlsx").status_code == 200
    _later(monkeypatch, job, rejected, days=7, minutes=1)
    call_command("purge_job_files")
    assert not any(p.exists() for p in paths)
    assert login(world.carl).get(f"/people/jobs/{job.pk}/result.xlsx").status_code == 410
    assert login(world.alice).get(f"/people/jobs/{rejected.pk}/errors.xlsx").status_code == 410


def test_it_deletes_files_no_job_refers_to_once_they_are_old(world, settings, monkeypatch) -> None:
    import os

    folder = Path(settings.MEDIA_ROOT) / "jobs" / "out"
    folder.mkdir(parents=True)
    stray, fresh = folder / "stray.xlsx", folder / "fresh.xlsx"
    stray.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old = (timezone.now() - dt.timedelta(days=30)).timestamp()
    os.utime(stray, (old, old))
    jobs.purge_job_files()
    assert not stray.exists() and fresh.exists()


def test_it_runs_the_clean_up_as_a_background_task(world, login, big, monkeypatch) -> None:
    import_rows(ROWS)
    job = _export_job(login(world.carl))
    path = Path(job.result_file.path)
    _later(monkeypatch, job, days=8)
    call_command("purge_job_files", "--enqueue")  # the tests' immediate backend runs the task at once
    assert not path.exists() and Job.objects.get(pk=job.pk).params["files_purged_at"]


def test_it_deletes_the_upload_of_a_job_that_never_finished(world, settings) -> None:
    from django.core.files.base import ContentFile

    job = Job(kind=jobs.IMPORT_KIND, owner=world.alice, status=Job.Status.RUNNING)
    jobs.save_private(job.input_file, ContentFile(book([person(1)])))
    job.save()
    path = Path(job.input_file.path)
    assert _mode(path) == 0o600
    jobs.purge_job_files()
    assert path.exists(), "a running job keeps its upload"
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=settings.JOB_FILE_DAYS, hours=1))
    assert jobs.purge_job_files() == 1
    assert not path.exists() and not Job.objects.get(pk=job.pk).input_file

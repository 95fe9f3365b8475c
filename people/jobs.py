"""Background imports and exports of the register (django-tasks on web.Job).

The person who starts a job sees live progress (rows checked, rows written, time left),
may leave and come back ("我的任务"), and gets the result file and the error report when
it finishes; jobs are visible only to their owner. The uploaded file holds plaintext ID
numbers, so it is deleted as soon as the job ends; job files get unguessable names, are
readable by the server's own account only (files 0600, folders 0700) and are kept for a
limited time (settings.JOB_UNMASKED_HOURS for an unmasked export, JOB_FILE_DAYS for the rest):
purge_job_files() deletes them after that (hourly, manage.py purge_job_files) and a download
after expiry says so (410).
"""

import datetime as dt
import json
import logging
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django_tasks import task

from accounts.scoping import scope_prefix
from people.exporters import ExportRefused, export_residents, residents_for_export
from people.importers import ResidentImporter, ResidentImportResult, count_rows, write_errors
from people.permissions import can_export_unmasked
from web.models import Job

log = logging.getLogger(__name__)

IMPORT_KIND = "people.import"
EXPORT_KIND = "people.export"
KIND_LABELS = {IMPORT_KIND: "居民信息导入", EXPORT_KIND: "居民信息导出"}
SHOWN_ERRORS = 200
# A job that meets a locked database (SQLite: another writer for longer than the busy timeout) starts again.
LOCKED_RETRIES = 3
LOCKED_PAUSE_SECONDS = 2.0
FILE_FIELDS = ("input_file", "result_file", "error_file")


def file_name(suffix: str = ".xlsx") -> str:
    return f"{secrets.token_hex(16)}{suffix}"


def _private_dir(path: Path) -> None:
    """Create path (and its parents below the media folder) as folders only the server's account can open (0700)."""
    root = Path(settings.MEDIA_ROOT)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in [path, *path.parents]:
        if folder == root or root not in folder.parents:
            break
        os.chmod(folder, 0o700)


def save_private(field: FieldFile, content: Any) -> None:
    """Save a job file under an unguessable name, owner-only (file 0600 inside 0700 folders)."""
    storage = field.storage
    if isinstance(storage, FileSystemStorage):
        upload_to = str(field.field.upload_to)
        _private_dir(Path(storage.location) / upload_to)
        field.storage = FileSystemStorage(location=storage.location, base_url=storage.base_url,
                                          file_permissions_mode=0o600, directory_permissions_mode=0o700)
    field.save(file_name(), content, save=False)
    if isinstance(field.storage, FileSystemStorage):
        os.chmod(field.path, 0o600)


def is_unmasked(job: Job) -> bool:
    return job.kind == EXPORT_KIND and bool(job.params.get("unmasked"))


def expires_at(job: Job) -> dt.datetime | None:
    """When the job's files are deleted: hours after an unmasked export finished, days for every other file."""
    if not job.finished or job.finished_at is None:
        return None
    if is_unmasked(job):
        return job.finished_at + dt.timedelta(hours=settings.JOB_UNMASKED_HOURS)
    return job.finished_at + dt.timedelta(days=settings.JOB_FILE_DAYS)


def files_expired(job: Job, now: dt.datetime | None = None) -> bool:
    """The job's files are past their retention (or already deleted by the clean-up)."""
    if job.params.get("files_purged_at"):
        return True
    until = expires_at(job)
    return until is not None and (now or timezone.now()) >= until


def purge_job_files(*, now: dt.datetime | None = None) -> int:
    """Delete the files of every finished job past its retention; returns how many jobs were cleaned.

    Also removes files in the job folders that no job refers to any more (a crash between writing a file
    and saving its job), once they are older than the shortest retention.
    """
    from accounts import audit

    now = now or timezone.now()
    shortest = min(dt.timedelta(hours=settings.JOB_UNMASKED_HOURS), dt.timedelta(days=settings.JOB_FILE_DAYS))
    cleaned = 0
    finished = Job.objects.filter(status__in=[Job.Status.DONE, Job.Status.REJECTED, Job.Status.FAILED],
                                  finished_at__lte=now - shortest).exclude(params__has_key="files_purged_at")
    for job in list(finished):  # read to the end first: no open read while the loop writes (SQLite)
        if not files_expired(job, now):
            continue
        names = [getattr(job, name).name for name in FILE_FIELDS if getattr(job, name)]
        for name in FILE_FIELDS:
            if getattr(job, name):
                getattr(job, name).delete(save=False)
        job.params = {**job.params, "files_purged_at": now.isoformat()}
        Job.objects.filter(pk=job.pk).update(params=job.params, input_file="", result_file="", error_file="")
        if names:
            audit.record(actor=None, username="system", action="web.job_files_purged", obj=job,
                         unit_code=job.unit_code, detail={"files": len(names), "unmasked": is_unmasked(job)})
        cleaned += 1
    # A job that never finished (its worker was stopped) still holds its upload, with plaintext ID numbers.
    stuck = Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
                               created_at__lte=now - dt.timedelta(days=settings.JOB_FILE_DAYS)).exclude(input_file="")
    for job in list(stuck):
        job.input_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="")
        audit.record(actor=None, username="system", action="web.job_files_purged", obj=job, unit_code=job.unit_code,
                     detail={"files": 1, "unfinished": True})
        cleaned += 1
    _purge_orphans(now - shortest)
    return cleaned


def _purge_orphans(before: dt.datetime) -> None:
    root = Path(settings.MEDIA_ROOT)
    known = {str(name) for field in FILE_FIELDS for name in Job.objects.exclude(**{field: ""}).values_list(field, flat=True)}
    for field in FILE_FIELDS:
        folder = root / str(Job._meta.get_field(field).upload_to)  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            name = str(path.relative_to(root))
            if path.is_file() and name not in known and path.stat().st_mtime < before.timestamp():
                path.unlink(missing_ok=True)


def _progress_path(job_id: int) -> Path:
    return Path(settings.VAR_DIR) / "jobs" / f"{job_id}.progress.json"


class JobProgress:
    """Throttled progress writer: the Job row outside a transaction, a side file inside one.

    Inside the import's write transaction an update of the Job row would be invisible to
    the page that polls it (and rolled back with the import), so it goes to a small file.
    """

    def __init__(self, job: Job, interval: float = 1.0):
        self.job = job
        self.interval = interval
        self.last = 0.0

    def __call__(self, checked: int, written: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        self.job.checked, self.job.written = checked, written
        if connection.in_atomic_block:
            path = _progress_path(self.job.pk)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"checked": checked, "written": written}))
            tmp.replace(path)
        else:
            try:
                Job.objects.filter(pk=self.job.pk).update(checked=checked, written=written)
            except OperationalError as exc:  # progress is a courtesy: a busy database must not stop the job
                if not is_locked(exc):
                    raise
                log.info("job %s: progress not saved (database busy)", self.job.pk)


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "database table is locked" (PostgreSQL waits on row locks instead)."""
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def live_progress(job: Job) -> dict[str, Any]:
    """Rows checked and written, percentage and seconds left, for the progress bar."""
    checked, written = job.checked, job.written
    if job.status == Job.Status.RUNNING:
        try:
            side = json.loads(_progress_path(job.pk).read_text())
            checked, written = max(checked, side["checked"]), max(written, side["written"])
        except (OSError, ValueError, KeyError):
            pass
    total = job.total
    if job.kind == EXPORT_KIND:
        done, work = written, total
    elif job.dry_run:
        done, work = checked, total
    else:  # writing a row costs about twice checking it
        done, work = checked + 2 * written, 3 * total
    fraction = min(1.0, done / work) if work else 0.0
    if job.finished:
        fraction = 1.0
    seconds_left = None
    if job.status == Job.Status.RUNNING and job.started_at and 0 < fraction < 1:
        elapsed = (timezone.now() - job.started_at).total_seconds()
        seconds_left = int(elapsed * (1 - fraction) / fraction)
    return {"checked": checked, "written": written, "total": total, "percent": int(fraction * 100),
            "seconds_left": seconds_left}


def _start(job: Job) -> bool:
    started = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    return bool(started)


def _finish(job: Job, status: str, message: str) -> None:
    job.status, job.message, job.finished_at = status, message, timezone.now()
    job.save(update_fields=["status", "message", "finished_at", "checked", "written", "total", "error_count",
                            "params", "result_file", "error_file", "input_file"])
    _progress_path(job.pk).unlink(missing_ok=True)
    from web.notify import notify_user

    notify_user(job.owner, f"{KIND_LABELS.get(job.kind, job.kind)}：{job.get_status_display()}", message,
                url=f"/people/jobs/{job.pk}/", kind="job")


def _drop_input(job: Job) -> None:
    if job.input_file:
        job.input_file.delete(save=False)


@task()
def run_import_job(job_id: int) -> None:
    job = Job.objects.select_related("owner").get(pk=job_id)
    if not _start(job):
        return
    try:
        if scope_prefix(job.owner) is None:
            _drop_input(job)
            _finish(job, Job.Status.FAILED, "您没有可导入的管辖范围。")
            return
        progress = JobProgress(job)
        with job.input_file.open("rb") as handle:
            job.total = count_rows(handle)
            Job.objects.filter(pk=job.pk).update(total=job.total)
            importer = ResidentImporter(actor=job.owner, dry_run=job.dry_run, progress=progress,
                                        source_name=str(job.params.get("filename", "")))
            result = importer.import_file(handle)
        _drop_input(job)
        _record_result(job, result)
    except Exception as exc:
        log.exception("import job %s failed", job_id)
        _drop_input(job)
        _finish(job, Job.Status.FAILED, f"导入出错：{type(exc).__name__}，未写入任何数据。")


def _record_result(job: Job, result: ResidentImportResult) -> None:
    job.total = max(job.total, result.checked) if result.ok else result.checked
    job.checked, job.written, job.error_count = result.checked, result.created, result.error_count
    job.params = {**job.params, "errors": [[e.line, e.column, e.value, e.reason] for e in result.errors[:SHOWN_ERRORS]],
                  "households_created": result.households_created}
    if result.errors:
        with tempfile.TemporaryFile() as out:
            write_errors(out, result)
            out.seek(0)
            save_private(job.error_file, File(out))
    _finish(job, Job.Status.DONE if result.ok else Job.Status.REJECTED, result.summary())


@task()
def run_export_job(job_id: int) -> None:
    job = Job.objects.select_related("owner").get(pk=job_id)
    if not _start(job):
        return
    try:
        unmasked = bool(job.params.get("unmasked"))
        if unmasked and not can_export_unmasked(job.owner):
            raise ExportRefused("您没有导出未脱敏数据的权限")
        filters = dict(job.params.get("filters", {}))
        queryset = residents_for_export(job.owner, filters)
        job.total = queryset.count()
        Job.objects.filter(pk=job.pk).update(total=job.total)
        progress = JobProgress(job)
        for attempt in range(1, LOCKED_RETRIES + 1):
            try:
                count = _write_export(job, queryset, unmasked=unmasked, filters=filters, progress=progress)
                break
            except OperationalError as exc:
                if not is_locked(exc) or attempt == LOCKED_RETRIES:
                    raise
                log.warning("export job %s: database locked, attempt %s of %s", job_id, attempt, LOCKED_RETRIES)
                time.sleep(LOCKED_PAUSE_SECONDS * attempt)
        job.checked = job.written = count
        _finish(job, Job.Status.DONE, f"导出完成：共 {count} 行{'（未脱敏）' if unmasked else '（已脱敏）'}。")
    except ExportRefused as exc:
        _finish(job, Job.Status.FAILED, str(exc))
    except Exception as exc:
        log.exception("export job %s failed", job_id)
        _finish(job, Job.Status.FAILED, f"导出出错：{type(exc).__name__}。")


def _write_export(job: Job, queryset: Any, *, unmasked: bool, filters: dict[str, Any], progress: JobProgress) -> int:
    """One attempt at the export: read in chunks outside any transaction, write the file, keep it (0600)."""
    with tempfile.TemporaryFile() as out:
        count = export_residents(out, queryset, actor=job.owner, unmasked=unmasked, filters=filters,
                                 unit_code=job.unit_code, progress=lambda n: progress(n, n))
        out.seek(0)
        save_private(job.result_file, File(out))
    return count


def start_import(*, owner: Any, upload: Any, dry_run: bool) -> Job:
    job = Job(kind=IMPORT_KIND, owner=owner, unit_code=str(getattr(owner, "unit_id", "") or ""), dry_run=dry_run,
              params={"filename": str(getattr(upload, "name", ""))[:200]})
    save_private(job.input_file, upload if hasattr(upload, "chunks") else ContentFile(upload.read()))
    job.save()
    run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def start_export(*, owner: Any, filters: dict[str, str], unmasked: bool) -> Job:
    job = Job(kind=EXPORT_KIND, owner=owner, unit_code=str(getattr(owner, "unit_id", "") or ""),
              params={"filters": filters, "unmasked": unmasked})
    job.save()
    run_export_job.enqueue(job.pk)
    job.refresh_from_db()
    return job

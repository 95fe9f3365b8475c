"""Background imports and exports of the register (django-tasks on web.Job).

The person who starts a job sees live progress (rows checked, rows written, time left),
may leave and come back ("我的任务"), and gets the result file and the error report when
it finishes; jobs are visible only to their owner. The uploaded file holds plaintext ID
numbers, so it is deleted as soon as the job ends; job files get unguessable names.
"""

import json
import logging
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection
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


def file_name(suffix: str = ".xlsx") -> str:
    return f"{secrets.token_hex(16)}{suffix}"


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
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"checked": checked, "written": written}))
            tmp.replace(path)
        else:
            Job.objects.filter(pk=self.job.pk).update(checked=checked, written=written)


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
            write_errors(out, result)  # type: ignore[arg-type]
            out.seek(0)
            job.error_file.save(file_name(), File(out), save=False)
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
        with tempfile.TemporaryFile() as out:
            count = export_residents(out, queryset, actor=job.owner, unmasked=unmasked, filters=filters,  # type: ignore[arg-type]
                                     unit_code=job.unit_code, progress=lambda n: progress(n, n))
            out.seek(0)
            job.result_file.save(file_name(), File(out), save=False)
        job.checked = job.written = count
        _finish(job, Job.Status.DONE, f"导出完成：共 {count} 行{'（未脱敏）' if unmasked else '（已脱敏）'}。")
    except ExportRefused as exc:
        _finish(job, Job.Status.FAILED, str(exc))
    except Exception as exc:
        log.exception("export job %s failed", job_id)
        _finish(job, Job.Status.FAILED, f"导出出错：{type(exc).__name__}。")


def start_import(*, owner: Any, upload: Any, dry_run: bool) -> Job:
    job = Job(kind=IMPORT_KIND, owner=owner, unit_code=str(getattr(owner, "unit_id", "") or ""), dry_run=dry_run,
              params={"filename": str(getattr(upload, "name", ""))[:200]})
    job.input_file.save(file_name(), upload if hasattr(upload, "chunks") else ContentFile(upload.read()), save=False)
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

"""Web pages for the register's Excel in and out: template, upload (with dry-run), live progress, results, export."""

import io
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from accounts.scoping import scope_prefix
from people import jobs
from people.exporters import ExportRefused, clean_filters, export_residents, finds_one_person, residents_for_export
from people.importers import HEADERS, write_resident_template
from people.permissions import can_export_unmasked
from web.models import Job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# Up to this many rows an export is written during the request; larger ones become a job.
DIRECT_EXPORT_ROWS = 5000


def _require_scope(user: Any) -> str:
    prefix = scope_prefix(user)
    if prefix is None:
        raise Http404("您的角色不能导入或导出居民信息")
    return prefix


def _own_job(request: HttpRequest, pk: int) -> Job:
    """A job of the signed-in user; anyone else's is 404."""
    try:
        return Job.objects.get(pk=pk, owner_id=request.user.pk, kind__in=jobs.KIND_LABELS)
    except Job.DoesNotExist as exc:
        raise Http404("未找到") from exc


@require_GET
@login_required
def template_download(request: HttpRequest) -> HttpResponseBase:
    buffer = io.BytesIO()
    write_resident_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="居民信息导入模板.xlsx", content_type=XLSX)


@require_http_methods(["GET", "POST"])
@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    _require_scope(request.user)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "请选择要上传的 .xlsx 文件。"
        elif not (upload.name or "").lower().endswith(".xlsx"):
            error = "只能上传 .xlsx 格式的表格（请使用下载的模板）。"
        elif (upload.size or 0) > MAX_UPLOAD_BYTES:
            error = "文件过大（上限200MB），请按乡镇（街道）或村（社区）拆分后上传。"
        else:
            job = jobs.start_import(owner=request.user, upload=upload, dry_run=bool(request.POST.get("dry_run")))
            return redirect("people:job", pk=job.pk)
    return render(request, "people/import.html", {"headers": HEADERS, "error": error}, status=400 if error else 200)


@require_GET
@login_required
def export_start(request: HttpRequest) -> HttpResponseBase:
    """Export the filtered list (the same filters as the list page); large lists run as a job."""
    _require_scope(request.user)
    filters = clean_filters(request.GET)
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not can_export_unmasked(request.user):
        raise PermissionDenied("您没有导出未脱敏数据的权限")
    queryset = residents_for_export(request.user, filters)
    if not finds_one_person(filters) and queryset.count() > DIRECT_EXPORT_ROWS:
        job = jobs.start_export(owner=request.user, filters=filters, unmasked=unmasked)
        return redirect("people:job", pk=job.pk)
    buffer = io.BytesIO()
    try:
        export_residents(buffer, queryset, actor=request.user, unmasked=unmasked, filters=filters,
                         unit_code=str(getattr(request.user, "unit_id", "") or ""))
    except ExportRefused as exc:
        raise PermissionDenied(str(exc)) from exc
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"居民信息{'（未脱敏）' if unmasked else ''}-{stamp}.xlsx"
    return HttpResponse(buffer.getvalue(), content_type=XLSX,
                        headers={"Content-Disposition": content_disposition_header(True, name) or "attachment"})


@require_GET
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    my_jobs = Job.objects.filter(owner_id=request.user.pk, kind__in=jobs.KIND_LABELS).order_by("-created_at", "-id")[:50]
    rows = [{"job": job, "label": jobs.KIND_LABELS[job.kind], "progress": jobs.live_progress(job)} for job in my_jobs]
    return render(request, "people/job_list.html", {"rows": rows})


def _job_context(job: Job) -> dict[str, Any]:
    return {"job": job, "label": jobs.KIND_LABELS[job.kind], "progress": jobs.live_progress(job),
            "expires_at": jobs.expires_at(job), "files_expired": jobs.files_expired(job),
            "errors": job.params.get("errors", []) if job.finished else [],
            "more_errors": max(0, job.error_count - len(job.params.get("errors", [])))}


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "people/job_detail.html", _job_context(job))


@require_GET
@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTMX-polled progress fragment; stops polling once the job has finished."""
    job = _own_job(request, pk)
    return render(request, "people/job_progress.html", _job_context(job))


def _job_file(request: HttpRequest, job: Job, field: str, name: str) -> HttpResponseBase:
    if job.finished and jobs.files_expired(job):
        return render(request, "web/job_file_expired.html", {**_job_context(job), "unmasked_hours": settings.JOB_UNMASKED_HOURS,
                                                              "file_days": settings.JOB_FILE_DAYS}, status=410)
    stored = getattr(job, field)
    if not stored:
        raise Http404("文件不存在")
    try:
        handle = stored.open("rb")
    except OSError as exc:
        raise Http404("文件不存在") from exc
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


@require_GET
@login_required
def job_result(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _own_job(request, pk)
    return _job_file(request, job, "result_file", f"居民信息导出-{job.pk}.xlsx")


@require_GET
@login_required
def job_error_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _own_job(request, pk)
    return _job_file(request, job, "error_file", f"错误报告-{job.pk}.xlsx")

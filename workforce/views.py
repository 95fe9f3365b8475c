"""Pages of the workforce module: worker lists per unit, add/edit/end, trainings and attendance, summary."""

import json
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.scoping import scope_prefix
from places.models import OrgUnit
from places.selectors import unit_for_user
from shequ.importing import RowError
from shequ.xlsx import write_error_report
from workforce import importers, selectors, services
from workforce.forms import AttendanceForm, EndForm, ExamForm, ImportForm, TrainingForm, WorkerForm
from workforce.models import CommunityWorker, Position, in_post_during


def _render(request: HttpRequest, template: str, context: dict[str, Any], invalid: bool = False) -> HttpResponse:
    """Invalid submissions answer 400 so that nothing looks accepted."""
    return render(request, template, context, status=400 if invalid else 200)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if scope_prefix(request.user) is None:
        raise Http404("未找到")
    return redirect("workforce:workers", code=request.user.unit_id)  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)


@login_required
def worker_list(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    today = timezone.localdate()
    position = request.GET.get("position", "")
    status = request.GET.get("status", "in_post")
    rows = selectors.workers(request.user, unit, position=position, status=status, day=today)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "unit": unit, "ancestors": unit.ancestors(), "page": page, "position": position, "status": status,
        "position_choices": Position.choices, "status_choices": selectors.STATUS_CHOICES,
        "counts": selectors.position_counts(unit, today), "today": today,
    }
    template = "workforce/_worker_rows.html" if request.headers.get("HX-Request") else "workforce/worker_list.html"
    return render(request, template, context)


@login_required
def worker_add(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    if unit.level != OrgUnit.Level.VILLAGE:
        messages.error(request, "社区工作者只能登记在村（社区），请先选择村（社区）。")
        return redirect("workforce:workers", code=code)
    form = WorkerForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            try:
                worker = services.add_worker(actor=request.user, unit=unit, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已登记：{worker.name}。")
                return redirect("workforce:worker", pk=worker.pk)
        return _render(request, "workforce/worker_form.html", {"unit": unit, "form": form}, invalid=True)
    return render(request, "workforce/worker_form.html", {"unit": unit, "form": form})


@login_required
def worker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    worker = selectors.worker_for_user(request.user, pk)
    return render(request, "workforce/worker_detail.html", {
        "worker": worker, "attendance": selectors.attendance_of_worker(worker), "end_form": EndForm(),
        "in_post": worker.is_in_post(timezone.localdate()), "exam_form": ExamForm(), "exams": worker.exams.all(),
    })


@login_required
def worker_edit(request: HttpRequest, pk: int) -> HttpResponse:
    worker = selectors.worker_for_user(request.user, pk)
    initial = {"name": worker.name, "gender": worker.gender, "position": worker.position, "started_on": worker.started_on}
    form = WorkerForm(request.POST or None, initial=initial)
    form.fields["phone"].widget.attrs["placeholder"] = worker.phone_masked
    if request.method == "POST":
        if form.is_valid():
            changes = dict(form.cleaned_data)
            if not changes["phone"]:
                changes.pop("phone")
            try:
                services.update_worker(actor=request.user, worker=worker, changes=changes)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("workforce:worker", pk=worker.pk)
        return _render(request, "workforce/worker_form.html", {"unit": worker.unit, "form": form, "worker": worker}, invalid=True)
    return render(request, "workforce/worker_form.html", {"unit": worker.unit, "form": form, "worker": worker})


@login_required
@require_POST
def worker_end(request: HttpRequest, pk: int) -> HttpResponse:
    worker = selectors.worker_for_user(request.user, pk)
    form = EndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写正确的离任日期。")
        services.end_worker(actor=request.user, worker=worker, ended_on=form.cleaned_data["ended_on"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return _render(request, "workforce/worker_detail.html", {
            "worker": worker, "attendance": selectors.attendance_of_worker(worker), "end_form": form,
            "in_post": worker.is_in_post(timezone.localdate())}, invalid=True)
    messages.success(request, f"{worker.name}已办理离任。")
    return redirect("workforce:worker", pk=worker.pk)


@login_required
def summary(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    today = timezone.localdate()
    return render(request, "workforce/summary.html", {
        "unit": unit, "ancestors": unit.ancestors(), "summary": selectors.summary(unit, today), "today": today,
        "counts": selectors.position_counts(unit, today),
    })


def _own_unit(request: HttpRequest) -> OrgUnit:
    if scope_prefix(request.user) is None:
        raise Http404("未找到")
    return request.user.unit  # type: ignore[union-attr,return-value]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    unit = _own_unit(request)
    page = Paginator(selectors.trainings(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "workforce/training_list.html", {"unit": unit, "page": page})


@login_required
def training_add(request: HttpRequest) -> HttpResponse:
    unit = _own_unit(request)
    form = TrainingForm(request.POST or None, units=[(unit.code, unit.name)])
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("unit")
            try:
                training = services.record_training(actor=request.user, unit=unit, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "培训已登记，请继续登记参训人员。")
                return redirect("workforce:training", pk=training.pk)
        return _render(request, "workforce/training_form.html", {"form": form}, invalid=True)
    return render(request, "workforce/training_form.html", {"form": form})


SHOWN_ATTENDANCE = 200


def _training_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    training = selectors.training_for_user(request.user, pk)
    code = request.GET.get("unit") or request.POST.get("unit") or request.user.unit_id  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    candidates: list[CommunityWorker] = []
    chosen = None
    try:
        chosen = unit_for_user(request.user, str(code))
    except Http404:
        chosen = None
    if chosen is not None and chosen.level == OrgUnit.Level.VILLAGE:
        candidates = list(selectors.workers(request.user, chosen, status="all", day=training.ends_on)
                          .filter(in_post_during(training.starts_on, training.ends_on)).order_by("position", "name"))
    attendance = selectors.attendance_of(request.user, training)
    shown = list(attendance[:SHOWN_ATTENDANCE])
    done = {a.worker_id: a for a in attendance.filter(worker__in=[w.pk for w in candidates])}
    return {"training": training, "attendance": shown, "attendance_count": attendance.count(), "chosen": chosen,
            "candidates": [(w, done.get(w.pk)) for w in candidates]}


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "workforce/training_detail.html", _training_context(request, pk))


@login_required
@require_POST
def record_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    context = _training_context(request, pk)
    training = context["training"]
    form = AttendanceForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请选择参训人员。")
        worker = selectors.worker_for_user(request.user, form.cleaned_data["worker"])
        services.record_attendance(actor=request.user, training=training, worker=worker,
                                   completed=form.cleaned_data["completed"], hours=form.cleaned_data["hours"])
    except (ValidationError, Http404) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else "未找到该人员。")
        return _render(request, "workforce/training_detail.html", context, invalid=True)
    messages.success(request, f"已登记：{worker.name}{'（已结业）' if form.cleaned_data['completed'] else '（未结业）'}。")
    unit = context["chosen"].code if context["chosen"] else ""
    return redirect(f"{request.path.removesuffix('attendance/')}?unit={unit}")


# ---------------------------------------------------------------- Excel import and export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_REPORT_ROWS = 20_000


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    if scope_prefix(request.user) is None:
        raise Http404("未找到")
    stream = BytesIO()
    importers.write_import_template(stream)
    return _xlsx(stream.getvalue(), "社区工作者导入模板.xlsx")


@login_required
def worker_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a filled template: rows anywhere in this unit's subtree (and the user's scope); all or nothing."""
    unit = unit_for_user(request.user, code)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = importers.import_workers(form.cleaned_data["file"], actor=request.user, unit=unit,
                                          dry_run=form.cleaned_data["dry_run"])
        if result.ok and not result.dry_run:
            messages.success(request, f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。")
            return redirect("workforce:workers", code=unit.code)
    report = ""
    if result is not None and not result.ok:
        report = json.dumps([[e.line, e.column, e.value, e.reason] for e in result.errors[:MAX_REPORT_ROWS]],
                            ensure_ascii=False)
    context = {"unit": unit, "ancestors": unit.ancestors(), "form": form, "result": result, "report": report,
               "columns": importers.COLUMNS}
    invalid = request.method == "POST" and (result is None or not result.ok)
    return _render(request, "workforce/import.html", context, invalid=invalid)


@login_required
@require_POST
def import_report(request: HttpRequest) -> HttpResponse:
    """The error report of the import just shown, as .xlsx: built from the rows posted back, nothing stored."""
    if scope_prefix(request.user) is None:
        raise Http404("未找到")
    try:
        rows = json.loads(request.POST.get("errors", "[]"))
        errors = [RowError(int(line), str(reason), str(column), str(value))
                  for line, column, value, reason in rows[:MAX_REPORT_ROWS]]
    except (ValueError, TypeError):
        return HttpResponse("错误报告数据无效，请重新上传文件。", status=400, content_type="text/plain; charset=utf-8")
    stream = BytesIO()
    write_error_report(stream, errors)
    return _xlsx(stream.getvalue(), "社区工作者导入错误报告.xlsx")


@login_required
def worker_export(request: HttpRequest, code: str) -> HttpResponse:
    """The list as filtered on the page (position, in-post status), phones masked, in the template's columns."""
    unit = unit_for_user(request.user, code)
    position = request.GET.get("position", "")
    status = request.GET.get("status", "in_post")
    rows = selectors.workers(request.user, unit, position=position, status=status, day=timezone.localdate())
    stream = BytesIO()
    count = importers.export(stream, rows.order_by("unit_id", "position", "name", "pk").iterator(chunk_size=2000))
    audit.record(actor=request.user, action="workforce.export_workers", unit_code=unit.code,  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
                 detail={"rows": count, "position": position, "status": status})
    return _xlsx(stream.getvalue(), f"{unit.name}社区工作者.xlsx")

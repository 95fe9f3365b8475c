"""Pages of the duties module: the list and admission, tasks, certificates, the catalogue, proxy cases, assessment."""

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.roles import Role
from accounts.scoping import get_visible_or_404, scope_prefix
from duties import province, selectors, services
from duties.forms import AdmissionForm, AssessmentForm, CertificateForm, ProxyForm, PublishForm, ReviewForm, TaskForm
from duties.models import (
    AdmissionRequest,
    CertificateItem,
    DutyTask,
    ListVersion,
    Mode,
    ProxyCase,
    ProxyMaterial,
    ServiceItem,
    is_reviewer,
)
from people.masking import mask_name
from shequ.files import stored_file_response
from shequ.xlsx import write_table
from web.formerrors import add_service_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



def _flash(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _page(request: HttpRequest, rows: Any, size: int = 50) -> Any:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _is_department(user: Any) -> bool:
    return bool(user.role == Role.DEPARTMENT_STAFF and user.department_id)


def _staff_or_department(request: HttpRequest) -> None:
    if not (selectors.is_staff(request.user) or _is_department(request.user) or is_reviewer(request.user)):
        raise Http404("未找到")


def _xlsx(user: Any, headers: list[str], rows: list[list[Any]], title: str, filename: str) -> FileResponse:
    stream = io.BytesIO()
    write_table(stream, headers, rows, title=title, watermark=f"{user.username} {timezone.localtime():%Y-%m-%d %H:%M}")
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)


def _pdf(html: str, filename: str) -> HttpResponse:
    from weasyprint import HTML

    response = HttpResponse(bytes(HTML(string=html).write_pdf() or b""), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# ---------------------------------------------------------------- the list (public)

def work_list(request: HttpRequest) -> HttpResponse:
    """社区工作事项清单: the version in force, or any earlier one (?version=N); published for everyone."""
    number = request.GET.get("version", "")
    version = ListVersion.objects.filter(number=int(number)).first() if number.isdigit() and len(number) < 6 \
        else services.current_version()
    return render(request, "duties/work_list.html", {
        "version": version, "items": selectors.items_of(version), "versions": selectors.versions(),
        "current": services.current_version(), "reviewer": is_reviewer(request.user)})


@login_required
def publish(request: HttpRequest) -> HttpResponse:
    if not is_reviewer(request.user):
        raise Http404("未找到")
    current = services.current_version()
    initial = {"items": "\n".join("|".join([i.code, i.name, i.get_kind_display(), i.department.name if i.department
                                            else "", i.funding, i.conditions, i.basis])
                                  for i in selectors.items_of(current))}
    form = PublishForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.publish_version(actor=request.user, effective_on=form.cleaned_data["effective_on"],
                                               reason=form.cleaned_data["reason"], items=form.cleaned_data["items"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已发布社区工作事项清单{version}。")
            return redirect(f"{reverse('duties:list')}?version={version.number}")
    return render(request, "duties/form.html", {"form": form, "title": "发布新版社区工作事项清单"},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- tasks

@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """Tasks pushed to communities: a community sees its own; a department those it sent; the chain its subtree."""
    _staff_or_department(request)
    rows = selectors.tasks(request.user)
    if request.GET.get("objection") == "raised":
        rows = rows.filter(objection="raised")
    return render(request, "duties/task_list.html", {
        "page": _page(request, rows), "department": _is_department(request.user),
        "reviewer": is_reviewer(request.user)})


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    if not _is_department(request.user):
        raise Http404("未找到")
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("admission"):
            data["admission"] = AdmissionRequest.objects.visible_to(request.user).filter(pk=data["admission"]).first()
            if data["admission"] is None:
                form.add_error("admission", "没有该编号的本部门准入申请。")
        else:
            data["admission"] = None
        if form.is_valid():
            try:
                tasks = services.send_task(actor=request.user, data=data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已向 {len(tasks)} 个村（社区）下派任务「{data['title']}」。")
                return redirect("duties:tasks")
    return render(request, "duties/form.html", {
        "form": form, "title": "向社区下派任务",
        "lead": "任务必须引用社区工作事项清单中的事项；负面清单事项、未写明经费的协助事项、清单外的事项不能下派，"
                "清单外的任务请先提交准入申请。"}, status=400 if request.method == "POST" else 200)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_or_department(request)
    task = get_visible_or_404(selectors.tasks(request.user), pk=pk)
    return render(request, "duties/task_detail.html", {
        "t": task, "may_object": _role(request) == Role.COMMUNITY_WORKER and not task.objection,
        "may_answer": is_reviewer(request.user) and task.objection == "raised"})


@login_required
@require_POST
def task_object(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(selectors.tasks(request.user), pk=pk)
    try:
        services.object_to_task(actor=request.user, task=task, text=request.POST.get("text", ""))
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已提出异议，等待市民政局答复。")
    return redirect("duties:task", pk=task.pk)


@login_required
@require_POST
def task_answer(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_reviewer(request.user):
        raise Http404("未找到")
    task = DutyTask.objects.filter(pk=pk).first()
    if task is None:
        raise Http404("未找到")
    try:
        services.answer_objection(actor=request.user, task=task, upheld=request.POST.get("upheld") == "1",
                                  answer=request.POST.get("answer", ""))
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已答复异议。")
    return redirect("duties:tasks")


# ---------------------------------------------------------------- admission requests

@login_required
def admission_list(request: HttpRequest) -> HttpResponse:
    if not (_is_department(request.user) or is_reviewer(request.user)):
        raise Http404("未找到")
    form = AdmissionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                req = services.file_admission(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已提交准入申请「{req.title}」（编号 {req.pk}）。")
                return redirect("duties:admissions")
    return render(request, "duties/admission_list.html", {
        "page": _page(request, selectors.admissions(request.user)), "form": form,
        "department": _is_department(request.user)}, status=400 if request.method == "POST" else 200)


@login_required
def admission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_visible_or_404(selectors.admissions(request.user), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not is_reviewer(request.user):
            raise Http404("未找到")
        if form.is_valid():
            try:
                services.review_admission(actor=request.user, request=req,
                                          approve=form.cleaned_data["decision"] == "approve",
                                          conditions=form.cleaned_data["conditions"], reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已审核准入申请。")
                return redirect("duties:admission", pk=req.pk)
    return render(request, "duties/admission_detail.html", {
        "r": req, "form": form, "may_review": is_reviewer(request.user) and req.status == "pending"},
        status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- 减负 report

@login_required
def report(request: HttpRequest) -> HttpResponseBase:
    """Figures per department for the user's view; the yearly 减负 report as .xlsx or PDF."""
    _staff_or_department(request)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2020 <= int(raw) <= 2100 else timezone.localdate().year
    rows = selectors.task_figures(request.user, year)
    certs = selectors.certificate_figures(request.user)
    proxy = selectors.proxy_figures(request.user)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        user: Any = request.user
        audit.record(actor=user, action="duties.report", detail={"year": year, "format": fmt})
    if fmt == "xlsx":
        table = [[r["department__name"], r["sent"], r["refused"], r["objected"], r["withdrawn"], r["hours"] or 0]
                 for r in rows]
        return _xlsx(request.user, ["部门", "下派任务数", "被拒绝次数", "社区异议数", "撤回数", "要求社区工时（小时）"],
                     table, f"{year}年社区减负报告", f"duties-report-{year}.xlsx")
    context = {"rows": rows, "year": year, "certs": certs, "proxy": proxy}
    if fmt == "pdf":
        return _pdf(render_to_string("duties/report_pdf.html", context), f"duties-report-{year}.pdf")
    return render(request, "duties/report.html", context)


# ---------------------------------------------------------------- certificates

def certificate_items(request: HttpRequest) -> HttpResponse:
    """印章使用范围清单 and the certificates abolished: published for everyone."""
    rows = CertificateItem.objects.filter(active=True)
    return render(request, "duties/certificate_items.html", {
        "allowed": rows.filter(kind="allowed"), "abolished": rows.filter(kind="abolished")})


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    """Staff: the requests of their subtree (?log=1: the seal log of issued ones); a resident: their own."""
    rows = selectors.certificates(request.user)
    log = request.GET.get("log") == "1"
    if log:
        rows = rows.filter(status="issued").order_by("-handled_at")
    return render(request, "duties/certificate_list.html", {
        "page": _page(request, rows), "log": log, "staff": selectors.is_staff(request.user)})


@login_required
def certificate_new(request: HttpRequest) -> HttpResponse:
    if _role(request) != Role.RESIDENT:
        raise Http404("未找到")
    form = CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.request_certificate(actor=request.user, item=form.cleaned_data["item"],
                                               purpose=form.cleaned_data["purpose"],
                                               asking_department=form.cleaned_data["asking_department"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if req.status == "abolished":
                messages.info(request, f"「{req.item.name}」已取消，社区不再出具，请将下方清理告知出示给要求的部门。")
            else:
                messages.success(request, "已提交证明申请，社区核对后出具或答复。")
            return redirect("duties:certificate", pk=req.pk)
    return render(request, "duties/form.html", {
        "form": form, "title": "申请开具证明", "lead": "已取消的证明事项会立即告知您清理依据和部门应采用的替代方式。",
        "link": (reverse("duties:certificate-items"), "查看可出具和已取消的证明事项")},
        status=400 if request.method == "POST" else 200)


@login_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_visible_or_404(selectors.certificates(request.user).select_related("resident"), pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "issue":
                services.issue_certificate(actor=request.user, req=req, content=request.POST.get("content", ""))
                messages.success(request, "已出具证明，已记入用章登记。")
            else:
                services.refuse_certificate(actor=request.user, req=req, reason=request.POST.get("reason", ""))
                messages.success(request, "已答复不予出具。")
        except ValidationError as exc:
            _flash(request, exc)
        return redirect("duties:certificate", pk=req.pk)
    return render(request, "duties/certificate_detail.html", {
        "r": req, "staff": selectors.is_staff(request.user), "masked": mask_name(req.name)})


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_visible_or_404(selectors.certificates(request.user).filter(status="issued"), pk=pk)
    code = services.certificate_code(req)
    link = request.build_absolute_uri(reverse("verify-duties-certificate", args=[code]))
    html = render_to_string("duties/certificate_pdf.html", {
        "r": req, "code": code, "link": link, "qr": segno.make(link, error="m").svg_inline(scale=3)})
    return _pdf(html, f"certificate-{req.token}.pdf")


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public /c/<code>/: confirms an issued certificate (masked name, item, issuer, date) or says it is not genuine."""
    req, problem = services.verify_certificate(code[:40])
    return render(request, "duties/verify.html", {
        "r": req, "problem": problem, "masked": mask_name(req.name) if req else ""}, status=200 if req else 404)


# ---------------------------------------------------------------- catalogue (public) and proxy cases

def catalogue(request: HttpRequest) -> HttpResponse:
    """社区公共服务目录: browse or search; the requests desk's categories are its own catalogue (linked)."""
    query = request.GET.get("q", "").strip()[:50]
    return render(request, "duties/catalogue.html", {"page": _page(request, selectors.catalogue(query)), "q": query})


def catalogue_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(ServiceItem.objects.filter(active=True).select_related("department"), pk=pk)
    return render(request, "duties/catalogue_item.html", {
        "item": item, "online": province.item_url(item.province_code),
        "may_proxy": item.mode == Mode.PROXY and request.user.is_authenticated
        and _role(request) in (Role.RESIDENT, Role.COMMUNITY_WORKER)})


@login_required
def proxy_new(request: HttpRequest, pk: int) -> HttpResponse:
    if _role(request) not in (Role.RESIDENT, Role.COMMUNITY_WORKER):
        raise Http404("未找到")
    item = get_visible_or_404(ServiceItem.objects.filter(active=True, mode=Mode.PROXY), pk=pk)
    form = ProxyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        files = {str(m["name"]): request.FILES.get(f"m{n}") for n, m in enumerate(item.materials)}
        try:
            case = services.start_proxy(actor=request.user, item=item, data=form.cleaned_data,
                                        files={k: v for k, v in files.items() if v})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已提交代办申请「{item.name}」，社区核验材料后转部门办理。")
            return redirect("duties:proxy", pk=case.pk)
    return render(request, "duties/proxy_new.html", {
        "form": form, "item": item, "materials": list(enumerate(item.materials))},
        status=400 if request.method == "POST" else 200)


@login_required
def proxy_list(request: HttpRequest) -> HttpResponse:
    _staff_or_department(request)
    rows = selectors.proxy_cases(request.user)
    if request.GET.get("overdue") == "1":
        rows = rows.filter(escalated_at__isnull=False, status="sent")
    return render(request, "duties/proxy_list.html", {"page": _page(request, rows)})


@login_required
def proxy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_visible_or_404(selectors.proxy_cases(request.user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        note = request.POST.get("note", "")
        try:
            if action in ("verify", "return"):
                services.verify_materials(actor=request.user, case=case, ok=action == "verify", note=note)
            elif action == "send":
                services.send_to_department(actor=request.user, case=case)
            elif action == "answer":
                services.department_answer(actor=request.user, case=case, answer=note)
            elif action == "complete":
                services.complete_proxy(actor=request.user, case=case, note=note)
            else:
                raise ValidationError("未知操作。")
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, "已办理。")
        return redirect("duties:proxy", pk=case.pk)
    user: Any = request.user
    return render(request, "duties/proxy_detail.html", {
        "c": case, "steps": case.steps.select_related("actor"), "uploads": case.uploads.all(),
        "worker": scope_prefix(user) is not None,
        "department": _is_department(user) and user.department_id == case.department_id,
        "overdue": case.status == "sent" and case.due_at and case.due_at < timezone.now()})


@login_required
def proxy_material(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_visible_or_404(ProxyMaterial.objects.filter(case__in=ProxyCase.objects.visible_to(request.user)), pk=pk)
    return stored_file_response(item.file, content_type=item.content_type)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """一站通办: the resident's requests, certificates, proxy cases and bookings in one list."""
    return render(request, "duties/mine.html", {"rows": selectors.matters(request.user)})


# ---------------------------------------------------------------- 统一综合考核评比

@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    if not selectors.is_staff(request.user) and not _is_department(request.user):
        raise Http404("未找到")
    form = AssessmentForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if form.is_valid():
            try:
                a = services.create_assessment(actor=request.user, unit_code=form.cleaned_data["unit_code"],
                                               year=form.cleaned_data["year"], indicators=form.cleaned_data["indicators"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已建立{a.unit.name}{a.year}年度综合考核。")
                return redirect("duties:assessment", pk=a.pk)
    return render(request, "duties/assessment_list.html", {
        "rows": selectors.assessments(request.user), "form": form,
        "may_create": _role(request) in (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF),
        "sources": sorted(services.computed_sources())}, status=400 if request.method == "POST" else 200)


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    a = get_visible_or_404(selectors.assessments(request.user), pk=pk)
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "compute":
                n = services.compute_assessment(actor=request.user, assessment=a)
                messages.success(request, f"已计算 {n} 项系统指标值。")
            elif action == "object":
                services.object_to_assessment(actor=request.user, assessment=a, text=request.POST.get("text", ""))
                messages.success(request, "已提出书面异议，等待答复。")
            elif action == "answer":
                objection = get_visible_or_404(a.objections.all(), pk=request.POST.get("objection", ""))
                services.answer_assessment_objection(actor=request.user, objection=objection,
                                                     answer=request.POST.get("answer", ""))
                messages.success(request, "已答复异议。")
            else:
                services.score(actor=request.user, assessment=a, unit_code=request.POST.get("unit_code", ""),
                               indicator=request.POST.get("indicator", ""), value=request.POST.get("value", ""),
                               evidence=request.POST.get("evidence", ""))
                messages.success(request, "已记录评分。")
        except ValidationError as exc:
            _flash(request, exc)
        return redirect("duties:assessment", pk=a.pk)
    rows = selectors.results(a, request.user)
    names = [i["name"] for i in a.indicators]
    objections = a.objections.select_related("unit")
    if _role(request) == Role.COMMUNITY_WORKER:
        objections = objections.filter(unit_id=getattr(request.user, "unit_id", ""))
    context = {"a": a, "rows": rows, "names": names, "objections": objections,
               "may_score": _role(request) in (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF),
               "may_object": _role(request) == Role.COMMUNITY_WORKER and not objections.exists(),
               "scored": [i["name"] for i in a.indicators if i["source"] == "scored"]}
    if request.GET.get("format") == "pdf":
        return _pdf(render_to_string("duties/assessment_pdf.html", context), f"assessment-{a.unit_id}-{a.year}.pdf")
    if request.GET.get("format") == "xlsx":
        table = [[r["rank"], r["unit"].code, r["unit"].name, float(r["total"]),
                  *[float(r["values"][n].value) if n in r["values"] else None for n in names]] for r in rows]
        return _xlsx(request.user, ["排名", "单位代码", "村（社区）", "综合得分", *names], table,
                     f"{a.unit.name}{a.year}综合考核", f"assessment-{a.unit_id}-{a.year}.xlsx")
    return render(request, "duties/assessment_detail.html", context)

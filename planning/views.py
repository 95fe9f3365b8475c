"""Plan monitoring pages: dashboards by unit, indicator drill-down, ledger, progress reports, evaluation report."""

from io import BytesIO
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import Role
from places.models import OrgUnit
from planning import engine, periods, selectors, services
from planning.models import Evidence, Indicator, ManualValue, PlanTask, ProgressReport, ReportPeriod, is_monitoring_lead
from shequ.files import stored_file_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: HttpRequest, default_kind: str = "year") -> periods.Period:
    raw = request.GET.get("period", "")
    if raw:
        try:
            return periods.parse(raw)
        except ValidationError:
            messages.error(request, f"期间格式不正确：{raw}")
    return periods.current(default_kind)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2021 <= int(raw) <= 2035 else periods.today().year


@login_required
def home(request: HttpRequest) -> HttpResponse:
    code = selectors.home_unit(request.user)
    if code is not None and getattr(request.user, "role", "") in (Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.COMMUNITY_WORKER):
        return redirect("planning:dashboard", code=code)
    return redirect("planning:ledger")


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    can_configure = getattr(request.user, "role", "") == Role.CITY_STAFF or is_monitoring_lead(request.user)
    return render(request, "planning/task_list.html", {"tasks": selectors.tasks(), "can_configure": can_configure,
                                                        "report_periods": ReportPeriod.choices})


@login_required
@require_POST
def set_report_period(request: HttpRequest, number: int) -> HttpResponse:
    task = get_object_or_404(PlanTask, number=number)
    try:
        services.set_report_period(task=task, report_period=request.POST.get("report_period", ""), actor=request.user)  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"任务{task.number}的报送周期已改为{task.get_report_period_display()}。")
    return redirect("planning:tasks")


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_for_values(request.user, code)
    period = _period(request)
    children = list(unit.children.order_by("code"))
    table = engine.values([unit.code] + [c.code for c in children], period)
    own = table[unit.code]
    child_rows: list[dict[str, Any]] = []
    for child in children:
        counts = {s: 0 for s in engine.STATUS_LABELS}
        for value in table[child.code]:
            counts[value.status] += 1
        child_rows.append({"unit": child, "counts": counts})
    child_rows.sort(key=lambda r: (-r["counts"][engine.ACHIEVED], r["counts"][engine.AT_RISK], r["unit"].code))
    summary = {s: sum(v.status == s for v in own) for s in engine.STATUS_LABELS}
    return render(request, "planning/dashboard.html", {
        "unit": unit, "ancestors": [a for a in unit.ancestors() if selectors.can_see(request.user, a.code)],
        "period": period, "values": own, "children": child_rows, "summary": summary,
        "late": selectors.late_units(unit.prefix, period.year) if unit.level in ("city", "county") else [],
        "corrections": engine.corrections(unit.code, period),
        "can_enter": services.can_enter_any(request.user, unit.code),
        "years": list(range(2021, periods.today().year + 1)),
    })


@login_required
def indicator_detail(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    unit = selectors.unit_for_values(request.user, code)
    ind = get_object_or_404(Indicator, code=indicator)
    period = _period(request, ind.period_type)
    children = list(unit.children.order_by("code"))
    table = engine.values([unit.code] + [c.code for c in children], period, indicators=[ind])
    ranked: list[dict[str, Any]] = sorted(
        ({"unit": c, "value": table[c.code][0]} for c in children),
        key=lambda r: (r["value"].value is None, -(r["value"].value or 0) if ind.direction != "at_most" else (r["value"].value or 0)),
    )
    gaps = [r for r in ranked if r["value"].value is None]
    series_periods = period.as_type(ind.period_type).series(12 if ind.period_type == "month" else 5)
    trend = []
    for p in series_periods:
        value = engine.values([unit.code], p, indicators=[ind])[unit.code][0]
        trend.append({"period": p.label, "value": value.value, "expected": engine.expected_value(ind, p.end)})
    history = ManualValue.objects.filter(indicator=ind, unit=unit).select_related("entered_by")[:20]
    return render(request, "planning/indicator_detail.html", {
        "unit": unit, "indicator": ind, "period": period, "value": table[unit.code][0], "ranked": ranked, "gaps": gaps,
        "trend": trend, "history": history,
        "ancestors": [a for a in unit.ancestors() if selectors.can_see(request.user, a.code)],
    })


class ManualValueForm(forms.Form):
    indicator = forms.ModelChoiceField(queryset=Indicator.objects.all(), label="指标", to_field_name="code")
    period = forms.CharField(label="期间（如 2025 或 2025-07）", max_length=10)
    numerator = forms.FloatField(label="分子", min_value=0)
    denominator = forms.FloatField(label="分母", min_value=0)
    source = forms.CharField(label="数据来源", max_length=200)
    source_date = forms.DateField(label="数据日期", widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def manual_value(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, code=code) if services.can_enter_any(request.user, code) else None
    if unit is None:
        raise Http404("未找到")
    form = ManualValueForm(request.POST or None, initial={"period": periods.today().year, "source_date": periods.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enter_manual_value(indicator=data["indicator"], unit_code=unit.code, period=data["period"],
                                        numerator=data["numerator"], denominator=data["denominator"],
                                        source=data["source"], source_date=data["source_date"], actor=request.user)  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已填报。")
            return redirect("planning:manual", code=unit.code)
    recent = ManualValue.objects.filter(unit=unit).select_related("indicator", "entered_by")[:30]
    computed = set(engine.providers.discover())
    return render(request, "planning/manual_value.html", {"unit": unit, "form": form, "recent": recent, "computed": computed})


# ---------------------------------------------------------------- ledger


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows = selectors.ledger_rows(request.user, year)
    only = request.GET.get("state", "")
    if only == "overdue":
        rows = [r for r in rows if r["overdue"]]
    page = Paginator(rows, 60).get_page(request.GET.get("page"))
    return render(request, "planning/ledger.html", {
        "year": year, "page": page, "rows": page.object_list, "only": only,
        "years": list(range(2021, periods.today().year + 2)), "reviewer": is_monitoring_lead(request.user),
        "total": len(rows), "overdue": sum(1 for r in rows if r["overdue"]),
    })


LEDGER_HEADERS = ["主题", "任务", "序号", "具体工作内容", "牵头单位", "责任单位", "工作目标", "承担单位", "承担角色"]


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    from accounts import audit
    from shequ.xlsx import write_table

    year = _year(request)
    rows = selectors.ledger_rows(request.user, year)
    labels = sorted({c.period for r in rows for c in r["cells"]})
    headers = LEDGER_HEADERS + [f"{p} 进度/状态" for p in labels]

    def lines() -> Any:
        for r in rows:
            task, a = r["task"], r["assignment"]
            cells = {c.period: c for c in r["cells"]}
            yield [task.theme, task.heading, task.number, task.content, "、".join(task.lead_names),
                   "、".join(task.responsible_names), task.target_text, a.assignee_name, a.get_role_display()] + [
                (f"{cells[p].percent}%·{cells[p].label}" if cells[p].percent is not None else cells[p].label) if p in cells else ""
                for p in labels]

    stream = BytesIO()
    write_table(stream, headers, lines(), title=f"{year}年工作台账", watermark=f"{request.user.get_username()} {periods.today()}")
    audit.record(actor=request.user, action="planning.export_ledger", detail={"year": year, "rows": len(rows)})  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ledger-{year}.xlsx"'
    return response


class ReportForm(forms.Form):
    period = forms.ChoiceField(label="报送期")
    narrative = forms.CharField(label="工作进展", widget=forms.Textarea(attrs={"rows": 5}))
    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    milestones = forms.CharField(label="已完成节点（每行一项）", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label="佐证材料", required=False)

    def __init__(self, *args: Any, period_choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p, p) for p in period_choices]  # type: ignore[attr-defined]  # the stubs' Field has no choices/queryset; this field is a (Model)ChoiceField


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_for_user(request.user, pk)
    cells = selectors.period_cells(assignment)
    reports = {r.period: r for r in assignment.reports.prefetch_related("evidence").select_related("author", "reviewer")}
    can_report = services.can_report(request.user, assignment)
    open_periods = [c.period for c in cells if c.period not in reports or reports[c.period].state in ("draft", "returned")]
    form = ReportForm(period_choices=open_periods, initial={"period": next(iter(open_periods), "")}) if can_report and open_periods else None
    # Evidence of reports still being edited, which the form can remove (replace).
    editable = [e for p in open_periods if p in reports for e in reports[p].evidence.all()] if form else []
    return render(request, "planning/assignment_detail.html", {
        "assignment": assignment, "task": assignment.task, "cells": cells, "reports": reports, "form": form, "editable": editable,
        "rows": [(c, reports.get(c.period)) for c in cells],
    })


@login_required
@require_POST
def submit_report(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_for_user(request.user, pk)
    cells = selectors.period_cells(assignment)
    form = ReportForm(request.POST, request.FILES, period_choices=[c.period for c in cells])
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
        return redirect("planning:assignment", pk=pk)
    data = form.cleaned_data
    try:
        services.save_report(assignment=assignment, period=data["period"], narrative=data["narrative"],
                             percent=data["percent"], milestones=data["milestones"], submit="draft" not in request.POST,
                             actor=request.user, files=request.FILES.getlist("evidence"),  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
                             remove_evidence=[int(v) for v in request.POST.getlist("remove_evidence") if v.isdigit()])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已保存草稿。" if "draft" in request.POST else "已报送，等待审核。")
    return redirect("planning:assignment", pk=pk)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_user(request.user, pk)
    return render(request, "planning/report_detail.html", {
        "report": report, "assignment": report.assignment, "task": report.assignment.task,
        "evidence": report.evidence.all(),
        "can_review": is_monitoring_lead(request.user) and report.state == ProgressReport.State.SUBMITTED,
    })


@login_required
@require_POST
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_user(request.user, pk)
    try:
        services.review_report(report=report, accept=request.POST.get("decision") == "accept",
                               comment=request.POST.get("comment", ""), actor=request.user)  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("planning:report", pk=pk)
    messages.success(request, "审核完成。")
    return redirect("planning:reviews")


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    if not is_monitoring_lead(request.user):
        raise Http404("未找到")
    return render(request, "planning/reviews.html", {"reports": selectors.review_queue(request.user)[:200]})


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(Evidence.objects.select_related("report"), pk=pk)
    selectors.report_for_user(request.user, item.report_id)
    return stored_file_response(item.file, as_attachment=True, filename=item.name)


# ---------------------------------------------------------------- evaluation report


@login_required
def evaluation_pdf(request: HttpRequest, code: str) -> HttpResponse:
    from planning import evaluation

    unit = selectors.unit_for_values(request.user, code)
    year = _year(request)
    pdf = evaluation.render_pdf(unit, year, user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="evaluation-{unit.code}-{year}.pdf"'
    return response


@login_required
def evaluation_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    from planning import evaluation

    unit = selectors.unit_for_values(request.user, code)
    year = _year(request)
    response = HttpResponse(evaluation.render_xlsx(unit, year, user=request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="evaluation-{unit.code}-{year}.xlsx"'
    return response

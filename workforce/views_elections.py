"""Pages of 换届选举 / 资格联审, 书记备案, 后备人才库, the training monitor and the social-work exam."""

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit
from places.models import OrgUnit
from places.selectors import unit_for_user
from shequ.xlsx import write_table
from workforce import selectors
from workforce import selectors_elections as sel
from workforce import services_elections as svc
from workforce.forms import AnswerForm, CandidateForm, ElectionForm, EndForm, ExamForm, FilingForm, ReserveForm
from workforce.models import BODY_POSITIONS, Answer, Position, ReserveOutcome, ReviewDepartment
from workforce.views import _render, _xlsx

MATRIX_ROWS = 300


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


# ---------------------------------------------------------------- election rounds

@login_required
def election_list(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    form = ElectionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                election = svc.create_election(actor=request.user, unit=unit, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已登记：{election}。请登记候选人。")
                return redirect("workforce:election", pk=election.pk)
    page = Paginator(sel.elections(request.user, unit), 50).get_page(request.GET.get("page"))
    context = {"unit": unit, "ancestors": unit.ancestors(), "page": page, "form": form}
    return _render(request, "workforce/election_list.html", context, invalid=request.method == "POST")


def _election_context(request: HttpRequest, pk: int, **extra: Any) -> dict[str, Any]:
    election = sel.election_for_user(request.user, pk)
    data = sel.matrix(request.user, election.unit, election=election)
    return {"election": election, "unit": election.unit, "ancestors": election.unit.ancestors(), "matrix": data,
            "candidate_form": extra.get("candidate_form") or CandidateForm(),
            "positions": [(p, Position(p).label) for p in BODY_POSITIONS[election.body]],
            "review_departments": list(ReviewDepartment.objects.filter(active=True).select_related("department")),
            **extra}


@login_required
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "workforce/election_detail.html", _election_context(request, pk))


@login_required
@require_POST
def candidate_add(request: HttpRequest, pk: int) -> HttpResponse:
    election = sel.election_for_user(request.user, pk)
    form = CandidateForm(request.POST)
    if form.is_valid():
        try:
            candidate = svc.add_candidate(actor=request.user, election=election, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已登记候选人：{candidate.name}。")
            return redirect("workforce:election", pk=election.pk)
    return _render(request, "workforce/election_detail.html", _election_context(request, pk, candidate_form=form),
                   invalid=True)


@login_required
@require_POST
def election_send(request: HttpRequest, pk: int) -> HttpResponse:
    election = sel.election_for_user(request.user, pk)
    try:
        count = svc.send_for_review(actor=request.user, election=election)
    except ValidationError as exc:
        _error(request, exc)
        return _render(request, "workforce/election_detail.html", _election_context(request, pk), invalid=True)
    messages.success(request, f"已送联审部门：{count} 项。")
    return redirect("workforce:election", pk=election.pk)


@login_required
@require_POST
def candidate_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = sel.candidate_for_user(request.user, pk)
    try:
        svc.confirm_eligible(actor=request.user, candidate=candidate)
    except ValidationError as exc:
        _error(request, exc)
        return _render(request, "workforce/election_detail.html", _election_context(request, candidate.election_id),
                       invalid=True)
    messages.success(request, f"已确认{candidate.name}资格联审合格。")
    return redirect("workforce:election", pk=candidate.election_id)


@login_required
@require_POST
def election_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Posted rows: elected=<candidate id> (repeatable), position_<id>, votes_<id>."""
    election = sel.election_for_user(request.user, pk)
    try:
        if request.POST.get("confirm") != "1":
            raise ValidationError("请确认登记选举结果（登记后上一届同一组织的职务将终止）。")
        results = []
        for raw in request.POST.getlist("elected"):
            if not raw.isdigit() or len(raw) > 12:
                raise ValidationError("当选人编号无效。")
            votes = request.POST.get(f"votes_{raw}", "").strip()
            if not votes.isdigit() or len(votes) > 7:
                raise ValidationError("得票数应为非负整数。")
            results.append(svc.Result(int(raw), request.POST.get(f"position_{raw}", ""), int(votes)))
        workers = svc.record_results(actor=request.user, election=election, results=results)
    except ValidationError as exc:
        _error(request, exc)
        return _render(request, "workforce/election_detail.html", _election_context(request, pk), invalid=True)
    messages.success(request, f"选举结果已登记：{len(workers)} 人自{election.term_starts_on:%Y-%m-%d}起任职。")
    return redirect("workforce:election", pk=election.pk)


# ---------------------------------------------------------------- the county matrix and its export

def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    today = timezone.localdate()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year + 5 else today.year


@login_required
def review_matrix(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    year = _year(request)
    data = sel.matrix(request.user, unit, year=year, limit=MATRIX_ROWS)
    return render(request, "workforce/review_matrix.html", {
        "unit": unit, "ancestors": unit.ancestors(), "year": year, "matrix": data,
        "status": sel.city_status_counts(unit.prefix), "shown_limit": MATRIX_ROWS})


def _cell(review: Any) -> str:
    if review is None:
        return "未送审"
    text = dict(Answer.choices)[review.answer]
    if review.answer == Answer.FAIL:
        text += f"：{review.reason}"
    if review.late:
        text += "（逾期答复）"
    elif review.escalated_at and review.answer == Answer.PENDING:
        text += "（逾期，已上报县级）"
    return text


@login_required
def review_matrix_export(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    year = _year(request)
    data = sel.matrix(request.user, unit, year=year)
    headers = ["村（社区）代码", "村（社区）", "选举类别", "候选人", "身份证号（脱敏）", "拟任职务",
               *[d.name for d in data["departments"]], "联审结论"]
    rows = ([r["candidate"].election.unit_id, r["candidate"].election.unit.name,
             r["candidate"].election.get_kind_display(), r["candidate"].name, r["candidate"].id_number_masked,
             r["candidate"].get_nominated_for_display(), *[_cell(c) for c in r["cells"]], r["status"]]
            for r in data["rows"])
    stream = BytesIO()
    count = write_table(stream, headers, rows, title="资格联审")
    audit.record(actor=request.user, action="workforce.export_review_matrix", unit_code=unit.code,  # type: ignore[arg-type]  # request.user is a User behind login_required
                 detail={"rows": count, "year": year})
    return _xlsx(stream.getvalue(), f"{unit.name}{year}年资格联审.xlsx")


# ---------------------------------------------------------------- a reviewing department's requests

@login_required
def review_inbox(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "department_id", None):
        raise Http404("未找到")
    pending = request.GET.get("all") != "1"
    page = Paginator(sel.department_reviews(request.user, pending_only=pending), 100).get_page(request.GET.get("page"))
    return render(request, "workforce/review_inbox.html", {"page": page, "pending": pending, "form": AnswerForm(),
                                                           "now": timezone.now()})


@login_required
@require_POST
def review_answer(request: HttpRequest, pk: int) -> HttpResponse:
    review = sel.review_for_department(request.user, pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请选择审查意见。")
        svc.answer_review(actor=request.user, review=review, **form.cleaned_data)
    except ValidationError as exc:
        _error(request, exc)
        page = Paginator(sel.department_reviews(request.user, pending_only=True), 100).get_page(1)
        return _render(request, "workforce/review_inbox.html", {"page": page, "pending": True, "form": form,
                                                                 "now": timezone.now()}, invalid=True)
    messages.success(request, f"已答复：{review.candidate.name}（{dict(Answer.choices)[form.cleaned_data['answer']]}）。")
    return redirect("workforce:reviews")


# ---------------------------------------------------------------- 书记备案

@login_required
def filing_list(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    rows = sel.secretaries(request.user, unit, timezone.localdate())
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    gaps = rows.filter(filing__isnull=True).count()
    return render(request, "workforce/filing_list.html", {"unit": unit, "ancestors": unit.ancestors(), "page": page,
                                                          "gaps": gaps, "form": FilingForm()})


@login_required
@require_POST
def filing_add(request: HttpRequest, pk: int) -> HttpResponse:
    worker = selectors.worker_for_user(request.user, pk)
    form = FilingForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写备案日期和批复文号。")
        svc.file_secretary(actor=request.user, worker=worker, **form.cleaned_data)
    except ValidationError as exc:
        _error(request, exc)
        unit = worker.unit
        rows = sel.secretaries(request.user, unit, timezone.localdate())
        return _render(request, "workforce/filing_list.html", {
            "unit": unit, "ancestors": unit.ancestors(), "page": Paginator(rows, 100).get_page(1),
            "gaps": rows.filter(filing__isnull=True).count(), "form": form}, invalid=True)
    messages.success(request, f"{worker.name}已备案。")
    return redirect("workforce:filings", code=worker.unit_id)


# ---------------------------------------------------------------- 后备人才库

@login_required
def reserve_list(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    form = ReserveForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                row = svc.add_reserve(actor=request.user, unit=unit, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已入库：{row.name}。")
                return redirect("workforce:reserve", code=unit.code)
    outcome = request.GET.get("outcome", "")
    page = Paginator(sel.reserve(request.user, unit, outcome=outcome), 50).get_page(request.GET.get("page"))
    context = {"unit": unit, "ancestors": unit.ancestors(), "page": page, "form": form, "outcome": outcome,
               "outcomes": ReserveOutcome.choices, "figures": sel.reserve_figures(unit, timezone.localdate().year),
               "can_add": unit.level in (OrgUnit.Level.VILLAGE, OrgUnit.Level.TOWNSHIP)}
    return _render(request, "workforce/reserve_list.html", context, invalid=request.method == "POST")


@login_required
@require_POST
def reserve_leave(request: HttpRequest, pk: int) -> HttpResponse:
    row = sel.reserve_for_user(request.user, pk)
    try:
        if request.POST.get("confirm") != "1":
            raise ValidationError("请确认出库。")
        svc.leave_reserve(actor=request.user, reserve=row, day=timezone.localdate())
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"{row.name}已出库。")
    return redirect("workforce:reserve", code=row.unit_id)


# ---------------------------------------------------------------- training monitor and the social-work exam

@login_required
def training_monitor(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    return render(request, "workforce/monitor.html", {
        "unit": unit, "ancestors": unit.ancestors(), "monitor": sel.monitor(request.user, unit, timezone.localdate())})


@login_required
@require_POST
def exam_add(request: HttpRequest, pk: int) -> HttpResponse:
    worker = selectors.worker_for_user(request.user, pk)
    form = ExamForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写考试年度和级别。")
        svc.record_exam(actor=request.user, worker=worker, **form.cleaned_data)
    except ValidationError as exc:
        _error(request, exc)
        return _render(request, "workforce/worker_detail.html", {
            "worker": worker, "attendance": selectors.attendance_of_worker(worker), "end_form": EndForm(),
            "exam_form": form, "exams": worker.exams.all(), "in_post": worker.is_in_post(timezone.localdate())},
            invalid=True)
    messages.success(request, f"已登记{worker.name}的社会工作者职业资格考试。")
    return redirect("workforce:worker", pk=worker.pk)

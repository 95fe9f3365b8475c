"""Pages of the social-forces module: organisations, 备案, incubation bases, social work, purchases and charity."""

import datetime as dt
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from accounts.scoping import can_see_unit, get_visible_or_404, scope_prefix
from places.models import OrgUnit
from socialorgs import forms as f
from socialorgs import importers, selectors, services
from socialorgs.models import Deliverable, Donation, Milestone, Organisation, OrgStatus, Purchase
from web.formerrors import add_service_errors


def _staff_only(request: HttpRequest) -> str:
    prefix = scope_prefix(request.user)
    if prefix is None:
        raise Http404("未找到")
    return prefix



def _page(request: HttpRequest, rows: Any, size: int = 50) -> Any:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _form_page(request: HttpRequest, form: Any, title: str, status: int = 200) -> HttpResponse:
    return render(request, "socialorgs/form.html", {"form": form, "title": title}, status=status)


# ---------------------------------------------------------------- organisations


def _can_see_org(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise Http404("未找到")


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    _can_see_org(request)
    query = request.GET.get("q", "").strip()[:50]
    status = request.GET.get("status", "")
    page = _page(request, selectors.organisations(request.user, query=query, status=status))
    return render(request, "socialorgs/org_list.html", {"page": page, "q": query, "status": status,
                                                          "statuses": OrgStatus.choices,
                                                          "staff": selectors.is_staff(request.user)})


@login_required
def org_add(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = f.OrganisationForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # staff have a unit (checked by _staff_only)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.register_organisation(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已{org.get_status_display()}社会组织 {org.name}。")
            return redirect("socialorgs:org", pk=org.pk)
    return _form_page(request, form, "登记或备案社会组织", 400 if request.method == "POST" else 200)


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organisation.objects.visible_to(request.user).select_related("unit"), pk=pk)
    staff = selectors.is_staff(request.user) and can_see_unit(request.user, org.unit_id)
    forms_: dict[str, Any] = {"staff_form": f.StaffForm(prefix="staff"), "report_form": f.ReportForm(prefix="report"),
                              "dissolve_form": f.DissolveForm(prefix="dissolve")}
    if request.method == "POST":
        if not staff:
            raise Http404("未找到")
        action = request.POST.get("action", "")
        form: Any
        try:
            if action == "staff":
                form = forms_["staff_form"] = f.StaffForm(request.POST, prefix="staff")
                if form.is_valid():
                    services.add_staff(actor=request.user, org=org, **form.cleaned_data)
                    messages.success(request, f"已添加工作人员 {form.cleaned_data['name']}。")
                    return redirect("socialorgs:org", pk=org.pk)
            elif action == "report":
                form = forms_["report_form"] = f.ReportForm(request.POST, prefix="report")
                if form.is_valid():
                    services.record_annual_report(actor=request.user, org=org, **form.cleaned_data)
                    messages.success(request, f"已登记 {form.cleaned_data['year']} 年度报告。")
                    return redirect("socialorgs:org", pk=org.pk)
            elif action == "dissolve" and request.POST.get("confirm") == "1":
                form = forms_["dissolve_form"] = f.DissolveForm(request.POST, prefix="dissolve")
                if form.is_valid():
                    services.dissolve(actor=request.user, org=org, on=form.cleaned_data["dissolved_on"])
                    messages.success(request, f"已注销 {org.name}。")
                    return redirect("socialorgs:org", pk=org.pk)
            else:
                messages.error(request, "请确认后再提交。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    roster = list(org.staff.all())
    return render(request, "socialorgs/org_detail.html", {
        "org": org, "staff": staff, "roster": roster, "reports": org.reports.all(),
        "incubations": org.incubations.select_related("base"), "track": services.track_record(org),
        "roster_full": sum(1 for s in roster if s.full_time and not s.left_on), **forms_},
        status=400 if request.method == "POST" else 200)


@login_required
def org_export(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    stream = BytesIO()
    importers.export(stream, Organisation.objects.visible_to(request.user))
    response = HttpResponse(stream.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="social-orgs.xlsx"'
    return response


def public_orgs(request: HttpRequest) -> HttpResponse:
    """公示: filed and registered organisations for residents (name, kind, contact, what they do)."""
    code = request.GET.get("unit", "").strip()[:12]
    prefix = code.rstrip("0") if code.isdigit() else ""
    page = _page(request, selectors.public_filed(prefix))
    return render(request, "socialorgs/public_orgs.html", {"page": page, "unit": code})


# ---------------------------------------------------------------- 备案


@login_required
def filing_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = f.FilingForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # staff have a unit
    if request.method == "POST" and form.is_valid():
        try:
            row = services.apply_for_filing(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已提交 {row.name} 的备案申请，待乡镇（街道）审核。")
            return redirect("socialorgs:filing", pk=row.pk)
    return render(request, "socialorgs/filing_list.html", {"page": _page(request, selectors.filings(request.user)),
                                                             "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(selectors.filings(request.user), pk=pk)
    form = f.ReturnForm(request.POST if request.POST.get("action") == "return" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "file":
                org = services.file_application(actor=request.user, application=row)
                messages.success(request, f"已备案 {org.name}。")
                return redirect("socialorgs:org", pk=org.pk)
            if request.POST.get("action") == "return" and request.POST.get("confirm") == "1" and form.is_valid():
                services.return_application(actor=request.user, application=row, reason=form.cleaned_data["reason"])
                messages.success(request, f"已退回 {row.name} 的备案申请。")
                return redirect("socialorgs:filing", pk=row.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(request, "socialorgs/filing_detail.html", {"row": row, "form": form},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- incubation bases


@login_required
def base_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = f.BaseForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # staff have a unit
    if request.method == "POST" and form.is_valid():
        try:
            base = services.open_base(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记孵化基地 {base.name}。")
            return redirect("socialorgs:base", pk=base.pk)
    return render(request, "socialorgs/base_list.html", {"rows": selectors.bases(request.user), "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def base_detail(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_visible_or_404(selectors.bases(request.user), pk=pk)
    enter, leave = f.EnterForm(prefix="enter"), f.LeaveForm(prefix="leave")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "enter":
                enter = f.EnterForm(request.POST, prefix="enter")
                if enter.is_valid():
                    org = get_visible_or_404(Organisation.objects.visible_to(request.user),
                                             pk=enter.cleaned_data["organisation"])
                    services.enter_incubation(actor=request.user, base=base, org=org,
                                              on=enter.cleaned_data["entered_on"])
                    messages.success(request, f"{org.name} 已入驻孵化。")
                    return redirect("socialorgs:base", pk=base.pk)
            elif request.POST.get("action") == "leave":
                leave = f.LeaveForm(request.POST, prefix="leave")
                if leave.is_valid():
                    inc = get_visible_or_404(base.incubations.all(), pk=leave.cleaned_data["incubation"])
                    services.leave_incubation(actor=request.user, incubation=inc, on=leave.cleaned_data["left_on"],
                                              outcome=leave.cleaned_data["outcome"])
                    messages.success(request, "已登记出壳。")
                    return redirect("socialorgs:base", pk=base.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(request, "socialorgs/base_detail.html", {
        "base": base, "incubations": base.incubations.select_related("organisation"), "enter": enter, "leave": leave},
        status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- social work


@login_required
def social_work(request: HttpRequest) -> HttpResponse:
    prefix = _staff_only(request)
    form = f.WorkerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from facilities.models import Facility

        data = dict(form.cleaned_data)
        station = get_visible_or_404(Facility.objects.visible_to(request.user), pk=data.pop("station"))
        try:
            worker = services.add_social_worker(actor=request.user, station=station, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记社会工作者 {worker.name}。")
            return redirect("socialorgs:social-work")
    return render(request, "socialorgs/social_work.html", {
        "workers": selectors.workers(request.user)[:200], "cases": _page(request, selectors.cases(request.user)),
        "figures": selectors.social_work_figures(prefix, services._today()), "form": form},
        status=400 if request.method == "POST" else 200)


@login_required
def case_add(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = f.CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from people.models import Resident

        data = dict(form.cleaned_data)
        worker = get_visible_or_404(selectors.workers(request.user), pk=data.pop("worker"))
        client_id = data.pop("client")
        client = get_visible_or_404(Resident.objects.visible_to(request.user), pk=client_id) if client_id else None
        try:
            case = services.open_case(actor=request.user, worker=worker, client=client, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已接案：{case.title}。")
            return redirect("socialorgs:case", pk=case.pk)
    return _form_page(request, form, "接案", 400 if request.method == "POST" else 200)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_visible_or_404(selectors.cases(request.user), pk=pk)
    advance, session = f.AdvanceForm(prefix="advance"), f.SessionForm(prefix="session")
    staff = can_see_unit(request.user, case.unit_id)
    if request.method == "POST" and staff:
        try:
            if request.POST.get("action") == "advance":
                advance = f.AdvanceForm(request.POST, prefix="advance")
                if advance.is_valid():
                    services.advance_case(actor=request.user, case=case, text=advance.cleaned_data["text"])
                    messages.success(request, f"个案已进入“{case.get_stage_display()}”。")
                    return redirect("socialorgs:case", pk=case.pk)
            elif request.POST.get("action") == "session":
                session = f.SessionForm(request.POST, prefix="session")
                if session.is_valid():
                    services.add_session(actor=request.user, case=case, **session.cleaned_data)
                    messages.success(request, "已记录一次服务。")
                    return redirect("socialorgs:case", pk=case.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    notes = None
    if request.GET.get("notes") == "1" and staff:
        notes = services.read_case_notes(actor=request.user, case=case)
    return render(request, "socialorgs/case_detail.html", {
        "case": case, "sessions": case.sessions.all(), "notes": notes, "staff": staff, "advance": advance,
        "session": session}, status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- purchases


@login_required
def purchase_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404("未找到")
    can_propose = selectors.is_staff(request.user) or bool(getattr(request.user, "department_id", None))
    form = f.PurchaseForm(request.POST or None, initial={"unit_code": request.user.unit_id})
    if request.method == "POST":
        if not can_propose:
            raise Http404("未找到")
        if form.is_valid():
            try:
                row = services.propose_purchase(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已提交立项：{row.title}，待批准。")
                return redirect("socialorgs:purchase", pk=row.pk)
    return render(request, "socialorgs/purchase_list.html", {
        "page": _page(request, selectors.purchases(request.user)), "form": form if can_propose else None},
        status=400 if request.method == "POST" else 200)


FINANCE_HEADERS = ["项目名称", "购买主体", "购买部门", "预算科目", "预算金额（元）", "立项批准日期", "承接方",
                   "承接方统一社会信用代码", "合同金额（元）", "合同期限", "已拨付（元）", "未拨付（元）", "绩效评分",
                   "评估结论", "阶段"]


@login_required
def purchase_export(request: HttpRequest) -> HttpResponse:
    from shequ.xlsx import write_table

    rows = selectors.purchases(request.user).prefetch_related("payments")
    stream = BytesIO()
    write_table(stream, FINANCE_HEADERS, (
        [p.title, p.unit.name, p.department.name if p.department else "", p.budget_line, p.budget_amount,
         p.approved_on.isoformat() if p.approved_on else "", p.awarded_to.name if p.awarded_to else "",
         p.awarded_to.credit_code if p.awarded_to else "", p.contract_amount if p.contract_amount is not None else "",
         f"{p.contract_start}至{p.contract_end}" if p.contract_start else "", p.paid,
         (p.contract_amount - p.paid) if p.contract_amount is not None else "",
         p.evaluation_score if p.evaluation_score is not None else "", p.evaluation_result, p.get_stage_display()]
        for p in rows), title="政府购买服务")
    response = HttpResponse(stream.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="service-purchases.xlsx"'
    return response


def _lines(text: str, kinds: tuple[Any, Any, Any]) -> list[tuple[Any, ...]]:
    out = []
    for n, line in enumerate(text.strip().splitlines(), start=1):
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 3:
            raise ValidationError(f"第{n}行应为三项，用逗号分隔。")
        try:
            out.append(tuple(kind(p) for kind, p in zip(kinds, parts, strict=True)))
        except (ValueError, ArithmeticError) as exc:
            raise ValidationError(f"第{n}行格式不对：{line}") from exc
    return out


@login_required
def purchase_detail(request: HttpRequest, pk: int) -> HttpResponse:
    purchase = get_visible_or_404(selectors.purchases(request.user), pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    bound = {name: (cls(request.POST) if action == name else cls()) for name, cls in (
        ("publish", f.PublishForm), ("apply", f.ApplyForm), ("contract", f.ContractForm), ("delivery", f.DeliveryForm),
        ("payment", f.PaymentForm), ("evaluate", f.EvaluateForm))}
    if request.method == "POST":
        actor = request.user
        try:
            form = bound.get(action) or {"score": f.ScoreForm, "award": f.AwardForm,
                                         "milestone": f.MilestoneForm}.get(action, f.AwardForm)(request.POST)
            if action == "approve":
                services.approve_purchase(actor=actor, purchase=purchase)
            elif not form.is_valid():
                raise ValidationError("请检查填写的内容：" + "；".join(str(e) for es in form.errors.values() for e in es))
            else:
                data = form.cleaned_data
                if action == "publish":
                    services.publish_purchase(actor=actor, purchase=purchase, **data)
                elif action == "apply":
                    org = get_visible_or_404(Organisation.objects.visible_to(actor), pk=data["organisation"])
                    services.apply_to_purchase(actor=actor, purchase=purchase, organisation=org,
                                               proposal=data["proposal"])
                elif action in ("score", "award"):
                    application = get_visible_or_404(purchase.applications.all(), pk=data["application"])
                    if action == "score":
                        services.score_application(actor=actor, application=application, score=data["score"])
                    else:
                        services.award_purchase(actor=actor, purchase=purchase, application=application)
                elif action == "contract":
                    services.sign_contract(
                        actor=actor, purchase=purchase, amount=data["amount"], start=data["start"], end=data["end"],
                        deliverables=_lines(data["deliverables"], (str, int, str)),
                        milestones=_lines(data["milestones"], (str, dt.date.fromisoformat, Decimal)))
                elif action == "delivery":
                    item = get_visible_or_404(Deliverable.objects.filter(purchase=purchase), pk=data["deliverable"])
                    services.record_delivery(actor=actor, deliverable=item, quantity=data["quantity"],
                                             done_on=data["done_on"], note=data["note"])
                elif action == "milestone":
                    stone = get_visible_or_404(Milestone.objects.filter(purchase=purchase), pk=data["milestone"])
                    services.reach_milestone(actor=actor, milestone=stone, on=data["reached_on"])
                elif action == "payment":
                    stone = get_visible_or_404(Milestone.objects.filter(purchase=purchase), pk=data["milestone"])
                    services.release_payment(actor=actor, milestone=stone, amount=data["amount"], paid_on=data["paid_on"])
                elif action == "evaluate":
                    sat = data["satisfaction"]
                    services.evaluate_purchase(actor=actor, purchase=purchase, score=data["score"],
                                               satisfaction=None if sat is None else sat / 100, note=data["note"])
                else:
                    raise ValidationError("未知的操作。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已办理。项目当前为“{Purchase.objects.get(pk=purchase.pk).get_stage_display()}”。")
            return redirect("socialorgs:purchase", pk=purchase.pk)
    return render(request, "socialorgs/purchase_detail.html", {
        "p": purchase, "applications": purchase.applications.select_related("organisation"),
        "deliverables": purchase.deliverables.prefetch_related("records"), "milestones": purchase.milestones.all(),
        "payments": purchase.payments.all(), **bound}, status=400 if request.method == "POST" else 200)


def purchase_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page of a purchase once published: notice, award, amount, deliverables, evaluation result."""
    purchase = get_visible_or_404(Purchase.objects.exclude(stage__in=[Purchase.Stage.PROPOSED, Purchase.Stage.APPROVED])
                                  .select_related("unit", "awarded_to"), pk=pk)
    return render(request, "socialorgs/purchase_public.html",
                  {"p": purchase, "deliverables": purchase.deliverables.prefetch_related("records")})


# ---------------------------------------------------------------- charity


@login_required
def donation_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = f.DonationForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # staff have a unit
    if request.method == "POST" and form.is_valid():
        try:
            row = services.receive_donation(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已接收捐赠，收据编号 {row.receipt_no}。")
            return redirect("socialorgs:donation", pk=row.pk)
    return render(request, "socialorgs/donation_list.html", {
        "page": _page(request, selectors.donations(request.user)), "form": form},
        status=400 if request.method == "POST" else 200)


@login_required
def donation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    donation = get_visible_or_404(selectors.donations(request.user), pk=pk)
    form = f.DisburseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from people.models import Resident

        resident = get_visible_or_404(Resident.objects.visible_to(request.user), pk=form.cleaned_data["resident"])
        try:
            services.disburse(actor=request.user, donation=donation, resident=resident,
                              amount=form.cleaned_data["amount"], given_on=form.cleaned_data["given_on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记发放。")
            return redirect("socialorgs:donation", pk=donation.pk)
    from people.masking import mask_name

    given = [(mask_name(d.resident.name), d) for d in donation.disbursements.select_related("resident")]
    return render(request, "socialorgs/donation_detail.html", {"d": donation, "given": given, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def donation_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML

    donation = get_visible_or_404(selectors.donations(request.user), pk=pk)
    html = render_to_string("socialorgs/receipt.html", {"d": donation}, request=request)
    response = HttpResponse(bytes(HTML(string=html).write_pdf() or b""), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{donation.receipt_no}.pdf"'
    return response


def charity_public(request: HttpRequest, code: str) -> HttpResponse:
    """Public disclosure of a community's donations: totals by purpose, never a beneficiary's name."""
    unit = OrgUnit.objects.filter(code=code, level=OrgUnit.Level.VILLAGE).first()
    if unit is None:
        raise Http404("未找到")
    rows = list(Donation.objects.filter(unit=unit).prefetch_related("disbursements"))
    totals: dict[str, list[Any]] = {}
    for d in rows:
        acc = totals.setdefault(d.get_group_display(), [Decimal(0), Decimal(0), 0])
        acc[0] += d.amount
        acc[1] += d.disbursed
        acc[2] += d.disbursements.count()
    return render(request, "socialorgs/charity_public.html", {"unit": unit, "totals": totals, "donations": rows})


# ---------------------------------------------------------------- a community's social forces


@login_required
def forces(request: HttpRequest, code: str) -> HttpResponse:
    _staff_only(request)
    if not can_see_unit(request.user, code):
        raise Http404("未找到")
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Http404("未找到")
    return render(request, "socialorgs/forces.html", {"unit": unit, **selectors.forces_in(code)})


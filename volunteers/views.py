"""Pages of the volunteers module: staff lists and forms, residents' registration, sign-up, check-in and hours."""

import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Role
from accounts.scoping import get_visible_or_404
from people.masking import mask_name
from volunteers import hours, selectors, services
from volunteers.forms import (
    ActivityForm,
    CheckInForm,
    ConfirmForm,
    HandCheckForm,
    MemberForm,
    PointForm,
    SelfRegisterForm,
    SignUpForm,
    TeamForm,
    VolunteerForm,
)
from volunteers.models import Activity, ServiceRecord, SignUp, Team, Volunteer
from web.formerrors import add_service_errors


def _staff_only(request: HttpRequest) -> None:
    if not selectors.is_staff(request.user):
        raise Http404("未找到")



def _page(request: HttpRequest, rows: Any, size: int = 50) -> Any:
    return Paginator(rows, size).get_page(request.GET.get("page"))


# ---------------------------------------------------------------- staff: volunteers

@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)  # a resident's own page is me/
    query = request.GET.get("q", "").strip()[:50]
    page = _page(request, selectors.volunteers(request.user, query=query))
    return render(request, "volunteers/volunteer_list.html",
                  {"page": page, "rows": selectors.with_hours(list(page.object_list)), "q": query})


@login_required
def volunteer_add(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = VolunteerForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    if request.method == "POST" and form.is_valid():
        try:
            v = services.register_volunteer(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记志愿者 {v.name}。")
            return redirect("volunteers:volunteer", pk=v.pk)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "title": "登记志愿者"},
                  status=400 if request.method == "POST" else 200)


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    v = get_visible_or_404(Volunteer.objects.visible_to(request.user).select_related("unit"), pk=pk)
    return _volunteer_page(request, v)


def _volunteer_page(request: HttpRequest, v: Volunteer) -> HttpResponse:
    total = hours.volunteer_hours(v.pk)
    return render(request, "volunteers/volunteer_detail.html", {
        "v": v, "hours": total, "stars": hours.star_label(total), "records": selectors.records_of(v)[:200],
        "teams": v.teams.select_related("unit"), "staff": selectors.is_staff(request.user),
    })


# ---------------------------------------------------------------- staff: teams and service points

@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = TeamForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(actor=request.user, unit_code=form.cleaned_data["unit_code"],
                                        name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("volunteers:team", pk=team.pk)
    return render(request, "volunteers/team_list.html", {"page": _page(request, selectors.teams(request.user)),
                                                         "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    team = get_visible_or_404(Team.objects.visible_to(request.user).select_related("unit", "leader"), pk=pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = get_visible_or_404(Volunteer.objects.visible_to(request.user), pk=form.cleaned_data["volunteer"])
        try:
            services.add_member(actor=request.user, team=team, volunteer=person)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("volunteers:team", pk=team.pk)
    return render(request, "volunteers/team_detail.html",
                  {"team": team, "members": team.members.select_related("unit").order_by("name"), "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def point_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = PointForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_service_point(actor=request.user, unit_code=data["unit_code"], name=data["name"],
                                          hours_text=data["hours"], contact_name=data["contact_name"],
                                          contact_phone=data["contact_phone"], opened_on=data["opened_on"],
                                          address=data["address"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记志愿服务站点。")
            return redirect("volunteers:points")
    return render(request, "volunteers/point_list.html", {"page": _page(request, selectors.points(request.user)),
                                                          "form": form},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- activities

@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.activities(request.user)
    if request.GET.get("when") != "all":
        rows = rows.filter(ends_at__gte=timezone.now() - dt.timedelta(days=30))
    return render(request, "volunteers/activity_list.html", {
        "page": _page(request, rows), "staff": selectors.is_staff(request.user),
        "is_volunteer": Volunteer.objects.filter(account_id=request.user.pk).exists(),
    })


@login_required
def activity_add(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = ActivityForm(request.POST or None, initial={"unit_code": request.user.unit_id, "capacity": 10})  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.create_activity(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("volunteers:activity", pk=activity.pk)
    return render(request, "volunteers/activity_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _activity(request: HttpRequest, pk: int) -> Activity:
    return get_visible_or_404(selectors.activities(request.user), pk=pk)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    staff = selectors.is_staff(request.user)
    mine = SignUp.objects.filter(activity=activity, volunteer__account_id=request.user.pk).first()
    return render(request, "volunteers/activity_detail.html", {
        "a": activity, "staff": staff, "mine": mine,
        "signups": selectors.signups_of(activity) if staff else [],
        "records": selectors.records_to_confirm(activity) if staff else [],
        "is_volunteer": Volunteer.objects.filter(account_id=request.user.pk).exists(),
    })


@login_required
def activity_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's phone shows this: a QR of the check-in (or check-out) link; it rotates every minute."""
    _staff_only(request)
    activity = _activity(request, pk)
    kind = "out" if request.GET.get("kind") == "out" else "in"
    code = services.checkin_code(activity, kind)
    link = request.build_absolute_uri(reverse("volunteers:checkin") + f"?code={code}&kind={kind}")
    return render(request, "volunteers/activity_code.html", {
        "a": activity, "kind": kind, "code": code, "qr": segno.make(link, error="m").svg_inline(scale=5),
        "refresh": services.CODE_ROTATION_SECONDS,
    })


@login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    form = SignUpForm(request.POST)
    chosen = form.cleaned_data.get("volunteer") if form.is_valid() else None
    if chosen and selectors.is_staff(request.user):
        person = get_visible_or_404(Volunteer.objects.visible_to(request.user), pk=chosen)
    else:
        person = Volunteer.objects.filter(account_id=request.user.pk).first()  # type: ignore[assignment]  # a resident has at most one volunteer record; None is handled below
        if person is None:
            messages.error(request, "请先注册为志愿者。")
            return redirect("volunteers:register")
    try:
        signup = services.sign_up(actor=request.user, activity=activity, volunteer=person)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "报名成功。" if signup.status == SignUp.Status.CONFIRMED
                         else f"名额已满，您在候补第 {signup.waitlist_position} 位。")
    return redirect("volunteers:activity", pk=activity.pk)


def _signup(request: HttpRequest, pk: int) -> SignUp:
    """A sign-up of an activity the user sees: staff any, a volunteer only their own."""
    rows = SignUp.objects.select_related("activity", "volunteer")
    if selectors.is_staff(request.user):
        return get_visible_or_404(rows.visible_to(request.user), pk=pk)
    return get_visible_or_404(rows.filter(volunteer__account_id=request.user.pk), pk=pk)


@login_required
@require_POST
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    signup = _signup(request, pk)
    try:
        services.cancel_sign_up(actor=request.user, signup=signup)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已取消报名。")
    return redirect("volunteers:activity", pk=signup.activity_id)


@login_required
@require_POST
def signup_by_hand(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    signup = _signup(request, pk)
    form = HandCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写签到和签退时间。")
        return redirect("volunteers:activity", pk=signup.activity_id)
    try:
        services.check_by_hand(actor=request.user, signup=signup, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已为 {signup.volunteer.name} 手工签到签退。")
    return redirect("volunteers:activity", pk=signup.activity_id)


@login_required
@require_POST
def record_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    record = get_visible_or_404(ServiceRecord.objects.visible_to(request.user).select_related("volunteer"), pk=pk)
    form = ConfirmForm(request.POST)
    back = redirect("volunteers:activity", pk=record.activity_id) if record.activity_id else \
        redirect("volunteers:volunteer", pk=record.volunteer_id)
    if not form.is_valid():
        messages.error(request, "时间格式不正确。")
        return back
    try:
        services.confirm_record(actor=request.user, record=record, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已确认 {record.volunteer.name} 的服务时长。")
    return back


# ---------------------------------------------------------------- residents

@login_required
def register(request: HttpRequest) -> HttpResponse:
    """A resident registers as a volunteer (their own record)."""
    if Volunteer.objects.filter(account_id=request.user.pk).exists():
        return redirect("volunteers:me")
    if request.user.role != Role.RESIDENT:  # type: ignore[union-attr]  # behind login_required: request.user is a User
        raise Http404("未找到")
    in_register = getattr(request.user, "resident_record", None) is not None
    form = SelfRegisterForm(request.POST or None, in_register=in_register,
                            initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # None is ruled out on this line or by the caller (department_id / signed-in worker / a concrete field)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_volunteer(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "注册成功，欢迎加入志愿服务。")
            return redirect("volunteers:me")
    return render(request, "volunteers/volunteer_form.html",
                  {"form": form, "title": "注册志愿者", "in_register": in_register},
                  status=400 if request.method == "POST" else 200)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    v = Volunteer.objects.filter(account_id=request.user.pk).select_related("unit").first()
    if v is None:
        return render(request, "volunteers/not_registered.html")
    return _volunteer_page(request, v)


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    """What the scanned QR opens: the volunteer confirms with one tap (a POST, so a link alone changes nothing)."""
    form = CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")[:300],
                                                      "kind": "out" if request.GET.get("kind") == "out" else "in"})
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["kind"] == "out":
                services.check_out(actor=request.user, code=form.cleaned_data["code"])
                done = "签退成功，服务时长待组织者确认。"
            else:
                services.check_in(actor=request.user, code=form.cleaned_data["code"])
                done = "签到成功。"
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("volunteers:me")
    return render(request, "volunteers/checkin.html", {"form": form},
                  status=400 if request.method == "POST" else 200)




# ---------------------------------------------------------------- certificates

@login_required
@require_POST
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a service record certificate (the volunteer's own, or by staff) and answer it as a PDF."""
    from weasyprint import HTML

    v = get_visible_or_404(Volunteer.objects.visible_to(request.user).select_related("unit"), pk=pk)
    try:
        cert = services.issue_certificate(actor=request.user, volunteer=v)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("volunteers:volunteer", pk=v.pk)
    code = services.certificate_code(cert)
    link = request.build_absolute_uri(reverse("verify-certificate", args=[code]))
    records = v.records.filter(confirmed=True).select_related("activity", "unit").order_by("started_at", "pk")
    html = render_to_string("volunteers/certificate.html", {
        "cert": cert, "v": v, "code": code, "link": link, "records": records,
        "organisers": sorted({r.unit.name for r in records}),
        "qr": segno.make(link, error="m").svg_inline(scale=3),
    })
    response = HttpResponse(bytes(HTML(string=html).write_pdf() or b""), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.token}.pdf"'
    return response


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: confirms a certificate (masked name, hours, period, issuer) or says it is unknown or altered."""
    cert, problem = services.verify_certificate(code[:40])
    return render(request, "volunteers/verify.html", {
        "cert": cert, "problem": problem, "masked_name": mask_name(cert.volunteer.name) if cert else "",
    }, status=200 if cert else 404)


# ---------------------------------------------------------------- serving party members

@login_required
def party_members(request: HttpRequest) -> HttpResponse:
    """Community staff: who lives and reported here; a work unit's staff: its own members' reports and hours."""
    from volunteers.models import PartyMember

    if not PartyMember.objects.visible_to(request.user).exists() and not selectors.is_staff(request.user) \
            and not getattr(request.user, "department_id", None):
        raise Http404("未找到")
    return render(request, "volunteers/party_members.html", {
        "rows": selectors.party_members(request.user), "community": selectors.is_staff(request.user)})


@login_required
@require_POST
def party_report_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    from volunteers.models import PartyReport

    _staff_only(request)
    report = get_visible_or_404(PartyReport.objects.visible_to(request.user), pk=pk)
    try:
        services.confirm_report(actor=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已确认报到。")
    return redirect("volunteers:party")


# ---------------------------------------------------------------- dashboards

def _dashboard_scope(request: HttpRequest) -> tuple[Any, int]:
    """The unit whose subtree the figures cover (the user's own, or one below it) and the year."""
    from accounts.scoping import can_see_unit
    from places.models import OrgUnit

    _staff_only(request)
    code = request.GET.get("unit", "").strip()[:12] or str(request.user.unit_id)  # type: ignore[union-attr]  # staff have a unit
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not can_see_unit(request.user, unit.code):
        raise Http404("未找到")
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= timezone.localdate().year \
        else timezone.localdate().year
    return unit, year


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from volunteers import dashboard as figures

    unit, year = _dashboard_scope(request)
    from shequ.rates import percent
    from shequ.xlsx import Percent

    tables = {key: figures.table(key, unit.prefix, year) for key in figures.FIGURES}

    def shown(cell: Any) -> Any:
        return percent(cell.value) if isinstance(cell, Percent) else ("—" if cell is None else cell)

    return render(request, "volunteers/dashboard.html", {
        "unit": unit, "year": year,
        "figures": [(key, label, tables[key][0], [[shown(c) for c in row] for row in tables[key][1]])
                    for key, label in figures.FIGURES.items()],
        "months": [{"month": m, "hours": h} for m, h in tables["months"][1]],
    })


@login_required
def dashboard_export(request: HttpRequest, figure: str) -> HttpResponse:
    import io

    from shequ.xlsx import write_table
    from volunteers import dashboard as figures

    if figure not in figures.FIGURES:
        raise Http404("未找到")
    unit, year = _dashboard_scope(request)
    headers, rows = figures.table(figure, unit.prefix, year)
    stream = io.BytesIO()
    write_table(stream, headers, rows, title=f"{unit.name}{year}{figures.FIGURES[figure]}"[:31],
                watermark=f"{unit.name} {request.user.get_username()} {timezone.localdate()}")
    from accounts import audit

    audit.record(actor=request.user, action="volunteers.dashboard_export", unit_code=unit.code,  # type: ignore[arg-type]  # behind login_required: a User
                 detail={"figure": figure, "year": year})
    response = HttpResponse(stream.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="volunteers-{figure}-{unit.code}-{year}.xlsx"'
    return response


# ---------------------------------------------------------------- volunteer tasks

@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """Staff: the tasks of their subtree and the hand-over forms. A volunteer: their teams' tasks."""
    from volunteers.forms import HandRequestForm, HandVisitForm
    from volunteers.models import VolunteerTask

    staff = selectors.is_staff(request.user)
    visit_form = HandVisitForm(request.POST if request.POST.get("kind") == "visit" else None, prefix="v")
    request_form = HandRequestForm(request.POST if request.POST.get("kind") == "request" else None, prefix="r")
    if request.method == "POST":
        _staff_only(request)
        form = visit_form if request.POST.get("kind") == "visit" else request_form
        if form.is_valid():
            team = get_visible_or_404(Team.objects.visible_to(request.user), pk=form.cleaned_data["team"])
            try:
                if form is visit_form:
                    from care.models import DueVisit

                    due = get_visible_or_404(DueVisit.objects.visible_to(request.user), pk=form.cleaned_data["due_visit"])
                    task = services.hand_visit(actor=request.user, due=due, team=team, note=form.cleaned_data["note"])
                else:
                    from appeals.models import Appeal

                    appeal = get_visible_or_404(Appeal.objects.visible_to(request.user), pk=form.cleaned_data["appeal"])
                    task = services.hand_request(actor=request.user, appeal=appeal, team=team,
                                                 brief=form.cleaned_data["brief"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已派给 {team.name}。")
                return redirect("volunteers:task", pk=task.pk)
    rows = VolunteerTask.objects.visible_to(request.user).select_related("team", "volunteer").order_by("status", "-created_at")
    return render(request, "volunteers/task_list.html", {
        "page": _page(request, rows), "staff": staff, "visit_form": visit_form, "request_form": request_form,
        "teams": selectors.teams(request.user)[:200] if staff else [],
    }, status=400 if request.method == "POST" else 200)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What the task needs (no ID numbers, no other residents); a team member takes it and reports it done."""
    from volunteers.forms import CompleteTaskForm
    from volunteers.models import VolunteerTask

    task = get_visible_or_404(VolunteerTask.objects.visible_to(request.user).select_related("team", "volunteer"), pk=pk)
    form = CompleteTaskForm(request.POST if request.POST.get("action") == "complete" else None)
    if request.method == "POST" and request.POST.get("action") != "complete":
        try:
            services.take_task(actor=request.user, task=task)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return render(request, "volunteers/task_detail.html", {
                "task": task, "form": form, "mine": False, "staff": selectors.is_staff(request.user),
                "can_take": False}, status=400)
        messages.success(request, "已认领任务。")
        return redirect("volunteers:task", pk=task.pk)
    if request.method == "POST":
        try:
            if form.is_valid():
                data = dict(form.cleaned_data)
                services.complete_task(actor=request.user, task=task, started_at=data.pop("started_at"),
                                       ended_at=data.pop("ended_at"), outcome=data.pop("outcome"), checks=data)
                messages.success(request, "已提交完成情况，服务时长已计入。")
                return redirect("volunteers:task", pk=task.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    mine = task.volunteer is not None and task.volunteer.account_id == request.user.pk
    return render(request, "volunteers/task_detail.html", {
        "task": task, "form": form, "mine": mine, "staff": selectors.is_staff(request.user),
        "can_take": task.status == "open" and task.team.members.filter(account_id=request.user.pk).exists(),
    }, status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- time bank

@login_required
def time_bank(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer's time bank: balance, ledger, records that may be banked; staff record spends."""
    from volunteers.forms import BankForm, FamilyForm, SpendForm
    from volunteers.models import TimeBankAccount

    v = get_visible_or_404(Volunteer.objects.visible_to(request.user).select_related("unit"), pk=pk)
    action = request.POST.get("action", "")
    forms_ = {"bank": BankForm(request.POST if action == "bank" else None),
              "spend": SpendForm(request.POST if action == "spend" else None, prefix="s"),
              "family": FamilyForm(request.POST if action == "family" else None, prefix="f")}
    if request.method == "POST" and action in forms_:
        form = forms_[action]
        if form.is_valid():
            try:
                if action == "bank":
                    record = get_visible_or_404(ServiceRecord.objects.filter(volunteer=v), pk=form.cleaned_data["record"])
                    services.bank_record(actor=request.user, record=record)
                elif action == "family":
                    services.name_family_member(actor=request.user, volunteer=v, name=form.cleaned_data["family_member"])
                else:
                    _staff_only(request)
                    used = get_visible_or_404(ServiceRecord.objects.visible_to(request.user),
                                              pk=form.cleaned_data["used_for"])
                    services.spend_credits(actor=request.user, volunteer=v, hours_text=form.cleaned_data["hours"],
                                           used_for=used, beneficiary=form.cleaned_data["beneficiary"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("volunteers:time-bank", pk=v.pk)
    account = TimeBankAccount.objects.filter(volunteer=v).first()
    banked = set(account.entries.filter(kind="earn").values_list("earned_by_id", flat=True)) if account else set()
    candidates = [r for r in v.records.filter(confirmed=True).select_related("activity", "task").order_by("-started_at")[:100]
                  if r.pk not in banked and services.is_elderly_care(r)]
    return render(request, "volunteers/time_bank.html", {
        "v": v, "account": account, "entries": account.entries.select_related("used_for")[:500] if account else [],
        "candidates": candidates, "forms": forms_, "staff": selectors.is_staff(request.user),
    }, status=400 if request.method == "POST" else 200)

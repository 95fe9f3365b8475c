"""Pages: my visits, the one-minute visit form, history, compliance, emergency readiness, notices."""

import io
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.models import User
from accounts.roles import Role
from accounts.scoping import get_visible_or_404, scope_prefix
from care import selectors, services
from care.forms import AssignForm, DrillForm, NoticeForm, OfficerForm, ReferralForm, RuleForm, ShelterForm, VisitForm
from care.models import (
    CHECKLIST,
    RATING_SCORE,
    DisasterOfficer,
    Drill,
    DueVisit,
    EmergencyOptIn,
    EmergencyShelter,
    NoticeRecipient,
    Visit,
    VisitPhoto,
    VisitRule,
)
from care.periods import days_left, month_bounds, parse_month, today
from people.models import Resident
from places.selectors import unit_for_user
from shequ.files import stored_file_response

RATING_MARK = {"good": "✔ 良好", "fair": "◐ 一般", "poor": "✘ 较差"}


def _as_of(request: HttpRequest) -> date:
    """?month=YYYY-MM picks a past month (as of its last day); default today."""
    text = request.GET.get("month", "")
    if not text:
        return today()
    try:
        first = parse_month(text)
    except ValidationError:
        return today()
    return min(month_bounds(first)[1], today())


def _status(request: HttpRequest) -> int:
    """A form shown again after a POST was refused answers 400."""
    return 400 if request.method == "POST" else 200


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role == Role.COMMUNITY_WORKER and user.unit_id:
        return redirect("care:my")
    if scope_prefix(user) is not None:
        return redirect("care:compliance", code=user.unit_id)
    raise Http404("未找到")


@login_required
def my_visits(request: HttpRequest) -> HttpResponse:
    on = today()
    rows = selectors.my_visits(request.user, on)
    done = sum(1 for r in rows if r.visited_on)
    return render(request, "care/my_visits.html", {"rows": rows, "done": done, "total": len(rows), "on": on})


def _resident(request: HttpRequest, resident_id: int) -> Resident:
    return get_visible_or_404(Resident.objects.visible_to(request.user).select_related("unit", "household"), pk=resident_id)


@login_required
def visit_form(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _resident(request, resident_id)
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_visit(
                actor=request.user, resident=resident, visited_at=data["visited_at"], method=data["method"],  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
                health=data["health"], home_safety=data["home_safety"], living=data["living"], mood=data["mood"],
                needs=data["needs"], needs_action=data["needs_action"], notes=data["notes"], visitor_name=data["visitor_name"],
                lat=data["lat"], lng=data["lng"], photos=data["photos"] or [], submission_key=data["submission_key"],
            )
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, f"已记录对{resident.name}的探访。")
            return redirect("care:resident", resident_id=resident.pk)
    return render(request, "care/visit_form.html", {"resident": resident, "form": form,
                                                    "checklist": [form[f] for f, _ in CHECKLIST]}, status=_status(request))


@login_required
def resident_history(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _resident(request, resident_id)
    visits = list(selectors.visits_of(request.user, resident)[:24])
    recent = list(reversed(visits[:6]))
    trend = [
        {"label": label, "cells": [{"score": RATING_SCORE[getattr(v, field)], "mark": RATING_MARK[getattr(v, field)]} for v in recent]}
        for field, label in CHECKLIST
    ]
    due = DueVisit.objects.visible_to(request.user).filter(resident=resident).select_related("rule", "assignee").order_by("-period_start")[:6]
    return render(request, "care/resident.html", {
        "resident": resident, "visits": visits, "recent": recent, "trend": trend, "due": due,
        "last": visits[0] if visits else None, "opted_in": EmergencyOptIn.objects.filter(resident=resident).exists(),
    })


def _visit(request: HttpRequest, pk: int) -> Visit:
    return get_visible_or_404(Visit.objects.visible_to(request.user).select_related("resident", "visitor", "unit"), pk=pk)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    audit.record(actor=request.user, action="care.visit_opened", obj=visit)  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    return render(request, "care/visit_detail.html", {
        "visit": visit, "checklist": [(label, RATING_MARK[getattr(visit, f)]) for f, label in CHECKLIST],
        "photos": visit.photos.all(), "referrals": visit.referrals.all(),
        "referral_form": ReferralForm(with_requests=services.appeals_available(), initial={"category": _category_for(visit)}),
    })


def _category_for(visit: Visit) -> str:
    """The request category a finding most likely belongs to, from the resident's visit groups."""
    tags = set(DueVisit.objects.filter(resident_id=visit.resident_id).values_list("tag", flat=True).distinct())
    if tags & {"severe_disability", "disabled"}:
        return "disability"
    if "left_behind_child" in tags:
        return "minors"
    return "elderly_care"


@login_required
def visit_photo(request: HttpRequest, pk: int, photo_id: int) -> FileResponse:
    visit = _visit(request, pk)
    photo = get_visible_or_404(VisitPhoto.objects.filter(visit=visit), pk=photo_id)
    audit.record(actor=request.user, action="care.photo_opened", obj=visit, detail={"photo": photo.pk})  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    return stored_file_response(photo.image)


@login_required
@require_POST
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = ReferralForm(request.POST, with_requests=services.appeals_available())
    if form.is_valid():
        try:
            referral = services.refer_finding(actor=request.user, visit=visit, **form.cleaned_data)  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已生成服务诉求（编号 {referral.appeal_id}）。" if referral.appeal_id else "已转介。")
    else:
        messages.error(request, "请填写转介服务和事由。")
    return redirect("care:visit", pk=visit.pk)


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    due = get_visible_or_404(DueVisit.objects.visible_to(request.user).select_related("resident", "assignee"), pk=pk)
    workers = User.objects.filter(role=Role.COMMUNITY_WORKER, unit=due.unit, is_active=True).order_by("id")
    form = AssignForm(request.POST or None, workers=workers,
                      initial={"worker": due.assignee_id, "volunteer_name": due.volunteer_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_due_visit(actor=request.user, due=due, worker=form.cleaned_data["worker"],  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
                                      volunteer_name=form.cleaned_data["volunteer_name"])
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, "已重新分配。")
            return redirect("care:pending", code=due.unit_id)
    return render(request, "care/assign.html", {"due": due, "form": form}, status=_status(request))


def _month_links(on: date) -> dict[str, str]:
    prev = (on.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return {"this": on.strftime("%Y-%m"), "prev": prev}


@login_required
def compliance(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    on = _as_of(request)
    data = selectors.compliance(unit, on)
    _, end = month_bounds(on)
    return render(request, "care/compliance.html", {
        "unit": unit, "ancestors": [a for a in unit.ancestors() if selectors_can_see(request.user, a.code)], "data": data,
        "on": on, "days_left": days_left(end, on), "months": _month_links(today()),
        "month": on.strftime("%Y-%m"),
    })


def selectors_can_see(user: Any, code: str) -> bool:
    from accounts.scoping import can_see_unit

    return can_see_unit(user, code)


@login_required
def pending(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    on = _as_of(request)
    rows = list(selectors.pending_visits(unit.prefix, on)[:500])
    for row in rows:
        row.days_left = days_left(row.period_end, on)  # type: ignore[attr-defined]  # an attribute put on a model row for the template
    return render(request, "care/pending.html", {"unit": unit, "rows": rows, "on": on})


@login_required
def compliance_export(request: HttpRequest, code: str) -> FileResponse:
    from shequ.xlsx import write_table

    unit = unit_for_user(request.user, code)
    on = _as_of(request)
    data = selectors.compliance(unit, on)
    if unit.is_village_level:
        headers = ["姓名", "责任人", "周期截止", "是否已探访", "探访日期"]
        rows_in = selectors.rows_in_period(on, prefix=unit.prefix).select_related("resident", "assignee").order_by("resident__name")
        rows: list[list[Any]] = [
            [r.resident.name, r.volunteer_name or (str(r.assignee) if r.assignee else ""), r.period_end,
             "是" if r.visited_on and r.visited_on <= on else "否", r.visited_on if r.visited_on and r.visited_on <= on else ""]
            for r in rows_in
        ]
    else:
        headers = ["区划代码", "单位", "应探访人数", "已探访人数", "未探访人数", "月探访率"]
        rows = [[c["unit"].code, c["unit"].name, c["due"], c["visited"], c["pending"],
                 round(c["rate"], 4) if c["rate"] is not None else ""] for c in data["children"]]
        rows.append([unit.code, f"{unit.name}（合计）", data["due"], data["visited"], data["pending"],
                     round(data["rate"], 4) if data["rate"] is not None else ""])
    stream = io.BytesIO()
    mark = f"{request.user} {timezone.localtime():%Y-%m-%d %H:%M} 导出"
    write_table(stream, headers, rows, title=f"{unit.name}{on:%Y年%m月}探访", watermark=mark)
    audit.record(actor=request.user, action="care.compliance_exported", unit_code=unit.code,  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
                 detail={"month": on.strftime("%Y-%m"), "rows": len(rows)})
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=f"care_{unit.code}_{on:%Y%m}.xlsx")


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if scope_prefix(user) is None:
        raise Http404("未找到")
    form = RuleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_visit_rule(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                messages.success(request, "探访规则已保存，下个周期生成计划时生效。")
                return redirect("care:rules")
    return render(request, "care/rules.html", {"rules": VisitRule.objects.all(), "form": form, "can_edit": user.role == Role.CITY_STAFF},
                  status=_status(request))


# ---- Emergency readiness -----------------------------------------------------------

def _year_end(request: HttpRequest) -> date:
    """?year=YYYY picks a past year (as of its last day); default today."""
    on = today()
    text = request.GET.get("year", "")
    if text.isdigit() and 2000 <= int(text) < on.year:
        return date(int(text), 12, 31)
    return on


@login_required
def readiness(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    on = _year_end(request)
    data = selectors.readiness(unit, on)
    officers = DisasterOfficer.objects.visible_to(request.user).filter(unit=unit, ended_on__isnull=True) if unit.is_village_level else []
    shelters = EmergencyShelter.objects.visible_to(request.user).filter(unit=unit)
    drills = Drill.objects.visible_to(request.user).filter(unit=unit)[:20]
    from care.layers import shelter_layer, tile_url

    layer = {"shelters": shelter_layer(request.user, unit.prefix), "tiles": tile_url()}
    return render(request, "care/readiness.html", {"unit": unit, "data": data, "officers": officers, "shelters": shelters,
                                                   "drills": drills, "year": on.year, "this_year": today().year, "layer": layer})


@login_required
def readiness_export(request: HttpRequest, code: str) -> FileResponse:
    from shequ.xlsx import write_table

    unit = unit_for_user(request.user, code)
    on = _year_end(request)
    rows: list[list[Any]]
    if unit.is_village_level:
        headers = ["姓名", "联系电话", "培训日期", "任职日期"]
        officers = DisasterOfficer.objects.visible_to(request.user).filter(unit=unit, ended_on__isnull=True)
        rows = [[o.name, o.phone_masked, o.trained_on or "未培训", o.appointed_on] for o in officers]
    else:
        data = selectors.readiness(unit, on)
        headers = ["区划代码", "单位", "村（社区）数", "配备灾害信息员的村（社区）", "配备率", "应急避难场所", f"{on.year}年演练次数"]
        rows = [[c["unit"].code, c["unit"].name, c["villages"], c["covered"], round(c["covered"] / c["villages"], 4) if c["villages"] else "",
                 c["shelters"], c["drills"]] for c in data["children"]]
        rows.append([unit.code, f"{unit.name}（合计）", data["villages"], data["covered"],
                     round(data["covered"] / data["villages"], 4) if data["villages"] else "", data["shelters"], data["drills"]])
    stream = io.BytesIO()
    write_table(stream, headers, rows, title=f"{unit.name}应急准备", watermark=f"{request.user} {timezone.localtime():%Y-%m-%d %H:%M} 导出")
    audit.record(actor=request.user, action="care.readiness_exported", unit_code=unit.code, detail={"rows": len(rows)})  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=f"readiness_{unit.code}_{on.year}.xlsx")


def _unit_form(request: HttpRequest, code: str, form_class: type, template_title: str, save: Any) -> HttpResponse:
    unit = unit_for_user(request.user, code)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(unit, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, "已保存。")
            return redirect("care:readiness", code=unit.code)
    return render(request, "care/unit_form.html", {"unit": unit, "form": form, "title": template_title}, status=_status(request))


@login_required
def officer_new(request: HttpRequest, code: str) -> HttpResponse:
    return _unit_form(request, code, OfficerForm, "登记灾害信息员", lambda unit, d: services.add_disaster_officer(
        actor=request.user, unit_code=unit.code, **d))  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser


@login_required
def shelter_new(request: HttpRequest, code: str) -> HttpResponse:
    return _unit_form(request, code, ShelterForm, "登记应急避难场所", lambda unit, d: services.add_shelter(
        actor=request.user, unit_code=unit.code, **d))  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser


@login_required
def drill_new(request: HttpRequest, code: str) -> HttpResponse:
    return _unit_form(request, code, DrillForm, "记录应急演练", lambda unit, d: services.record_drill(
        actor=request.user, unit_code=unit.code, **d))  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser


@login_required
@require_POST
def officer_end(request: HttpRequest, pk: int) -> HttpResponse:
    """离任: the officer stops serving today (coverage counts them no longer)."""
    officer = get_visible_or_404(DisasterOfficer.objects.visible_to(request.user), pk=pk, ended_on__isnull=True)
    try:
        services.end_disaster_officer(actor=request.user, officer=officer)  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"{officer.name} 已登记离任。")
    return redirect("care:readiness", code=officer.unit_id)


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    if scope_prefix(request.user) is None:
        raise Http404("未找到")
    rows = selectors.notices_for(request.user)[:50]
    return render(request, "care/notices.html", {"notices": rows, "can_send": services.can_send_notices(request.user)})


@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not services.can_send_notices(user):
        raise Http404("未找到")
    own = user.unit
    units = [(own.code, own.name)] + [(c.code, f"— {c.name}") for c in own.children.order_by("code")]
    form = NoticeForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.send_notice(actor=user, unit_code=form.cleaned_data["unit"], kind=form.cleaned_data["kind"],
                                          title=form.cleaned_data["title"], body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, f"已发送给 {notice.recipient_count} 人。")
            return redirect("care:notice", pk=notice.pk)
    return render(request, "care/notice_form.html", {"form": form}, status=_status(request))


def _notice(request: HttpRequest, pk: int) -> Any:
    return get_visible_or_404(selectors.notices_for(request.user), pk=pk)


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    return render(request, "care/notice_detail.html", {"notice": notice, "rates": selectors.ack_rates(notice),
                                                        "can_send": services.can_send_notices(request.user)})


@login_required
def notice_rates(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    return render(request, "care/_ack_rates.html", {"notice": notice, "rates": selectors.ack_rates(notice)})


@login_required
@require_POST
def notice_resend(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    try:
        count = services.resend_notice(actor=request.user, notice=notice)  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已向 {count} 位未确认的接收人重发。")
    return redirect("care:notice", pk=notice.pk)


def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the message: anyone holding it confirms receipt (no login, the token is the key)."""
    recipient = NoticeRecipient.objects.select_related("notice").filter(token=token).first()
    if recipient is None:
        raise Http404("链接无效")
    if request.method == "POST":
        recipient = services.acknowledge(token=token, actor=request.user)
    return render(request, "care/acknowledge.html", {"recipient": recipient, "notice": recipient.notice})


@login_required
def opt_in(request: HttpRequest) -> HttpResponse:
    """A signed-in resident subscribes to emergency notices for their community."""
    resident = getattr(request.user, "resident_record", None)
    if resident is None:
        raise Http404("未找到")
    if request.method == "POST":
        services.set_opt_in(actor=request.user, resident=resident, opted_in=request.POST.get("opt_in") == "1")  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
        messages.success(request, "设置已保存。")
        return redirect("care:opt-in")
    return render(request, "care/opt_in.html", {"opted_in": EmergencyOptIn.objects.filter(resident=resident).exists()})


@login_required
@require_POST
def resident_opt_in(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _resident(request, resident_id)
    try:
        services.set_opt_in(actor=request.user, resident=resident, opted_in=request.POST.get("opt_in") == "1")  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("care:resident", resident_id=resident.pk)


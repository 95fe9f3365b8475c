"""Pages of the safety module: readiness and plans, warnings, call lists, crowded places, police, help plans."""

import io
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.models import User
from accounts.roles import Role
from accounts.scoping import get_visible_or_404, scope_prefix
from care.models import DisasterOfficer, EmergencyShelter
from people.masking import mask_name
from people.models import Resident
from people.permissions import can_see_restricted_tags
from places.selectors import unit_for_user
from safety import selectors, services
from safety.forms import (
    AssetForm,
    BroadcastForm,
    CallForm,
    ContactForm,
    HelpPlanForm,
    InspectionForm,
    NeedForm,
    PlaceForm,
    PlanForm,
    PoliceForm,
    ReasonForm,
    RoleForm,
    WarningForm,
)
from safety.models import CallTask, CrowdedPlace, EmergencyPlan, Inspection, NeedReason
from shequ.inputs import MAX_INT
from web.formerrors import add_service_errors


def _staff_only(request: HttpRequest) -> None:
    if not selectors.is_staff(request.user):
        raise Http404("未找到")



def _page(request: HttpRequest, rows: Any, size: int = 50) -> Any:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _workers(unit_code: str) -> list[tuple[str, str]]:
    rows = User.objects.filter(unit_id=unit_code, role=Role.COMMUNITY_WORKER, is_active=True).order_by("pk")  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
    return [(str(u.pk), u.display_name or u.username) for u in rows]


def _village(request: HttpRequest, code: str) -> Any:
    unit = unit_for_user(request.user, code)
    if not unit.is_village_level:
        raise Http404("未找到")
    return unit


# ---- readiness and plans ---------------------------------------------------------------------

@login_required
def index(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    return redirect("safety:readiness", code=request.user.unit_id)  # type: ignore[union-attr]  # staff have a unit


@login_required
def readiness(request: HttpRequest, code: str) -> HttpResponse:
    _staff_only(request)
    unit = unit_for_user(request.user, code)
    if unit.is_village_level:
        return redirect("safety:plan", code=unit.code)
    on = timezone.localdate()
    data = selectors.readiness(unit, on)
    gaps = selectors.gaps(unit.prefix, on) if len(unit.prefix) >= 9 else []
    served, villages = selectors.police_coverage(unit.prefix, on)
    return render(request, "safety/readiness.html", {"unit": unit, "data": data, "gaps": gaps, "year": on.year,
                                                     "review_days": selectors.review_days(), "police": (served, villages),
                                                     "police_rate": served / villages if villages else None})


@login_required
def readiness_export(request: HttpRequest, code: str) -> FileResponse:
    from shequ.xlsx import Percent, write_table

    _staff_only(request)
    unit = unit_for_user(request.user, code)
    on = timezone.localdate()
    if unit.is_village_level:
        raise Http404("未找到")
    data = selectors.readiness(unit, on)
    headers = ["区划代码", "单位", "村（社区）数", "已制定预案", "预案在有效期内", "岗位配齐", f"{on.year}年演练次数",
               "需协助转移人员", "已落实责任人", "预案现行率"]
    rows: list[list[Any]] = [[c["unit"].code, c["unit"].name, c["villages"], c["plans"], c["current"], c["roles_filled"],
                              c["drills"], c["needs"], c["helped"],
                              Percent(c["current"] / c["villages"] if c["villages"] else None)] for c in data["children"]]
    t = data["total"]
    rows.append([unit.code, f"{unit.name}（合计）", t["villages"], t["plans"], t["current"], t["roles_filled"], t["drills"],
                 t["needs"], t["helped"], Percent(t["current"] / t["villages"] if t["villages"] else None)])
    stream = io.BytesIO()
    write_table(stream, headers, rows, title=f"{unit.name}应急准备情况",
                watermark=f"{request.user} {timezone.localtime():%Y-%m-%d %H:%M} 导出")
    audit.record(actor=request.user, action="safety.readiness_exported", unit_code=unit.code, detail={"rows": len(rows)})  # type: ignore[arg-type]  # request.user is a User behind login_required
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=f"safety_readiness_{unit.code}.xlsx")


def _plan_context(request: HttpRequest, unit: Any) -> dict[str, Any]:
    plan = EmergencyPlan.objects.visible_to(request.user).filter(unit=unit).prefetch_related("shelters").first()
    on = timezone.localdate()
    people = [(f"u{pk}", name) for pk, name in _workers(unit.code)]
    people += [(f"o{o.pk}", f"{o.name}（灾害信息员）") for o in DisasterOfficer.objects.filter(unit=unit, ended_on__isnull=True)]
    candidates = (Resident.objects.visible_to(request.user).filter(unit=unit, status=Resident.Status.PRESENT,
                                                                   tags__tag__in=["living_alone", "severe_disability"])
                  .exclude(evacuation_need__isnull=False).distinct().order_by("pk")[:50])
    return {
        "unit": unit, "plan": plan, "gaps": selectors.gaps(unit.code, on),
        "roles": list(plan.roles.select_related("user", "officer")) if plan else [],
        "needs": [{"need": n, "name": mask_name(n.resident.name)} for n in selectors.needs_of(plan)] if plan else [],
        "candidates": [{"resident": r, "name": mask_name(r.name)} for r in candidates],
        "versions": plan.versions.select_related("saved_by")[:10] if plan else [],
        "role_form": RoleForm(people=people), "need_form": NeedForm(workers=_workers(unit.code)),
        "asset_form": AssetForm(), "reasons": NeedReason.choices, "workers": _workers(unit.code),
    }


@login_required
def plan(request: HttpRequest, code: str) -> HttpResponse:
    _staff_only(request)
    unit = _village(request, code)
    return render(request, "safety/plan.html", _plan_context(request, unit))


@login_required
def plan_edit(request: HttpRequest, code: str) -> HttpResponse:
    _staff_only(request)
    unit = _village(request, code)
    current = EmergencyPlan.objects.filter(unit=unit).first()
    shelters = list(EmergencyShelter.objects.filter(unit=unit).values_list("pk", "name"))
    initial = {"hazards": current.hazards, "routes": current.routes, "reviewed_on": current.reviewed_on,
               "shelter_ids": [str(pk) for pk in current.shelters.values_list("pk", flat=True)]} if current else {
        "reviewed_on": timezone.localdate()}
    form = PlanForm(request.POST or None, initial=initial, shelters=shelters)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.save_plan(actor=request.user, unit_code=unit.code, hazards=d["hazards"], routes=d["routes"],  # type: ignore[arg-type]  # request.user is a User behind login_required
                                       reviewed_on=d["reviewed_on"], shelter_ids=[int(x) for x in d["shelter_ids"]])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存应急预案（第 {saved.version} 版）。")
            return redirect("safety:plan", code=unit.code)
    return render(request, "safety/form.html", {"form": form, "title": f"{unit.name}应急预案"},
                  status=400 if request.method == "POST" else 200)


def _plan_post(request: HttpRequest, code: str, form: Any, save: Any) -> HttpResponse:
    _staff_only(request)
    unit = _village(request, code)
    plan = EmergencyPlan.objects.visible_to(request.user).filter(unit=unit).first()
    if plan is None:
        messages.error(request, "请先制定应急预案。")
        return redirect("safety:plan", code=unit.code)
    if form.is_valid():
        try:
            text = save(plan, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, text)
            return redirect("safety:plan", code=unit.code)
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    context = _plan_context(request, unit)
    return render(request, "safety/plan.html", context, status=400)


def _user_in(unit_code: str, raw: str) -> User | None:
    if not raw:
        return None
    found = User.objects.filter(pk=int(raw) if raw.isdigit() else 0, unit_id=unit_code).first()  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
    if found is None:
        raise ValidationError("所选人员不属于本村（社区）。")
    return found


@login_required
@require_POST
def plan_role(request: HttpRequest, code: str) -> HttpResponse:
    unit_people = [(k, k) for k in request.POST.getlist("person") if k]

    def save(plan: EmergencyPlan, d: dict[str, Any]) -> str:
        person = d.get("person") or ""
        user = _user_in(plan.unit_id, person[1:]) if person.startswith("u") else None
        officer = None
        if person.startswith("o"):
            officer = DisasterOfficer.objects.filter(pk=int(person[1:]) if person[1:].isdigit() else 0, unit_id=plan.unit_id).first()  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
            if officer is None:
                raise ValidationError("所选灾害信息员不在本村（社区）任职。")
        row = services.set_plan_role(actor=request.user, plan=plan, role=d["role"], user=user, officer=officer)  # type: ignore[arg-type]  # request.user is a User behind login_required
        return f"已设置“{row.get_role_display()}”：{row.person() or '空缺'}。"

    return _plan_post(request, code, RoleForm(request.POST, people=unit_people), save)


@login_required
@require_POST
def plan_need(request: HttpRequest, code: str) -> HttpResponse:
    def save(plan: EmergencyPlan, d: dict[str, Any]) -> str:
        resident = Resident.objects.visible_to(request.user).filter(pk=d["resident_id"], unit_id=plan.unit_id).first()  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes
        if resident is None:
            raise ValidationError("该居民不在本村（社区）。")
        helper = _user_in(plan.unit_id, d.get("helper") or "")
        services.set_evacuation_need(actor=request.user, resident=resident, reason=d["reason"], helper=helper)  # type: ignore[arg-type]  # request.user is a User behind login_required
        return f"已登记需协助转移居民 {mask_name(resident.name)}。"

    return _plan_post(request, code, NeedForm(request.POST, workers=_workers(code)), save)


@login_required
@require_POST
def plan_asset(request: HttpRequest, code: str) -> HttpResponse:
    def save(plan: EmergencyPlan, d: dict[str, Any]) -> str:
        asset = services.add_asset(actor=request.user, plan=plan, name=d["name"], quantity=d["quantity"],  # type: ignore[arg-type]  # request.user is a User behind login_required
                                   checked_on=d.get("checked_on"))
        return f"已登记装备物资 {asset.name}。"

    return _plan_post(request, code, AssetForm(request.POST), save)


# ---- warnings --------------------------------------------------------------------------------

@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    can_send = getattr(request.user, "role", "") in services.WARNING_SENDER_ROLES
    return render(request, "safety/warning_list.html", {"page": _page(request, selectors.warnings(request.user)),
                                                        "can_send": can_send})


def split_area(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,，、;；]+", text) if c]


@login_required
def warning_new(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    if getattr(request.user, "role", "") not in services.WARNING_SENDER_ROLES:
        raise Http404("未找到")
    form = WarningForm(request.POST or None, initial={"area": request.user.unit_id})  # type: ignore[union-attr]  # staff have a unit
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            w = services.issue_warning(actor=request.user, kind=d["kind"], level=d["level"], title=d["title"], body=d["body"],  # type: ignore[arg-type]  # request.user is a User behind login_required
                                       issuer=d["issuer"], area=split_area(d["area"]), valid_from=d.get("valid_from"),
                                       valid_until=d.get("valid_until"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已发布预警“{w.title}”，送达 {w.recipient_count} 人，另有 {w.calls.count()} 位需协助居民列入电话/上门通知清单。")
            return redirect("safety:warning", pk=w.pk)
    return render(request, "safety/form.html", {"form": form, "title": "发布预警"},
                  status=400 if request.method == "POST" else 200)


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    warning = get_visible_or_404(selectors.warnings(request.user), pk=pk)
    pending = [{"r": r, "name": mask_name(r.name)} for r in selectors.unacknowledged(warning, request.user)[:200]]
    return render(request, "safety/warning_detail.html", {
        "warning": warning, "progress": selectors.warning_progress(warning, request.user), "pending": pending,
        "points": selectors.broadcast_points(request.user, warning),
        "can_escalate": getattr(request.user, "role", "") in services.WARNING_SENDER_ROLES})


@login_required
@require_POST
def warning_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    warning = get_visible_or_404(selectors.warnings(request.user), pk=pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, "请确认后再催办。")
        return redirect("safety:warning", pk=pk)
    try:
        count = services.escalate_warning(actor=request.user, warning=warning)  # type: ignore[arg-type]  # request.user is a User behind login_required
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已向 {count} 位未确认的接收人再次发送，并提醒所在乡镇（街道）。")
    return redirect("safety:warning", pk=pk)


@login_required
def calls(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    rows = selectors.calls_for(request.user)
    warning = request.GET.get("warning", "")
    if warning.isdigit() and int(warning) <= MAX_INT:
        rows = rows.filter(warning_id=int(warning))
    page = _page(request, rows)
    return render(request, "safety/calls.html", {"page": page, "rows": [
        {"task": t, "name": mask_name(t.resident.name)} for t in page.object_list], "form": CallForm()})


@login_required
@require_POST
def call_done(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    task = get_visible_or_404(CallTask.objects.visible_to(request.user), pk=pk)
    form = CallForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写通知结果（如 已电话告知、已协助转移）。")
        services.complete_call(actor=request.user, task=task, outcome=form.cleaned_data["outcome"])  # type: ignore[arg-type]  # request.user is a User behind login_required
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已记录通知结果。")
    return redirect("safety:calls")


@login_required
def broadcast(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    from safety.models import BroadcastPoint

    form = BroadcastForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # staff have a unit
    if request.method == "POST" and form.is_valid():
        try:
            p = services.add_broadcast_point(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]  # request.user is a User behind login_required
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记应急广播点 {p.name}。")
            return redirect("safety:broadcast")
    page = _page(request, BroadcastPoint.objects.visible_to(request.user).select_related("unit"))
    return render(request, "safety/broadcast.html", {"page": page, "form": form},
                  status=400 if request.method == "POST" else 200)


# ---- crowded places ----------------------------------------------------------------------------

@login_required
def places(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    overdue = request.GET.get("overdue") == "1"
    workers = _workers(request.user.unit_id or "")  # type: ignore[union-attr]  # staff have a unit
    form = PlaceForm(request.POST or None, initial={"unit_code": request.user.unit_id}, workers=workers)  # type: ignore[union-attr]  # staff have a unit
    if request.method == "POST":
        form = PlaceForm(request.POST, workers=_workers(request.POST.get("unit_code", "")[:12]))
        if form.is_valid():
            d = dict(form.cleaned_data)
            try:
                d["grid_member"] = _user_in(d["unit_code"], d.get("grid_member") or "")
                p = services.add_place(actor=request.user, **d)  # type: ignore[arg-type]  # request.user is a User behind login_required
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已登记场所 {p.name}。")
                return redirect("safety:place", pk=p.pk)
    on = timezone.localdate()
    overdue_ids = set(selectors.overdue_inspections(on).values_list("place_id", flat=True))
    page = _page(request, selectors.places(request.user, overdue=overdue, on=on))
    return render(request, "safety/places.html", {"page": page, "form": form, "overdue": overdue, "overdue_ids": overdue_ids},
                  status=400 if request.method == "POST" else 200)


@login_required
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    place = get_visible_or_404(CrowdedPlace.objects.visible_to(request.user).select_related("unit", "grid_member"), pk=pk)
    form = InspectionForm(request.POST or None, initial={"inspected_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_inspection(actor=request.user, place=place, inspected_on=d["inspected_on"],  # type: ignore[arg-type]  # request.user is a User behind login_required
                                       findings=d["findings"], correct_by=d.get("correct_by"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已记录检查。")
            return redirect("safety:place", pk=place.pk)
    on = timezone.localdate()
    return render(request, "safety/place_detail.html", {
        "place": place, "form": form, "today": on,
        "inspections": place.inspections.select_related("inspector")}, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def inspection_corrected(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    row = get_visible_or_404(Inspection.objects.visible_to(request.user).select_related("place"), pk=pk)
    try:
        services.record_correction(actor=request.user, inspection=row)  # type: ignore[arg-type]  # request.user is a User behind login_required
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已记录复查合格。")
    return redirect("safety:place", pk=row.place_id)


# ---- police --------------------------------------------------------------------------------------

@login_required
def police(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = PoliceForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # staff have a unit
    if request.method == "POST" and form.is_valid():
        try:
            post = services.add_police_post(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]  # request.user is a User behind login_required
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记{post.get_role_display()} {post.name}。")
            return redirect("safety:police")
    prefix = scope_prefix(request.user) or "-"
    served, villages = selectors.police_coverage(prefix, timezone.localdate())
    page = _page(request, selectors.police(request.user))
    return render(request, "safety/police.html", {"page": page, "form": form, "served": served, "villages": villages},
                  status=400 if request.method == "POST" else 200)


# ---- help plans (restricted) ------------------------------------------------------------------------

def _right_only(request: HttpRequest) -> None:
    if not can_see_restricted_tags(request.user) or scope_prefix(request.user) is None:
        raise Http404("未找到")


@login_required
def help_list(request: HttpRequest) -> HttpResponse:
    _right_only(request)
    on = timezone.localdate()
    form = HelpPlanForm(request.POST or None, workers=_workers(request.user.unit_id or ""))  # type: ignore[union-attr]  # staff have a unit
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            resident = Resident.objects.visible_to(request.user).filter(pk=d.pop("resident_id")).first()
            if resident is None:
                raise ValidationError({"resident_id": ["该居民不在您的管辖范围内。"]})
            d["worker"] = _user_in(resident.unit_id, d.get("worker") or "")
            p = services.create_help_plan(actor=request.user, resident=resident, **d)  # type: ignore[arg-type]  # request.user is a User behind login_required
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已建立帮扶计划。")
            return redirect(f"/safety/help/{p.pk}/?reason=建立帮扶计划")
    page = _page(request, selectors.help_plans(request.user))
    rows = [{"plan": p, "name": mask_name(p.resident.name), "status": selectors.contact_status(p, on)} for p in page.object_list]
    audit.record(actor=request.user, action="safety.help_list_viewed", unit_code=request.user.unit_id or "",  # type: ignore[arg-type, union-attr]  # request.user is a User behind login_required
                 detail={"rows": len(rows)})
    return render(request, "safety/help_list.html", {"page": page, "rows": rows, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def help_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _right_only(request)
    plan = get_visible_or_404(selectors.help_plans(request.user), pk=pk)
    reason = ReasonForm(request.GET if "reason" in request.GET else None)
    if not reason.is_bound or not reason.is_valid():
        return render(request, "safety/help_reason.html", {"form": reason, "plan_id": plan.pk})
    try:
        services.open_help_plan(actor=request.user, plan=plan, reason=reason.cleaned_data["reason"])  # type: ignore[arg-type]  # request.user is a User behind login_required
    except ValidationError as exc:
        reason.add_error(None, exc)
        return render(request, "safety/help_reason.html", {"form": reason, "plan_id": plan.pk}, status=400)
    return render(request, "safety/help_detail.html", {
        "plan": plan, "name": mask_name(plan.resident.name), "status": selectors.contact_status(plan, timezone.localdate()),
        "contacts": plan.contacts.select_related("by"), "form": ContactForm(), "reason": reason.cleaned_data["reason"]})


@login_required
@require_POST
def help_contact(request: HttpRequest, pk: int) -> HttpResponse:
    _right_only(request)
    plan = get_visible_or_404(selectors.help_plans(request.user), pk=pk)
    form = ContactForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写联系日期和方式。")
        services.record_help_contact(actor=request.user, plan=plan, **form.cleaned_data)  # type: ignore[arg-type]  # request.user is a User behind login_required
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已记录联系。")
    return redirect(f"/safety/help/{plan.pk}/?reason=记录联系")


@login_required
def help_figures(request: HttpRequest) -> HttpResponse:
    """Counts only, by county — never names; even counts need the right (a count of one names a person)."""
    _right_only(request)
    rows = selectors.help_figures(scope_prefix(request.user) or "-", timezone.localdate())
    return render(request, "safety/help_figures.html", {"rows": rows})

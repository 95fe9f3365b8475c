"""Pages of the activities module: residents' activities on the phone, staff publishing and figures, the building
programme, pilots, joint meetings and the community archive. Thin: the rules live in services."""

import datetime as dt
import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Role
from accounts.scoping import get_visible_or_404
from activities import forms as f
from activities import selectors, services
from activities.models import (
    ActivityPhoto,
    ArchiveEntry,
    ArchiveKind,
    CommunityActivity,
    MeetingTask,
    Participation,
    Project,
)
from volunteers.services import CODE_ROTATION_SECONDS
from web.formerrors import add_service_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff_only(request: HttpRequest) -> None:
    if not selectors.is_staff(request.user):
        raise Http404("未找到")



def _flash(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _page(request: HttpRequest, rows: Any, size: int = 50) -> Any:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _activity(request: HttpRequest, pk: int) -> CommunityActivity:
    return get_visible_or_404(selectors.activities(request.user), pk=pk)


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", "")[:10])
    except ValueError:
        start = today.replace(month=1, day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", "")[:10])
    except ValueError:
        end = today
    from shequ.inputs import date_error

    if end < start or (end - start).days > 3660 or date_error(start, label="起") or date_error(end, label="止"):
        start, end = today.replace(month=1, day=1), today
    return start, end


# ---------------------------------------------------------------- residents and staff: activities

@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    if selectors.is_staff(request.user):
        rows = selectors.activities(request.user).order_by("-starts_at", "pk")
        return render(request, "activities/activity_list.html", {"page": _page(request, rows), "staff": True})
    if getattr(request.user, "role", "") != Role.RESIDENT:
        raise Http404("未找到")
    return render(request, "activities/activity_list.html", {
        "feed": selectors.resident_feed(request.user), "own_unit": request.user.unit_id,  # type: ignore[union-attr]  # signed in
        "mine": selectors.own_participations(request.user)[:10], "staff": False})


def _unit_choices(request: HttpRequest) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    from facilities.models import Facility, Space

    spaces = [(s.pk, f"{s.unit_id} {s.name}") for s in Space.objects.visible_to(request.user).filter(is_active=True)[:300]]
    facilities = [(x.pk, f"{x.unit_id} {x.name}") for x in Facility.objects.visible_to(request.user)[:300]]
    return spaces, facilities


@login_required
def activity_add(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    from facilities.models import Facility, Space

    spaces, facilities = _unit_choices(request)
    form = f.ActivityForm(request.POST or None, spaces=spaces, facilities=facilities,
                          initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # staff are signed in
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["space"] = Space.objects.visible_to(request.user).filter(pk=data["space"]).first() if data["space"] else None
        data["facility"] = (Facility.objects.visible_to(request.user).filter(pk=data["facility"]).first()
                            if data["facility"] else None)
        try:
            activity = services.publish_activity(actor=request.user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已发布活动 {activity.title}。")
            return redirect("activities:activity", pk=activity.pk)
    return render(request, "activities/form.html", {"form": form, "title": "发布社区活动", "button": "发布"},
                  status=400 if request.method == "POST" else 200)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    staff = selectors.is_staff(request.user)
    mine = Participation.objects.filter(activity=activity, account_id=request.user.pk).first()
    context: dict[str, Any] = {"a": activity, "staff": staff, "mine": mine, "rate_form": f.RateForm(),
                               "photos": activity.photos.all(), "started": activity.starts_at <= timezone.now()}
    if staff:
        context["participants"] = (Participation.objects.filter(activity=activity, status="signed_up")
                                   .select_related("account").order_by("pk"))
        context["archived"] = ArchiveEntry.objects.filter(source=f"activities.communityactivity:{activity.pk}").exists()
    return render(request, "activities/activity_detail.html", context)


@login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    account = None
    if selectors.is_staff(request.user):
        from accounts.models import User

        username = request.POST.get("username", "").strip()[:150]
        account = User.objects.filter(username=username, role=Role.RESIDENT).first()
        if account is None:
            messages.error(request, "请填写要代报名的居民账户名。")
            return redirect("activities:activity", pk=activity.pk)
    try:
        services.sign_up(actor=request.user, activity=activity, account=account)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"报名成功：{activity.title}。活动前一天会提醒您。")
    return redirect("activities:activity", pk=activity.pk)


@login_required
@require_POST
def participation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    joined = get_visible_or_404(Participation.objects.visible_to(request.user), pk=pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, "请确认取消报名。")
        return redirect("activities:activity", pk=joined.activity_id)
    try:
        services.cancel_sign_up(actor=request.user, participation=joined)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已取消报名。")
    return redirect("activities:activity", pk=joined.activity_id)


@login_required
@require_POST
def participation_rate(request: HttpRequest, pk: int) -> HttpResponse:
    joined = get_visible_or_404(Participation.objects.filter(account_id=request.user.pk), pk=pk)
    try:
        services.rate(actor=request.user, participation=joined, level=request.POST.get("rating"),
                      note=request.POST.get("rating_note", ""))
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "感谢您的评价。")
    return redirect("activities:activity", pk=joined.activity_id)


@login_required
def activity_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's phone: the rotating check-in QR (the volunteers module's codes, this module's salt)."""
    _staff_only(request)
    activity = _activity(request, pk)
    code = services.checkin_code(activity)
    link = request.build_absolute_uri(reverse("activities:checkin") + f"?code={code}")
    return render(request, "activities/activity_code.html", {
        "a": activity, "code": code, "qr": segno.make(link, error="m").svg_inline(scale=5),
        "refresh": CODE_ROTATION_SECONDS})


@login_required
@require_POST
def activity_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    activity = _activity(request, pk)
    try:
        ids = [int(x) for x in request.POST.getlist("attended")]
        came = services.record_attendance(actor=request.user, activity=activity, attended=ids)
    except ValueError:
        messages.error(request, "出席名单格式不正确。")
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"已登记出席 {came} 人。")
    return redirect("activities:activity", pk=activity.pk)


@login_required
@require_POST
def activity_photo(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    activity = _activity(request, pk)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, "请选择照片。")
        return redirect("activities:activity", pk=activity.pk)
    try:
        services.add_photo(actor=request.user, activity=activity, upload=upload)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已上传活动照片。")
    return redirect("activities:activity", pk=activity.pk)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    visible = CommunityActivity.objects.visible_to(request.user).values("pk")
    found = get_visible_or_404(ActivityPhoto.objects.filter(activity__in=visible), pk=pk)
    return FileResponse(found.image.open("rb"), content_type="image/" + found.image.name.rsplit(".", 1)[-1].replace("jpg", "jpeg"))


@login_required
@require_POST
def activity_archive(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    activity = _activity(request, pk)
    try:
        services.file_record(actor=request.user, obj=activity)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已将活动记录归入社区档案。")
    return redirect("activities:activity", pk=activity.pk)


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    """What the scanned QR opens: the resident confirms with one tap (a POST, so a link alone changes nothing)."""
    form = f.CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")[:300]})
    if request.method == "POST" and form.is_valid():
        try:
            joined = services.check_in(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"签到成功：{joined.activity.title}。")
            return redirect("activities:activity", pk=joined.activity_id)
    return render(request, "activities/form.html", {"form": form, "title": "活动签到", "button": "确认签到"},
                  status=400 if request.method == "POST" else 200)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "activities/me.html", {"rows": selectors.own_participations(request.user)[:200]})


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    start, end = _period(request)
    prefix = selectors.subtree_prefix(request.user, request.GET.get("unit", "")[:12])
    return render(request, "activities/figures.html", {
        "start": start, "end": end, "prefix": prefix, "fig": selectors.activity_figures(prefix, start, end),
        "use": selectors.facility_use(prefix, start, end)[:200]})


@login_required
def action_evidence(request: HttpRequest, number: int) -> HttpResponse:
    """The activities a 专栏2 special action cites, for a department's progress report."""
    _staff_only(request)
    from django.apps import apps

    action = None
    if apps.is_installed("planning"):
        from planning.models import SpecialAction

        action = SpecialAction.objects.filter(number=number).first()
    rows = selectors.evidence(number, selectors.subtree_prefix(request.user))
    return render(request, "activities/evidence.html", {"number": number, "action": action, "page": _page(request, rows)})


# ---------------------------------------------------------------- the building programme

def _facility_choices(request: HttpRequest) -> list[tuple[int, str]]:
    from facilities.models import Facility

    return [(x.pk, f"{x.unit_id} {x.name}") for x in Facility.objects.visible_to(request.user)[:300]]


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    from facilities.models import Facility

    form = f.ProjectForm(request.POST or None, facilities=_facility_choices(request),
                         initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # staff are signed in
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["facility"] = (Facility.objects.visible_to(request.user).filter(pk=data["facility"]).first()
                            if data["facility"] else None)
        try:
            project = services.create_project(actor=request.user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记项目 {project.name}。")
            return redirect("activities:project", pk=project.pk)
    return render(request, "activities/project_list.html", {"page": _page(request, selectors.projects(request.user)),
                                                            "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def programme(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    prefix = selectors.subtree_prefix(request.user, request.GET.get("unit", "")[:12])
    return render(request, "activities/programme.html", {"p": selectors.programme(prefix), "prefix": prefix})


def _project(request: HttpRequest, pk: int) -> Project:
    return get_visible_or_404(selectors.projects(request.user), pk=pk)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    project = _project(request, pk)
    return render(request, "activities/project_detail.html", {
        "p": project, "fundings": project.fundings.all(), "milestones": project.milestones.all(),
        "funding_form": f.FundingForm(), "milestone_form": f.MilestoneForm(), "inspect_form": f.InspectForm(),
        "complete_form": f.CompleteForm()})


def _project_step(request: HttpRequest, pk: int, form_class: Any, run: Any, done: str) -> HttpResponse:
    _staff_only(request)
    project = _project(request, pk)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" if k in form.fields else v[0]
                                         for k, v in form.errors.items()))
        return redirect("activities:project", pk=project.pk)
    try:
        run(project, form.cleaned_data)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, done)
    return redirect("activities:project", pk=project.pk)


@login_required
@require_POST
def project_funding(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_step(request, pk, f.FundingForm, lambda p, d: services.add_funding(
        actor=request.user, project=p, source=d["source"], amount=d["amount"]), "已登记资金。")


@login_required
@require_POST
def project_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_step(request, pk, f.MilestoneForm, lambda p, d: services.add_milestone(
        actor=request.user, project=p, reached_on=d["reached_on"], title=d["title"], upload=d.get("photo")), "已登记节点。")


@login_required
@require_POST
def project_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_step(request, pk, f.InspectForm, lambda p, d: services.inspect_project(
        actor=request.user, project=p, inspected_on=d["inspected_on"], note=d["note"]), "已登记验收。")


@login_required
@require_POST
def project_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_step(request, pk, f.CompleteForm, lambda p, d: services.complete_project(
        actor=request.user, project=p, completed_on=d["completed_on"], building_area=d["building_area"],
        activity_area=d["activity_area"]), "项目已完工投用，设施台账已同步更新。")


@login_required
@require_POST
def project_archive(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    project = _project(request, pk)
    try:
        services.file_record(actor=request.user, obj=project)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已将项目档案归入社区档案。")
    return redirect("activities:project", pk=project.pk)


# ---------------------------------------------------------------- pilots and joint meetings

@login_required
def pilot_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = f.PilotForm(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # signed in
    if request.method == "POST" and form.is_valid():
        try:
            services.designate_pilot(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记试点。")
            return redirect("activities:pilots")
    return render(request, "activities/pilot_list.html", {"page": _page(request, selectors.pilots(request.user)),
                                                          "form": form, "evaluate_form": f.EvaluateForm()},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def pilot_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    pilot = get_visible_or_404(selectors.pilots(request.user), pk=pk)
    form = f.EvaluateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写评估结果和评估日期。")
        return redirect("activities:pilots")
    try:
        services.evaluate_pilot(actor=request.user, pilot=pilot, **form.cleaned_data)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已登记评估。")
    return redirect("activities:pilots")


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = f.MeetingForm(request.POST or None, initial={"unit_code": (request.user.unit_id or "")[:9] + "000"})  # type: ignore[union-attr]  # signed in
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.hold_meeting(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记联席会议。")
            return redirect("activities:meeting", pk=meeting.pk)
    return render(request, "activities/meeting_list.html", {"page": _page(request, selectors.meetings(request.user)),
                                                            "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    meeting = get_visible_or_404(selectors.meetings(request.user), pk=pk)
    form = f.TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_task(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已交办任务。")
            return redirect("activities:meeting", pk=meeting.pk)
    return render(request, "activities/meeting_detail.html", {
        "m": meeting, "tasks": meeting.tasks.all(), "form": form, "done_form": f.TaskDoneForm()},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    task = get_visible_or_404(MeetingTask.objects.visible_to(request.user), pk=pk)
    form = f.TaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写完成日期和完成情况。")
    else:
        try:
            services.finish_task(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, "任务已办结。")
    return redirect("activities:meeting", pk=task.meeting_id)


# ---------------------------------------------------------------- the community archive

def _archive_filters(request: HttpRequest) -> dict[str, Any]:
    try:
        year = int(request.GET.get("year", "") or 0)
    except ValueError:
        year = 0
    kind = request.GET.get("kind", "")
    return {"year": year if 2000 <= year <= 2100 else None, "kind": kind if kind in ArchiveKind.values else "",
            "query": request.GET.get("q", "").strip()[:50]}


@login_required
def archive_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = f.ArchiveForm(request.POST or None, request.FILES or None,
                         initial={"unit_code": request.user.unit_id, "year": timezone.localdate().year})  # type: ignore[union-attr]  # signed in
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            entry = services.file_entry(actor=request.user, unit_code=d["unit_code"], year=d["year"], kind=d["kind"],
                                        title=d["title"], upload=d["file"], retention=d["retention"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已归档：{entry.title}。")
            return redirect("activities:archive")
    filters = _archive_filters(request)
    return render(request, "activities/archive_list.html", {
        "page": _page(request, selectors.archive(request.user, **filters)), "form": form, "filters": filters,
        "kinds": ArchiveKind.choices, "query": request.GET.urlencode()},
        status=400 if request.method == "POST" else 200)


@login_required
def archive_export(request: HttpRequest) -> HttpResponse:
    """The archive package (zip: 目录.xlsx + files) of the filtered entries; ?part=catalogue gives the catalogue alone."""
    _staff_only(request)
    entries = list(selectors.archive(request.user, **_archive_filters(request))[:5000])
    if request.GET.get("part") == "catalogue":
        out = io.BytesIO()
        services.write_catalogue(out, entries)
        response = HttpResponse(out.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="catalogue.xlsx"'
        return response
    response = HttpResponse(services.archive_package(entries), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="archive-{timezone.localdate():%Y%m%d}.zip"'
    return response


@login_required
def archive_file(request: HttpRequest, pk: int) -> FileResponse:
    _staff_only(request)
    entry = get_visible_or_404(ArchiveEntry.objects.visible_to(request.user), pk=pk)
    if entry.destroyed_at is not None or not entry.file:
        raise Http404("该档案已销毁")
    return FileResponse(entry.file.open("rb"), as_attachment=True, filename=entry.file_name)


@login_required
@require_POST
def archive_destroy(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    entry = get_visible_or_404(ArchiveEntry.objects.visible_to(request.user), pk=pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, "请确认销毁。")
        return redirect("activities:archive")
    try:
        services.destroy_entry(actor=request.user, entry=entry, note=request.POST.get("note", ""))
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"已销毁：{entry.title}（目录保留销毁记录）。")
    return redirect("activities:archive")

"""Pages: facility and service-point registers, a unit's overview and map, spaces and bookings."""

import datetime as dt
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.roles import Role
from accounts.scoping import scope_prefix
from facilities import importers, selectors, services
from facilities.conf import circle_radius_m, map_tile_attribution, map_tile_url
from facilities.forms import (
    BookingForm,
    DecisionForm,
    FacilityForm,
    ImportForm,
    PhotoForm,
    PointForm,
    ProfileForm,
    SpaceForm,
)
from facilities.models import BookingStatus, FacilityKind, FacilityStatus, PointKind
from places.codes import within
from places.models import OrgUnit
from shequ.files import stored_file_response
from shequ.inputs import check_date
from shequ.middleware import refusal

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff(request: HttpRequest) -> Any:
    """Register pages are for staff with a place scope; everyone else gets 404."""
    user: Any = request.user
    if scope_prefix(user) is None or user.role == Role.RESIDENT:
        raise Http404("未找到")
    return user


def _status(request: HttpRequest) -> int:
    """A form shown again after a POST was refused: 400, so that nothing mistakes it for success."""
    return 400 if request.method == "POST" else 200


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def _filtered(request: HttpRequest, queryset: Any, kinds: Any) -> tuple[Any, dict[str, str]]:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "status", "unit")}
    if params["q"]:
        queryset = queryset.filter(name__icontains=params["q"])
    if params["kind"] in kinds.values:
        queryset = queryset.filter(kind=params["kind"])
    if params["status"] in FacilityStatus.values:
        queryset = queryset.filter(status=params["status"])
    if params["unit"]:
        unit = OrgUnit.objects.filter(code=params["unit"]).first()
        queryset = queryset.filter(within("unit_id", unit.prefix)) if unit else queryset.none()
    return queryset, params


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# ---------------------------------------------------------------- facilities

@login_required
def facility_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    queryset, params = _filtered(request, selectors.facilities_for(user).order_by("unit_id", "kind", "name"), FacilityKind)
    context = {"page": _page(request, queryset), "params": params, "query": _query(request),
               "kinds": FacilityKind.choices, "statuses": FacilityStatus.choices}
    return render(request, "facilities/facility_list.html", context)


@login_required
def facility_export(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    queryset, params = _filtered(request, selectors.facilities_for(user).prefetch_related("services"), FacilityKind)
    stream = BytesIO()
    count = importers.export(stream, importers.FACILITY_COLUMNS, queryset.iterator(chunk_size=2000),
                             importers.facility_row, title="服务设施")
    audit.record(actor=user, action="facilities.facility_export", unit_code=user.unit_id or "",
                 detail={"rows": count, "filters": params})
    return _xlsx(stream.getvalue(), "服务设施.xlsx")


@login_required
def facility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    facility = selectors.facility_for_user(user, pk)
    return render(request, "facilities/facility_detail.html",
                  {"facility": facility, "photo_form": PhotoForm(), "spaces": facility.spaces.all()})


@login_required
def facility_create(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = FacilityForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.create_facility(actor=user, data=form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "设施已登记。")
            return redirect("facilities:detail", pk=facility.pk)
    return render(request, "facilities/form.html", {"form": form, "title": "登记服务设施",
                                                    "cancel": reverse("facilities:list")}, status=_status(request))


@login_required
def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    facility = selectors.facility_for_user(user, pk)
    form = FacilityForm(request.POST or None, user=user, initial=FacilityForm.initial_for(facility))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_facility(actor=user, facility=facility, data=form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "设施信息已保存。")
            return redirect("facilities:detail", pk=facility.pk)
    return render(request, "facilities/form.html", {"form": form, "title": f"编辑：{facility.name}",
                                                    "cancel": reverse("facilities:detail", args=[pk])}, status=_status(request))


@require_POST
@login_required
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    facility = selectors.facility_for_user(user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_photo(actor=user, facility=facility, upload=form.cleaned_data["image"],
                               caption=form.cleaned_data["caption"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "照片已上传。")
    else:
        messages.error(request, "请选择要上传的照片。")
    return redirect("facilities:detail", pk=pk)


@login_required
def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    """A facility photo, served only to those who may see the facility (media is never public)."""
    photo = selectors.photo_for_user(_staff(request), pk)
    return stored_file_response(
        photo.image, content_type="image/jpeg" if photo.image.name.lower().endswith((".jpg", ".jpeg")) else "image/png")


@require_POST
@login_required
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    photo = selectors.photo_for_user(user, pk)
    facility_pk = photo.facility_id
    services.delete_photo(actor=user, photo=photo)
    messages.success(request, "照片已删除。")
    return redirect("facilities:detail", pk=facility_pk)


# ---------------------------------------------------------------- import and templates

@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        run = {"facilities": importers.import_facilities, "points": importers.import_service_points,
               "profiles": importers.import_profiles}[form.cleaned_data["which"]]
        result = run(form.cleaned_data["file"], actor=user)
        if result.ok:
            messages.success(request, f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。")
            return redirect("facilities:import")
        if request.POST.get("report"):
            stream = BytesIO()
            from shequ.xlsx import write_error_report

            write_error_report(stream, result.errors)
            return _xlsx(stream.getvalue(), "错误报告.xlsx")
    columns = {key: [c.header for c in cols] for key, (cols, _) in importers.TEMPLATES.items()}
    return render(request, "facilities/import.html", {"form": form, "result": result, "columns": columns},
                  status=_status(request))


@login_required
def import_template(request: HttpRequest, which: str) -> HttpResponse:
    _staff(request)
    if which not in importers.TEMPLATES:
        raise Http404("未找到")
    stream = BytesIO()
    importers.write_import_template(stream, which)
    return _xlsx(stream.getvalue(), f"{importers.TEMPLATES[which][1]}模板.xlsx")


# ---------------------------------------------------------------- service points

@login_required
def point_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    queryset, params = _filtered(request, selectors.points_for(user).order_by("unit_id", "kind", "name"), PointKind)
    context = {"page": _page(request, queryset), "params": params, "query": _query(request),
               "kinds": PointKind.choices, "statuses": FacilityStatus.choices}
    return render(request, "facilities/point_list.html", context)


@login_required
def point_export(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    queryset, params = _filtered(request, selectors.points_for(user), PointKind)
    stream = BytesIO()
    count = importers.export(stream, importers.POINT_COLUMNS, queryset, importers.point_row, title="便民服务网点")
    audit.record(actor=user, action="facilities.point_export", unit_code=user.unit_id or "",
                 detail={"rows": count, "filters": params})
    return _xlsx(stream.getvalue(), "便民服务网点.xlsx")


@login_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    return render(request, "facilities/point_detail.html", {"point": selectors.point_for_user(user, pk)})


@login_required
def point_create(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = PointForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.create_point(actor=user, data=form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "网点已登记。")
            return redirect("facilities:point", pk=point.pk)
    return render(request, "facilities/form.html", {"form": form, "title": "登记便民服务网点",
                                                    "cancel": reverse("facilities:points")}, status=_status(request))


@login_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    point = selectors.point_for_user(user, pk)
    form = PointForm(request.POST or None, user=user, initial=PointForm.initial_for(point))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_point(actor=user, point=point, data=form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "网点信息已保存。")
            return redirect("facilities:point", pk=pk)
    return render(request, "facilities/form.html", {"form": form, "title": f"编辑：{point.name}",
                                                    "cancel": reverse("facilities:point", args=[pk])}, status=_status(request))


# ---------------------------------------------------------------- a unit: overview, profile, map

def _as_of(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


@login_required
def unit_overview(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff(request)
    unit = selectors.unit_for_user(user, code)
    as_of = _as_of(request)
    # Circles load every household of the subtree: shown on township and village pages, not for a whole county.
    local = unit.level in (OrgUnit.Level.TOWNSHIP, OrgUnit.Level.VILLAGE)
    context = {
        "unit": unit, "as_of": as_of, "summary": selectors.summary(unit.prefix, as_of, with_circles=local),
        "circles": selectors.circle_summary(unit.prefix, as_of) if local else None, "radius": circle_radius_m(),
        "profile": selectors.profile_of(unit) if unit.is_village_level else None,
        "facilities": selectors.facilities_for(user).filter(within("unit_id", unit.prefix))[:200],
        "children": unit.children.order_by("code"),
    }
    return render(request, "facilities/unit_overview.html", context)


@login_required
def profile_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff(request)
    unit = selectors.unit_for_user(user, code)
    if not unit.is_village_level:
        raise Http404("未找到")
    profile = selectors.profile_of(unit)
    initial = {"total_building_area": profile.total_building_area, "commercial_service_area": profile.commercial_service_area,
               "is_relocation_community": profile.is_relocation_community} if profile else {}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(actor=user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "社区建筑面积已保存。")
            return redirect("facilities:unit", code=code)
    return render(request, "facilities/form.html", {"form": form, "title": f"{unit.name} · 社区建筑面积",
                                                    "cancel": reverse("facilities:unit", args=[code])}, status=_status(request))


def _features(user: Any, unit: OrgUnit, as_of: dt.date) -> dict[str, Any]:
    facilities = [
        {"id": f.pk, "name": f.name, "kind": f.get_kind_display(), "fitness": f.kind == FacilityKind.FITNESS,
         "status": f.get_status_display(), "lat": f.lat, "lng": f.lng, "url": reverse("facilities:detail", args=[f.pk])}
        for f in selectors.facilities_for(user).filter(within("unit_id", unit.prefix)).order_by("kind", "name")[:2000]
    ]
    points = [
        {"id": p.pk, "name": p.name, "kind": p.get_kind_display(), "status": p.get_status_display(),
         "lat": p.lat, "lng": p.lng, "url": reverse("facilities:point", args=[p.pk])}
        for p in selectors.points_for(user).filter(within("unit_id", unit.prefix)).order_by("kind", "name")[:2000]
    ]
    return {"facilities": facilities, "points": points, "radius": circle_radius_m(),
            "tiles": map_tile_url(), "attribution": map_tile_attribution()}


@login_required
def unit_map(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff(request)
    unit = selectors.unit_for_user(user, code)
    as_of = _as_of(request)
    data = _features(user, unit, as_of)
    local = unit.level in (OrgUnit.Level.TOWNSHIP, OrgUnit.Level.VILLAGE)
    return render(request, "facilities/map.html", {"unit": unit, "data": data, "as_of": as_of,
                                                   "circles": selectors.circle_summary(unit.prefix, as_of) if local else None})


# ---------------------------------------------------------------- spaces and bookings

@login_required
def space_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    spaces = selectors.spaces_for(user).order_by("unit_id", "name")
    is_staff = scope_prefix(user) is not None
    return render(request, "facilities/space_list.html", {"page": _page(request, spaces), "is_staff": is_staff,
                                                          "query": _query(request)})


@login_required
def space_create(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = SpaceForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit_code")
        data["weekdays"] = "".join(data["weekdays"])
        try:
            space = services.create_space(actor=user, unit=unit, **data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "场地已开放预约。")
            return redirect("facilities:space", pk=space.pk)
    return render(request, "facilities/form.html", {"form": form, "title": "开放场地", "cancel": reverse("facilities:spaces")}, status=_status(request))


def _week_start(request: HttpRequest) -> dt.date:
    """The calendar's first day: ?week= if it is a date within the booking range (ValidationError if not), else this week."""
    try:
        start = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        today = timezone.localdate()
        return today - dt.timedelta(days=today.weekday())
    check_date(start, label="日历周", latest=services.booking_horizon())
    return start


@login_required
def space_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    space = selectors.space_for_user(user, pk)
    try:
        start = _week_start(request)
    except ValidationError as exc:
        return refusal(request, 400, exc.messages[0])
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.book_space(actor=user, space=space, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(name if name in form.fields else None, errors)
        except PermissionError:
            form.add_error(None, "您不能预约该场地。")
        else:
            note = "预约成功。" if booking.status == BookingStatus.CONFIRMED else "已提交预约，等待审核。"
            messages.success(request, note)
            return redirect("facilities:booking", pk=booking.pk)
    context = {
        "space": space, "form": form, "days": selectors.calendar(space, start), "week": start,
        "prev_week": start - dt.timedelta(days=7), "next_week": start + dt.timedelta(days=7),
        "can_book": services.may_book(user, space),
    }
    template = "facilities/_calendar.html" if request.headers.get("HX-Request") else "facilities/space_detail.html"
    return render(request, template, context, status=_status(request))


@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    bookings = selectors.bookings_for(user).order_by("-starts_at")
    status = request.GET.get("status", "")
    if status in BookingStatus.values:
        bookings = bookings.filter(status=status)
    return render(request, "facilities/booking_list.html", {
        "page": _page(request, bookings), "status": status, "statuses": BookingStatus.choices, "query": _query(request)})


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    booking = selectors.booking_for_user(user, pk)
    can_decide = (user.role != Role.RESIDENT and scope_prefix(user) is not None
                  and booking.status == BookingStatus.PENDING)
    return render(request, "facilities/booking_detail.html", {"booking": booking, "form": DecisionForm(),
                                                              "can_decide": can_decide})


def _booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    booking = selectors.booking_for_user(user, pk)
    note = request.POST.get("note", "")
    try:
        if action == "approve":
            services.approve_booking(actor=user, booking=booking, note=note)
            messages.success(request, "已通过。")
        elif action == "reject":
            services.reject_booking(actor=user, booking=booking, note=note)
            messages.success(request, "已退回。")
        elif request.POST.get("confirm") != "1":  # the inline confirm step (web/_confirm.html) was skipped
            messages.error(request, "取消预约需要确认：请点“取消预约”后再点“确认取消预约”。预约未取消。")
        else:
            services.cancel_booking(actor=user, booking=booking, reason=note)
            messages.success(request, "预约已取消，这个时段已让出。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionError as exc:
        raise Http404("未找到") from exc
    return redirect("facilities:booking", pk=pk)


@require_POST
@login_required
def booking_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _booking_action(request, pk, "approve")


@require_POST
@login_required
def booking_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _booking_action(request, pk, "reject")


@require_POST
@login_required
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _booking_action(request, pk, "cancel")

"""The register's pages: lists with filters and search, detail with reveal, forms, households, moves, rights."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.rights import right_states
from accounts.roles import STAFF_ROLES, Role
from accounts.scoping import scope_prefix
from people import selectors, services
from people.forms import HouseholdForm, MoveForm, MoveInForm, ResidentForm, RevealForm, StatusForm, filter_unit_choices
from people.models import Household, Resident
from people.permissions import can_reveal
from people.selectors import ResidentFilters
from people.validation import describe_detail


def _staff_in_scope(request: HttpRequest) -> Any:
    """The register's pages are for staff with a place scope; everyone else gets 404."""
    user: Any = request.user
    if scope_prefix(user) is None:
        raise Http404("未找到")
    return user


def _form_status(request: HttpRequest) -> int:
    """A form shown again after a POST was refused: 400, so that nothing mistakes it for success."""
    return 400 if request.method == "POST" else 200


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    user = _staff_in_scope(request)
    filters = ResidentFilters.from_params(request.GET)
    page = selectors.resident_page(user, filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "filters": filters, "query": query.urlencode(),
        "unit_choices": filter_unit_choices(user), "tag_choices": selectors.tag_choices(user),
        "status_choices": Resident.Status.choices,
    }
    template = "people/_resident_results.html" if request.headers.get("HX-Request") else "people/resident_list.html"
    return _no_store(render(request, template, context))


def _tag_rows(resident: Resident) -> list[dict[str, str]]:
    rows = [{"label": label, "detail": "", "derived": "1"} for _, label in selectors.derived_tags(resident.birth_date)]
    for tag in resident.tags.all():
        rows.append({"label": tag.get_tag_display(), "detail": describe_detail(tag.tag, tag.detail), "derived": ""})
    return rows


def _detail_context(request: HttpRequest, resident: Resident, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    return {
        "resident": resident, "tags": _tag_rows(resident),
        "history": selectors.resident_history(user, resident), "moves": selectors.moves_of(resident),
        "reveals": selectors.reveal_log(resident), "can_reveal": can_reveal(user),
        "reveal_form": extra.pop("reveal_form", RevealForm()),
        "members": selectors.household_members(user, resident.household) if resident.household is not None else [],
        **extra,
    }


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_in_scope(request)
    resident = selectors.resident_for_user(user, pk)
    return _no_store(render(request, "people/resident_detail.html", _detail_context(request, resident)))


@require_POST
@login_required
def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one record's full ID and phone once, for a stated reason; never stored in the session or URL."""
    user = _staff_in_scope(request)
    resident = selectors.resident_for_user(user, pk)
    form = RevealForm(request.POST)
    revealed = None
    if not can_reveal(user):
        messages.error(request, "您没有查看完整信息的权限，请联系安全管理员授权。")
    elif form.is_valid():
        try:
            revealed = services.reveal(actor=user, resident=resident, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("reason", message)
        else:
            form = RevealForm()
    context = _detail_context(request, resident, revealed=revealed, reveal_form=form)
    status = 200 if revealed is not None or can_reveal(user) else 403
    return _no_store(render(request, "people/resident_detail.html", context, status=status))


def _household_by_number(user: Any, unit_code: str, number: str) -> int | None:
    if not number:
        return None
    found = (Household.objects.visible_to(user).filter(unit_id=unit_code, number=number.strip())  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
             .values_list("pk", flat=True).first())
    if found is None:
        raise ValidationError({"household_id": "本村（社区）没有这个户编号，请先登记该户"})
    return int(found)


@login_required
def resident_create(request: HttpRequest) -> HttpResponse:
    user = _staff_in_scope(request)
    form = ResidentForm(request.POST or None, user=user, initial={"unit_code": request.GET.get("unit", ""),
                                                                    "household_number": request.GET.get("household", "")})
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            data["household_id"] = _household_by_number(user, data["unit_code"], form.cleaned_data["household_number"])
            resident = services.create_resident(actor=user, data=data)
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        else:
            messages.success(request, f"已登记居民 {resident.name}。")
            return redirect("people:resident", pk=resident.pk)
    return render(request, "people/resident_form.html", {"form": form, "creating": True}, status=_form_status(request))


@login_required
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_in_scope(request)
    resident = selectors.resident_for_user(user, pk)
    tags = {t.tag: t.detail for t in resident.tags.all()}
    disabled = tags.get("disabled", {})
    initial = {
        "name": resident.name, "id_type": resident.id_type, "gender": resident.gender, "birth_date": resident.birth_date,
        "relation": resident.relation, "current_address": resident.current_address, "hukou_address": resident.hukou_address,
        "registered_here": resident.registered_here, "tags": list(tags),
        "household_number": resident.household.number if resident.household else "",
        "disability_category": disabled.get("category", ""), "disability_grade": str(disabled.get("grade", "")),
        "hardship_condition": tags.get("special_hardship_elderly", {}).get("condition", ""),
    }
    form = ResidentForm(request.POST or None, user=user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            data["household_id"] = _household_by_number(user, resident.unit_id, form.cleaned_data["household_number"])
            services.update_resident(actor=user, resident=resident, data=data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_service_errors(exc.message_dict)
            else:
                form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, "已保存。")
            return redirect("people:resident", pk=resident.pk)
    return _no_store(render(request, "people/resident_form.html", {"form": form, "creating": False, "resident": resident}, status=_form_status(request)))


@login_required
def resident_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_in_scope(request)
    resident = selectors.resident_for_user(user, pk)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_resident(actor=user, resident=resident, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(key if key in form.fields else None, error)
            else:
                form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, f"{resident.name} 已迁出，本村（社区）保留迁出记录。")
            visible = selectors.residents_visible_to(user).filter(pk=resident.pk).exists()
            return redirect("people:resident", pk=resident.pk) if visible else redirect("people:moves")
    return render(request, "people/resident_move.html", {"form": form, "resident": resident}, status=_form_status(request))


@login_required
def resident_move_in(request: HttpRequest) -> HttpResponse:
    """迁入: take over a record registered in another community, given the full ID number and name."""
    user = _staff_in_scope(request)
    form = MoveInForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household_id = _household_by_number(user, data["to_unit_code"], data["household_number"])
            move = services.move_in(actor=user, id_number=data["id_number"], name=data["name"],
                                    to_unit_code=data["to_unit_code"], moved_on=data["moved_on"],
                                    household_id=household_id, current_address=data["current_address"])
        except ValidationError as exc:
            mapping = {"household_id": "household_number"}
            for key, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(mapping.get(key, key) if mapping.get(key, key) in form.fields else None, error)
        else:
            messages.success(request, f"{move.resident.name} 已迁入。")
            return redirect("people:resident", pk=move.resident_id)
    return _no_store(render(request, "people/resident_move_in.html", {"form": form}, status=_form_status(request)))


@login_required
def resident_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_in_scope(request)
    resident = selectors.resident_for_user(user, pk)
    form = StatusForm(request.POST or None, initial={"status": resident.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_status(actor=user, resident=resident, status=form.cleaned_data["status"], on=form.cleaned_data["on"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(key if key in form.fields else None, error)
            else:
                form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, "状态已更新。")
            return redirect("people:resident", pk=resident.pk)
    return render(request, "people/resident_status.html", {"form": form, "resident": resident}, status=_form_status(request))


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    user = _staff_in_scope(request)
    unit = request.GET.get("unit", "").strip()
    q = request.GET.get("q", "").strip()[:40]
    page = selectors.paginate(selectors.household_list(user, unit, q), request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "people/household_list.html", {
        "page": page, "unit": unit, "q": q, "unit_choices": filter_unit_choices(user), "query": query.urlencode(),
    })


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_in_scope(request)
    household = selectors.household_for_user(user, pk)
    members = selectors.household_members(user, household)
    rows = [{"resident": m, "tags": _tag_rows(m)} for m in members]
    return _no_store(render(request, "people/household_detail.html", {"household": household, "rows": rows}))


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    user = _staff_in_scope(request)
    form = HouseholdForm(request.POST or None, user=user, creating=True, initial={"unit_code": request.GET.get("unit", "")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit_code = str(data.pop("unit_code"))
        try:
            household = services.create_household(actor=user, unit_code=unit_code, data=data)
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        else:
            messages.success(request, f"已登记户 {household.number}。")
            return redirect("people:household", pk=household.pk)
    return render(request, "people/household_form.html", {"form": form, "creating": True}, status=_form_status(request))


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_in_scope(request)
    household = selectors.household_for_user(user, pk)
    members = selectors.household_members(user, household)
    initial = {f: getattr(household, f) for f in services.HOUSEHOLD_FIELDS}
    initial["head_id"] = household.head_id
    form = HouseholdForm(request.POST or None, user=user, creating=False, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_household(actor=user, household=household, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        else:
            messages.success(request, "已保存。")
            return redirect("people:household", pk=household.pk)
    return render(request, "people/household_form.html", {"form": form, "creating": False, "household": household}, status=_form_status(request))


@login_required
def moves(request: HttpRequest) -> HttpResponse:
    """迁出记录: people who moved out of the user's area, with the date, never the new address."""
    user = _staff_in_scope(request)
    page = selectors.paginate(selectors.moved_out_of(user, request.GET.get("unit", "").strip()), request.GET.get("page"))
    return render(request, "people/moves.html", {"page": page, "query": ""})


# ---------------------------------------------------------------- rights (security admin)

def _security_admin(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.role != Role.SECURITY_ADMIN:
        raise Http404("未找到")
    return user


@login_required
def rights(request: HttpRequest) -> HttpResponse:
    """The security admin grants or revokes the register's three rights per staff user."""
    _security_admin(request)
    q = request.GET.get("q", "").strip()[:50]
    users = User.objects.filter(role__in=list(STAFF_ROLES), is_active=True).select_related("unit", "department")
    if q:
        users = users.filter(username__icontains=q) | users.filter(display_name__icontains=q)
    page = Paginator(users.order_by("username"), 30).get_page(request.GET.get("page"))
    states = right_states([u.pk for u in page], prefix="people.")
    rows = [{"user": u, "has": states.get(u.pk, {})} for u in page]
    return render(request, "people/rights.html", {"page": page, "rows": rows, "rights": services.RIGHTS, "q": q})


@require_POST
@login_required
def rights_update(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _security_admin(request)
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise Http404("未找到")
    try:
        for right in services.RIGHTS:
            services.set_right(actor=actor, user=target, right=right, granted=request.POST.get(right) == "on")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已保存 {target.username} 的权限：新申请的权限须经单位负责人批准后生效。")
    return redirect("people:rights")



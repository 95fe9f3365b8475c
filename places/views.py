"""Drill-down through the tree, and each unit's page with its organisation system."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from places import selectors, services
from places.forms import BodyForm
from places.models import bodies_for


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_for_user(request.user, code)
    children = unit.children.order_by("code")
    context = {
        "unit": unit,
        "ancestors": unit.ancestors(),
        "children": children,
        "bodies": selectors.bodies_of(unit) if unit.is_village_level else [],
        "coverage": None if unit.is_village_level else selectors.org_system_coverage(unit.prefix),
        "counts": selectors.level_counts(unit.prefix),
    }
    return render(request, "places/unit_detail.html", context)


@login_required
def unit_children_partial(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_for_user(request.user, code)
    return render(request, "places/_children.html", {"unit": unit, "children": unit.children.order_by("code")})


@login_required
def edit_bodies(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_for_user(request.user, code)
    if not unit.is_village_level:
        return redirect("places:unit", code=code)
    current = {row["kind"]: row for row in selectors.bodies_of(unit)}
    forms = [
        BodyForm(request.POST or None, kind=kind, initial=current[kind])
        for kind in bodies_for(unit.kind)
    ]
    if request.method == "POST" and all(form.is_valid() for form in forms):
        try:
            services.update_bodies(actor=request.user, unit=unit, rows={f.kind: f.cleaned_data for f in forms})  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "组织体系已保存。")
            return redirect("places:unit", code=code)
    return render(request, "places/edit_bodies.html", {"unit": unit, "forms": forms})

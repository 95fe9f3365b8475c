"""Home page per role, and the elder-mode switch."""

from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import services
from accounts.roles import ADMIN_ROLES, Role
from places import selectors as place_selectors
from web.context import ELDER_COOKIE, elder_mode_on
from web.models import Notification
from web.nav import home_cards


def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_authenticated:
        return render(request, "web/landing.html", {"appeals_on": apps.is_installed("appeals")})
    context: dict[str, Any] = {
        "role_label": Role(user.role).label,
        "unread": Notification.objects.filter(user=user, read_at__isnull=True).count(),
    }
    if user.role == Role.RESIDENT:
        context["community"] = user.unit
        context["cards"] = home_cards(user)
        return render(request, "web/home_resident.html", context)
    if user.unit_id:
        unit = user.unit
        context.update(
            unit=unit,
            ancestors=unit.ancestors(),
            counts=place_selectors.level_counts(unit.prefix),
            coverage=None if unit.is_village_level else place_selectors.org_system_coverage(unit.prefix),
        )
    context["is_admin_post"] = user.role in ADMIN_ROLES
    context["cards"] = home_cards(user)
    return render(request, "web/home.html", context)


@require_POST
def toggle_elder_mode(request: HttpRequest) -> HttpResponse:
    enabled = not elder_mode_on(request)
    user: Any = request.user
    if user.is_authenticated:
        services.set_elder_mode(actor=user, enabled=enabled)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie(ELDER_COOKIE, "1" if enabled else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own inbox (站内消息)."""
    from django.core.paginator import Paginator

    user: Any = request.user
    inbox = Notification.objects.filter(user=user)
    page = Paginator(inbox, 30).get_page(request.GET.get("page"))
    return render(request, "web/notifications.html", {"page": page})


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404
    from django.utils import timezone

    user: Any = request.user
    note = get_object_or_404(Notification, pk=pk, user=user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("web:notifications")

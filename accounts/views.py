"""Sign-in, the session keepalive, account management (security admin) and the audit log (auditor)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import CreateUserForm, LoginForm
from accounts.models import AuditEntry, User
from accounts.roles import Role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        auth_views.logout_then_login(request)
        return redirect("accounts:login")
    return render(request, "accounts/logout.html")


@require_POST
@login_required
def keepalive(request: HttpRequest) -> JsonResponse:
    """Any authenticated request resets the idle clock; this one does nothing else."""
    return JsonResponse({"idle_seconds": settings.SESSION_IDLE_SECONDS})


def session_status(request: HttpRequest) -> JsonResponse:
    """How long this session has left; reading it does not count as activity."""
    import time

    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False, "seconds_left": 0})
    last_seen = float(request.session.get("last_seen", time.time()))
    left = max(0, int(settings.SESSION_IDLE_SECONDS - (time.time() - last_seen)))
    return JsonResponse({"authenticated": True, "seconds_left": left})


def _require_role(request: HttpRequest, role: str) -> User:
    user: Any = request.user
    if not user.is_authenticated or user.role != role:
        raise Http404("未找到")
    return user  # type: ignore[no-any-return]


@login_required
def manage_users(request: HttpRequest) -> HttpResponse:
    actor = _require_role(request, Role.SECURITY_ADMIN)
    form = CreateUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_user(
                actor=actor, username=data["username"], password=data["password"], role=data["role"],
                display_name=data["display_name"], unit=data["unit_code"], department=data["department"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已创建账户 {data['username']}。")
            return redirect("accounts:manage")
    users = Paginator(User.objects.select_related("unit", "department").order_by("username"), 50)
    page = users.get_page(request.GET.get("page"))
    return render(request, "accounts/manage.html", {"form": form, "page": page})


@require_POST
@login_required
def manage_user_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    actor = _require_role(request, Role.SECURITY_ADMIN)
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise Http404("未找到")
    try:
        if action == "unlock":
            services.unlock_user(actor=actor, user=target)
        elif action in ("deactivate", "activate"):
            services.set_active(actor=actor, user=target, active=action == "activate")
        else:
            raise Http404("未找到")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已完成。")
    return redirect("accounts:manage")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.AUDITOR)
    entries = AuditEntry.objects.all()
    action = request.GET.get("action", "").strip()
    username = request.GET.get("user", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    if username:
        entries = entries.filter(actor_username=username)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page, "action": action, "user_filter": username})

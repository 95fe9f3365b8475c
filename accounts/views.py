"""Sign-in, the session keepalive, account management (security admin) and the audit log (auditor)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import rights, seal, services
from accounts.forms import CreateUserForm, LoginForm, PasswordChangeForm
from accounts.models import AccountChange, ApiToken, AuditArchiveEntry, AuditEntry, DataRightGrant, User
from accounts.roles import ADMIN_ROLES, Role


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
    return user


@login_required
def manage_users(request: HttpRequest) -> HttpResponse:
    """Create accounts; an administrator post or a unit leader becomes a change for a second administrator."""
    actor = _require_role(request, Role.SECURITY_ADMIN)
    form = CreateUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"username": data["username"], "password": data["password"], "role": data["role"],
                  "display_name": data["display_name"], "unit": data["unit_code"], "department": data["department"],
                  "is_unit_leader": data["is_unit_leader"]}
        two = data["role"] in ADMIN_ROLES or data["is_unit_leader"]
        try:
            if two:
                services.propose_change(actor=actor, kind=AccountChange.Kind.CREATE, **fields)
            else:
                services.create_user(actor=actor, **fields)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已提交创建 {data['username']}，待另一名管理员确认。" if two
                             else f"已创建账户 {data['username']}，首次登录须修改密码。")
            return redirect("accounts:manage")
    users = Paginator(User.objects.select_related("unit", "department").order_by("username"), 50)
    page = users.get_page(request.GET.get("page"))
    return render(request, "accounts/manage.html", {"form": form, "page": page, "admin_roles": ADMIN_ROLES})


TWO_PERSON_ACTIONS = {"leader": AccountChange.Kind.LEADER, "unleader": AccountChange.Kind.UNLEADER}


@require_POST
@login_required
def manage_user_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    actor = _require_role(request, Role.SECURITY_ADMIN)
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise Http404("未找到")
    done = "已完成。"
    try:
        if action == "unlock":
            services.unlock_user(actor=actor, user=target)
        elif action in ("deactivate", "activate") and target.role in ADMIN_ROLES:
            services.propose_change(actor=actor, kind=action, target=target)
            done = "已提交，待另一名管理员确认。"
        elif action in ("deactivate", "activate"):
            services.set_active(actor=actor, user=target, active=action == "activate")
        elif action in TWO_PERSON_ACTIONS:
            services.propose_change(actor=actor, kind=TWO_PERSON_ACTIONS[action], target=target)
            done = "已提交，待另一名管理员确认。"
        else:
            raise Http404("未找到")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("accounts:manage")


def _administrator(request: HttpRequest) -> User:
    user: Any = request.user
    if not user.is_authenticated or user.role not in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        raise Http404("未找到")
    return user


@login_required
def changes(request: HttpRequest) -> HttpResponse:
    """双人操作: changes one administrator proposed, for another to confirm or refuse."""
    actor = _administrator(request)
    pending = AccountChange.objects.filter(decided_at__isnull=True).select_related("proposed_by", "target")
    rows = [{"change": c, "may_decide": services.may_decide(actor, c)} for c in pending]
    decided = AccountChange.objects.filter(decided_at__isnull=False).select_related("proposed_by", "decided_by", "target")[:30]
    return render(request, "accounts/changes.html", {"rows": rows, "decided": decided})


@require_POST
@login_required
def change_decide(request: HttpRequest, change_id: int, decision: str) -> HttpResponse:
    actor = _administrator(request)
    change = AccountChange.objects.filter(pk=change_id).first()
    if change is None or decision not in ("confirm", "refuse"):
        raise Http404("未找到")
    try:
        services.decide_change(actor=actor, change=change, confirm=decision == "confirm")
    except (ValidationError, PermissionError) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, "已确认并生效。" if decision == "confirm" else "已驳回。")
    return redirect("accounts:changes")


@login_required
def right_requests(request: HttpRequest) -> HttpResponse:
    """A unit leader approves or refuses the data rights asked for the staff of their unit and the units below."""
    user: Any = request.user
    if not user.is_unit_leader or not user.is_active:
        raise Http404("未找到")
    rows = [{"grant": g, "label": rights.DATA_RIGHTS.get(g.right, g.right)} for g in rights.pending_for(user)]
    return render(request, "accounts/rights.html", {"rows": rows, "days": rights.grant_days()})


@require_POST
@login_required
def right_decide(request: HttpRequest, grant_id: int, decision: str) -> HttpResponse:
    grant = DataRightGrant.objects.filter(pk=grant_id).select_related("user").first()
    if grant is None or decision not in ("approve", "refuse") or not rights.may_approve(request.user, grant):
        raise Http404("未找到")
    try:
        services.approve_right(actor=request.user, grant=grant, approve=decision == "approve")  # type: ignore[arg-type]  # request.user is a User behind login_required; the stubs say User | AnonymousUser
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已批准。" if decision == "approve" else "已驳回。")
    return redirect("accounts:rights")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(actor=user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("web:home")
            return redirect(target)
    return render(request, "accounts/password.html", {"form": form, "next": request.GET.get("next", request.POST.get("next", "")),
                                                      "forced": user.must_change_password})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The caller's live API tokens; the security administrator sees everyone's."""
    user: Any = request.user
    live = ApiToken.objects.live().select_related("user")
    if user.role != Role.SECURITY_ADMIN:
        live = live.filter(user=user)
    page = Paginator(live, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/tokens.html", {"page": page, "everyone": user.role == Role.SECURITY_ADMIN})


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user: Any = request.user
    found = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True)
    if user.role != Role.SECURITY_ADMIN:
        found = found.filter(user=user)
    token = found.select_related("user").first()
    if token is None:
        raise Http404("未找到")
    services.revoke_token(actor=user, token=token)
    messages.success(request, f"已吊销令牌「{token.name}」。")
    return redirect("accounts:tokens")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.AUDITOR)
    archived = request.GET.get("archive") == "1"  # rows past the online retention (accounts.archive)
    entries: Any = AuditArchiveEntry.objects.all() if archived else AuditEntry.objects.all()
    action = request.GET.get("action", "").strip()
    username = request.GET.get("user", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    if username:
        entries = entries.filter(actor_username=username)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html",
                  {"page": page, "action": action, "user_filter": username, "archived": archived})


@login_required
def audit_verify(request: HttpRequest) -> HttpResponse:
    """The auditor checks the log against its hash chain (accounts.seal)."""
    _require_role(request, Role.AUDITOR)
    return render(request, "accounts/audit_verify.html", {"report": seal.verify()})

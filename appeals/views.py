"""Resident filing and "my requests"; staff inbox, detail and actions; dashboard and export. Thin views."""

import io
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_POST

from accounts.context import client_ip
from accounts.roles import Role
from accounts.scoping import get_visible_or_404, scope_prefix
from appeals import selectors, services
from appeals.classifier.model import classify
from appeals.forms import FileForm, IntakeForm, RateForm
from appeals.importers import ensure_categories
from appeals.models import Appeal, Assist, Category, Extension, Photo, RatingAppeal, Rectification, State
from appeals.photos import clean_photos
from places.models import OrgUnit
from shequ.files import stored_file_response
from shequ.xlsx import write_table


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _resident_record(user: Any) -> Any:
    if getattr(user, "is_authenticated", False) and user.role == Role.RESIDENT:
        return getattr(user, "resident_record", None)
    return None


def _staff_only(user: Any) -> None:
    if not services.is_staff(user):
        raise Http404("未找到")


def _map_tiles() -> str:
    """MAP_TILE_URL (shared with the other maps): a Leaflet tile template; empty → the map has no background."""
    from django.conf import settings

    from shequ.env import env_str

    return str(getattr(settings, "MAP_TILE_URL", env_str("MAP_TILE_URL", ""))).strip()


def _ip(request: HttpRequest) -> str:
    return client_ip.get() or request.META.get("REMOTE_ADDR", "") or ""


def _file_kwargs(form: FileForm, request: HttpRequest) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "category_code": data["category"].code if data["category"] else "", "description": data["description"], "unit_code": data["community"],
        "contact_name": data["contact_name"], "phone": data["phone"], "public_name": data["public_name"],
        "location_kind": data["location_kind"], "address": data["address"], "lat": data["lat"], "lng": data["lng"],
        "photos": request.FILES.getlist("photos"),
    }


FILED_KEY = "appeals_filed"


def _filed_here(request: HttpRequest) -> Appeal | None:
    """The request this browser session just filed (its number is kept in the session, never in the URL)."""
    number = request.session.get(FILED_KEY)
    return Appeal.objects.filter(tracking_no=number).first() if number else None


def file_new(request: HttpRequest) -> HttpResponse:
    """提交诉求: a resident (signed in or with a phone number) files a request."""
    user: Any = request.user
    if services.is_staff(user):
        return redirect("appeals:intake")
    resident = _resident_record(user)
    if request.method == "GET" and request.GET.get("filed"):
        filed = _filed_here(request)
        if filed is not None:
            return render(request, "appeals/filed.html", {"appeal": filed})
    ensure_categories()
    form = FileForm(request.POST or None, request.FILES or None,
                    initial={"location_kind": "home" if resident else "address",
                             "community": resident.unit_id if resident else ""})
    if request.method == "POST" and form.is_valid():
        try:
            appeal = services.file_appeal(actor=user if user.is_authenticated else None, resident=resident,
                                          ip=_ip(request), **_file_kwargs(form, request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Post/redirect/get: reloading the 诉求已受理 page shows it again; it never files a second time.
            request.session[FILED_KEY] = appeal.tracking_no
            return redirect(f"{reverse('appeals:new')}?filed=1")
    community = None
    code = form["community"].value()
    if code:
        community = OrgUnit.objects.filter(code=code).first()
    return render(request, "appeals/file.html", {"form": form, "resident": resident, "community": community,
                                                 "map_tiles": _map_tiles()})


def catalogue(request: HttpRequest) -> HttpResponse:
    """服务目录: the public list of what can be filed (the 20 categories), with who leads and the promised deadlines."""
    return render(request, "appeals/catalogue.html", {"categories": selectors.categories()})


def suggest(request: HttpRequest) -> HttpResponse:
    """HTMX: the classifier's top three categories for the text typed so far."""
    text = (request.GET.get("description") or request.POST.get("description") or "")[:2000]
    ranked: list[tuple[Category, float]] = []
    if text.strip():
        try:
            scores = classify(text, top=3)
        except ValueError:
            scores = []
        by_code = {c.code: c for c in selectors.categories()}
        ranked = [(by_code[code], score) for code, score in scores if code in by_code]
    return render(request, "appeals/_suggest.html", {"ranked": ranked})


def communities(request: HttpRequest) -> HttpResponse:
    """HTMX: villages and communities whose name contains the query (the division tree is public)."""
    q = (request.GET.get("q") or "").strip()[:20]
    units = list(OrgUnit.objects.villages().filter(name__contains=q).select_related("parent")[:20]) if q else []
    return render(request, "appeals/_communities.html", {"units": units})


NOT_FOUND = "没有找到该编号的诉求，请核对编号和手机号码。"


class _Lookup:
    """A POSTed look-up by tracking number and phone, counted against the address's and the phone's hourly limit."""

    def __init__(self, request: HttpRequest):
        self.no, self.phone = (request.POST.get("no") or "").strip(), (request.POST.get("phone") or "").strip()
        self.appeal: Appeal | None = None
        self.status = 200
        if not self.no or not self.phone:
            messages.error(request, "请填写受理编号和提交时的手机号码。")
            return
        try:
            services.check_track_limit(ip=_ip(request), phone=self.phone)
        except ValidationError as exc:
            _error(request, exc)
            self.status = 429
            return
        self.appeal = selectors.tracked(self.no, self.phone)
        if self.appeal is None:
            messages.error(request, NOT_FOUND)


def _track_page(request: HttpRequest, lookup: _Lookup | None = None) -> HttpResponse:
    appeal = lookup.appeal if lookup else None
    events = selectors.timeline(appeal, public_only=True) if appeal else []
    can_rate = appeal is not None and services.can_rate(appeal)
    return render(request, "appeals/track.html", {
        "appeal": appeal, "events": events, "no": lookup.no if lookup else "", "phone": lookup.phone if appeal and lookup else "",
        "rate_form": RateForm() if can_rate else None,
    }, status=lookup.status if lookup else 200)


def track(request: HttpRequest) -> HttpResponse:
    """Anyone with the tracking number and the phone used to file sees the public timeline. The look-up is a POST, so
    the phone never appears in a URL (nor in access logs); GET shows the empty form (the number prefilled from
    ?no=, as the filing page links it) and looks nothing up."""
    if request.method != "POST":
        return render(request, "appeals/track.html", {"no": (request.GET.get("no") or "").strip()[:20]})  # prefilled number only
    return _track_page(request, _Lookup(request))


@require_POST
def track_rate(request: HttpRequest) -> HttpResponse:
    """Rating without an account: the tracking number and the phone that filed it (the same look-up as track())."""
    lookup = _Lookup(request)
    form = RateForm(request.POST)
    if lookup.appeal is not None:
        if not form.is_valid():
            messages.error(request, "请选择评价等级。")
        else:
            try:
                services.rate(appeal=lookup.appeal, actor=None, phone=lookup.phone, level=form.cleaned_data["level"],
                              comment=form.cleaned_data["comment"])
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(request, "感谢您的评价。")
            lookup.appeal.refresh_from_db()
    return _track_page(request, lookup)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "appeals/mine.html", {"appeals": selectors.mine(request.user)[:200]})


@login_required
def mine_detail(request: HttpRequest, tracking_no: str) -> HttpResponse:
    appeal = selectors.mine_detail(request.user, tracking_no)
    can_rate = services.owns(request.user, appeal) and services.can_rate(appeal)
    return render(request, "appeals/mine_detail.html", {
        "appeal": appeal, "events": selectors.timeline(appeal, public_only=True),
        "rate_form": RateForm() if can_rate else None,
    })


@login_required
@require_POST
def mine_rate(request: HttpRequest, tracking_no: str) -> HttpResponse:
    appeal = selectors.mine_detail(request.user, tracking_no)
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择评价等级。")
    else:
        try:
            services.rate(appeal=appeal, actor=request.user, level=form.cleaned_data["level"], comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "感谢您的评价。")
    return redirect("appeals:mine-detail", tracking_no=appeal.tracking_no)


# ---- staff --------------------------------------------------------------------------------------------

@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    _staff_only(request.user)
    state = request.GET.get("state", "open")
    rows = selectors.inbox(request.user, state=state, q=request.GET.get("q", ""), category=request.GET.get("category", ""))
    return render(request, "appeals/inbox.html", {
        "appeals": rows[:200], "state": state, "states": State.choices, "categories": selectors.categories(),
        "pending": selectors.awaiting_level_above(request.user),
    })


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """代录: staff register a request that came by phone, in person or from 12345."""
    _staff_only(request.user)
    user: Any = request.user
    ensure_categories()
    form = IntakeForm(request.POST or None, request.FILES or None,
                      initial={"community": user.unit_id if user.unit and user.unit.is_village_level else ""})
    if request.method == "POST" and form.is_valid():
        resident = None
        if form.cleaned_data.get("resident_id"):
            from people.models import Resident

            resident = Resident.objects.visible_to(user).filter(pk=form.cleaned_data["resident_id"]).first()
            if resident is None:
                form.add_error("resident_id", "本辖区没有该居民。")
        if form.is_valid():
            try:
                appeal = services.file_appeal(actor=user, resident=resident, channel=form.cleaned_data["channel"],
                                              **_file_kwargs(form, request))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已登记，受理编号 {appeal.tracking_no}。")
                return redirect("appeals:detail", pk=appeal.pk)
    return render(request, "appeals/intake.html", {"form": form, "map_tiles": _map_tiles()})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request.user)
    appeal = selectors.appeal_for_user(request.user, pk)
    user: Any = request.user
    suggestions: list[tuple[Category, float]] = []
    try:
        by_code = {c.code: c for c in selectors.categories()}
        suggestions = [(by_code[c], s) for c, s in classify(appeal.description, top=3) if c in by_code]
    except ValueError:
        pass
    prefix = scope_prefix(user)
    return render(request, "appeals/detail.html", {
        "appeal": appeal, "events": selectors.timeline(appeal, public_only=False),
        "photos": appeal.photos.all(), "deadlines": appeal.deadlines.all(),
        "can_handle": services.can_handle(user, appeal),
        "level_above": services.is_level_above(user, appeal.unit_id, appeal.department_id),
        "can_phone_rate": appeal.state == State.REPLIED and services.is_callback_user(user, appeal),
        "duplicates": selectors.duplicates(appeal, user),
        "suggestions": suggestions,
        "children": OrgUnit.objects.filter(parent_id=user.unit_id).order_by("code") if prefix else [],
        "assists": appeal.assists.select_related("unit", "department"),
        "my_assists": [a for a in appeal.assists.all() if (a.unit_id and a.unit_id == user.unit_id) or
                       (a.department_id and a.department_id == user.department_id)],
        "extensions": appeal.extensions.filter(decision=Extension.Decision.PENDING),
        "rectifications": appeal.rectifications.filter(callback_at__isnull=True),
        "ratings": appeal.ratings.all(),
        "contests": RatingAppeal.objects.filter(rating__appeal=appeal, decision=RatingAppeal.Decision.PENDING),
        "rate_form": RateForm(),
    })


ACTIONS = {
    "accept": lambda a, u, p, f: services.accept(appeal=a, actor=u, note=p.get("note", "")),
    "contact": lambda a, u, p, f: services.record_contact(appeal=a, actor=u, note=p.get("note", "")),
    "start": lambda a, u, p, f: services.start(appeal=a, actor=u, note=p.get("note", "")),
    "reply": lambda a, u, p, f: services.reply(appeal=a, actor=u, text=p.get("note", ""), photos=f.getlist("photos")),
    "close": lambda a, u, p, f: services.close(appeal=a, actor=u, resolved=p.get("resolved") == "1", note=p.get("note", "")),
    "transfer": lambda a, u, p, f: services.transfer(appeal=a, actor=u, note=p.get("note", "")),
    "dispatch": lambda a, u, p, f: services.dispatch(appeal=a, actor=u, unit_code=p.get("unit", ""), note=p.get("note", "")),
    "return": lambda a, u, p, f: services.return_appeal(appeal=a, actor=u, reason=p.get("note", "")),
    "assist": lambda a, u, p, f: services.add_assist(appeal=a, actor=u, unit_code=p.get("unit", ""),
                                                      department_code=p.get("department", ""), note=p.get("note", "")),
    "extend": lambda a, u, p, f: services.request_extension(appeal=a, actor=u, days=_int(p.get("days")), reason=p.get("note", "")),
    # Only the resident rates: staff asking to rate are refused by services.rate (nothing changes).
    "rate": lambda a, u, p, f: services.rate(appeal=a, actor=u, level=_int(p.get("level")), comment=p.get("note", "")),
    "phone-rate": lambda a, u, p, f: services.record_phone_rating(appeal=a, actor=u, level=_int(p.get("level")),
                                                                  comment=p.get("note", "")),
}


# What each action tells the worker it did (the message names the step, not a bare 已办理).
DONE = {
    "accept": "已签收。", "contact": "已记录联系居民。", "start": "已开始办理。", "reply": "已答复，居民会收到通知。",
    "close": "已办结。", "transfer": "已转办上级。", "dispatch": "已派单。", "return": "已退回上一级。", "assist": "已发起协办。",
    "extend": "已提交延期申请。", "rate": "已评价。", "phone-rate": "已记录回访评价。", "merge": "已合并。",
    "contest": "已提交评价申诉。",
}
# Actions that cannot be taken back: done only after the inline confirm step (web/_confirm.html); what to say otherwise.
CONFIRMED = {"return": "退回需要确认：请点“退回”后再点“确认退回”。诉求未退回。"}


def _int(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise ValidationError("请输入数字。") from exc


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _staff_only(request.user)
    appeal = selectors.appeal_for_user(request.user, pk)
    user: Any = request.user
    if action == "reveal":
        try:
            phone = services.reveal_phone(appeal=appeal, actor=user)
        except ValidationError as exc:
            return HttpResponse(escape("；".join(exc.messages)), status=403)
        return HttpResponse(escape(phone or "—"))
    if action in CONFIRMED and request.POST.get("confirm") != "1":
        messages.error(request, CONFIRMED[action])
        return redirect("appeals:detail", pk=pk)
    try:
        with transaction.atomic():
            photos = [] if action == "reply" else clean_photos(request.FILES.getlist("photos"))
            _act(appeal, user, action, request)
            services.attach_photos(appeal=appeal, actor=user, photos=photos)
    except ValidationError as exc:
        _error(request, exc)
        return redirect("appeals:detail", pk=pk)
    messages.success(request, f"{appeal.tracking_no} {DONE.get(action, '已办理。')}")
    if appeal.pk and selectors.appeals_for(user).filter(pk=appeal.pk).exists():
        return redirect("appeals:detail", pk=pk)
    return redirect("appeals:inbox")


def _act(appeal: Appeal, user: Any, action: str, request: HttpRequest) -> None:
    if action == "merge":
        into = selectors.appeal_for_user(user, _int(request.POST.get("into")))
        services.merge(appeal=appeal, into=into, actor=user)
    elif action == "contest":
        rating = get_visible_or_404(appeal.ratings.all(), pk=_int(request.POST.get("rating")))
        services.contest_rating(rating=rating, actor=user, reason=request.POST.get("note", ""))
    elif action in ACTIONS:
        ACTIONS[action](appeal, user, request.POST, request.FILES)
    else:
        raise Http404("未找到")


@login_required
@require_POST
def decide_extension(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request.user)
    ext = get_visible_or_404(Extension.objects.filter(appeal__in=selectors.appeals_for(request.user)), pk=pk)
    try:
        services.decide_extension(extension=ext, actor=request.user, approve=request.POST.get("approve") == "1",
                                  note=request.POST.get("note", ""))
    except ValidationError as exc:
        _error(request, exc)
    return redirect("appeals:detail", pk=ext.appeal_id)


@login_required
@require_POST
def callback(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request.user)
    rect = get_visible_or_404(Rectification.objects.filter(appeal__in=selectors.appeals_for(request.user)), pk=pk)
    try:
        services.record_callback(rectification=rect, actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        _error(request, exc)
    return redirect("appeals:detail", pk=rect.appeal_id)


@login_required
@require_POST
def decide_contest(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request.user)
    contest = get_visible_or_404(RatingAppeal.objects.filter(rating__appeal__in=selectors.appeals_for(request.user)), pk=pk)
    try:
        services.decide_rating_appeal(contest=contest, actor=request.user, void=request.POST.get("void") == "1",
                                      note=request.POST.get("note", ""))
    except ValidationError as exc:
        _error(request, exc)
    return redirect("appeals:detail", pk=contest.rating.appeal_id)


@login_required
@require_POST
def assist_reply(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request.user)
    assist = get_visible_or_404(Assist.objects.filter(appeal__in=selectors.appeals_for(request.user)), pk=pk)
    try:
        services.assist_reply(assist=assist, actor=request.user, opinion=request.POST.get("note", ""))
    except ValidationError as exc:
        _error(request, exc)
    return redirect("appeals:detail", pk=assist.appeal_id)


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo, to whoever may see its request."""
    item = get_visible_or_404(Photo.objects.filter(appeal__in=Appeal.objects.visible_to(request.user)), pk=pk)
    content_type = "image/png" if item.image.name.endswith(".png") else "image/jpeg"
    return stored_file_response(item.image, content_type=content_type)


# ---- dashboard ----------------------------------------------------------------------------------------

def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    month = request.GET.get("month") or f"{today:%Y-%m}"
    try:
        year, mon = (int(x) for x in month.split("-"))
        start = date(year, mon, 1)
    except ValueError:
        start = today.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end - timedelta(days=1)


def _dashboard_unit(request: HttpRequest) -> OrgUnit:
    user: Any = request.user
    prefix = scope_prefix(user)
    if prefix is None:
        raise Http404("未找到")
    code = request.GET.get("unit") or user.unit_id
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not unit.code.startswith(prefix):
        raise Http404("未找到")
    return unit


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    unit = _dashboard_unit(request)
    start, end = _period(request)
    return render(request, "appeals/dashboard.html", {
        "unit": unit, "start": start, "end": end, "month": f"{start:%Y-%m}",
        "rates": selectors.rates(unit.prefix, start, end),
        "ranking": selectors.township_ranking(unit.prefix, start, end) if unit.level in ("city", "county") else [],
    })


@login_required
def export(request: HttpRequest) -> HttpResponseBase:
    unit = _dashboard_unit(request)
    start, end = _period(request)
    rows = selectors.township_ranking(unit.prefix, start, end)
    total = selectors.rates(unit.prefix, start, end)
    headers = ["排名", "单位代码", "单位", "诉求数", "按时签收", "响应率", "应办结", "已解决", "解决率", "已评价", "满意",
               "满意率", "平均签收时长（小时）", "平均答复时长（小时）", "逾期件数", "综合得分"]

    def line(r: dict[str, Any], rank: Any, code: str, name: str) -> list[Any]:
        from shequ.xlsx import Percent

        return [rank, code, name, r["total"], r["accepted_on_time"], Percent(r["response_rate"]), r["due"], r["resolved"],
                Percent(r["resolution_rate"]), r["rated"], r["satisfied"], Percent(r["satisfaction_rate"]), r["avg_accept_hours"],
                r["avg_reply_hours"], r["overdue"], Percent(r["score"]) if "score" in r else None]

    table = [line(r, r["rank"], r["code"], r["name"]) for r in rows] + [line(total, "合计", unit.code, unit.name)]
    stream = io.BytesIO()
    user: Any = request.user
    watermark = f"{user.username} {timezone.localtime():%Y-%m-%d %H:%M}"
    write_table(stream, headers, table, title=f"接诉即办{start:%Y-%m}", watermark=watermark)
    from accounts import audit

    audit.record(actor=user, action="appeals.export", unit_code=unit.code, detail={"month": f"{start:%Y-%m}"})
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=f"appeals-{unit.code}-{start:%Y-%m}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

"""Pages of the deliberation module: one topic page (the timeline) for residents and staff, meetings, lists, surveys."""

import datetime as dt
import re
from io import BytesIO
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.scoping import get_visible_or_404
from deliberation import forms as f
from deliberation import matching, selectors, services
from deliberation import quorum as q
from deliberation.models import (
    Attendance,
    Meeting,
    Motion,
    Need,
    Objection,
    Project,
    Publicity,
    Receipt,
    Survey,
    Topic,
    TopicState,
)
from people.models import Resident
from shequ import xlsx
from web.formerrors import add_service_errors


def _staff_only(request: HttpRequest) -> None:
    if not selectors.is_staff(request.user):
        raise Http404("未找到")



def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


# ---------------------------------------------------------------- topics

@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    query = request.GET.get("q", "").strip()[:50]
    page = Paginator(selectors.topics(request.user, state, query), 50).get_page(request.GET.get("page"))
    return render(request, "deliberation/topic_list.html", {
        "page": page, "states": TopicState.choices, "state": state, "q": query,
        "staff": selectors.is_staff(request.user), "resident": selectors.is_resident(request.user)})


@login_required
def topic_new(request: HttpRequest) -> HttpResponse:
    """File a topic; the community's similar open topics are offered first (search by text) so duplicates merge."""
    staff = selectors.is_staff(request.user)
    if not staff and not selectors.is_resident(request.user):
        raise Http404("未找到")
    form_class = f.StaffTopicForm if staff else f.ProposeForm
    form = form_class(request.POST or None, initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # signed in
    similar: list[Topic] = []
    if request.method == "POST" and form.is_valid():
        unit_code = form.cleaned_data.get("unit_code") or request.user.unit_id  # type: ignore[union-attr]  # signed in
        similar = selectors.similar_open(str(unit_code), form.cleaned_data["title"] + form.cleaned_data["body"])
        if similar and request.POST.get("file_anyway") != "1":
            return render(request, "deliberation/topic_form.html", {"form": form, "similar": similar, "staff": staff})
        try:
            topic = services.propose_topic(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已提出议题「{topic.title}」。")
            return redirect("deliberation:topic", pk=topic.pk)
    return render(request, "deliberation/topic_form.html", {"form": form, "similar": similar, "staff": staff},
                  status=400 if request.method == "POST" else 200)


@login_required
def from_requests(request: HttpRequest) -> HttpResponse:
    """诉求转议题: one request or a cluster of similar ones of one community, in one step."""
    from appeals.models import Appeal

    _staff_only(request)
    form = f.FromRequestsForm(request.POST or None, initial={"appeals": request.GET.get("appeals", "")[:2000]})
    if request.method == "POST" and form.is_valid():
        numbers = [n for n in re.split(r"[\s,，、]+", form.cleaned_data["appeals"]) if n][:50]
        found = list(Appeal.objects.visible_to(request.user).filter(tracking_no__in=numbers))
        missing = set(numbers) - {a.tracking_no for a in found}
        if missing:
            form.add_error("appeals", f"未找到或无权查看的诉求：{'、'.join(sorted(missing))}")
        else:
            try:
                topic = services.raise_from_requests(actor=request.user, appeals=found, title=form.cleaned_data["title"],
                                                     body=form.cleaned_data["body"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已将 {len(found)} 件诉求转为议题「{topic.title}」。")
                return redirect("deliberation:topic", pk=topic.pk)
    return render(request, "deliberation/from_requests.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _topic_context(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    publicity = Publicity.objects.filter(topic=topic).first()
    staff = selectors.is_staff(request.user)
    return {
        "topic": topic, "events": topic.events.all(), "staff": staff, "resident": selectors.is_resident(request.user),
        "supports": topic.supports.count(), "threshold": services.rules(topic.unit_id)["support_threshold"],
        "meetings": topic.meetings.all(), "steps": topic.steps.all(), "publicity": publicity,
        "objections": publicity.objections.all() if publicity else [],
        "projects": topic.projects.prefetch_related("milestones", "children"),
        "accept_form": f.AcceptForm(), "decline_form": f.DeclineForm(), "step_form": f.StepForm(),
        "meeting_form": f.MeetingForm(initial={"kind": topic.procedure}), "decision_form": f.DecisionForm(),
        "publicity_form": f.PublicityForm(), "project_form": f.ProjectForm(), "text_form": f.TextForm(),
        "appeals": topic.appeals.all() if staff else [],
    }


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The topic's one timeline: origin, supports, acceptance, meetings and votes, decision, 公示, project, ratings."""
    topic = get_visible_or_404(selectors.topics(request.user), pk=pk)
    return render(request, "deliberation/topic_detail.html", _topic_context(request, topic))


@login_required
def topic_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline as a printable page (the browser's print to PDF)."""
    topic = get_visible_or_404(selectors.topics(request.user), pk=pk)
    return render(request, "deliberation/topic_print.html", _topic_context(request, topic))


@login_required
@require_POST
def topic_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff actions on a topic: accept, decline, step (四议两公开), meeting, decide, publish, project."""
    _staff_only(request)
    topic = get_visible_or_404(Topic.objects.visible_to(request.user), pk=pk)
    action = request.POST.get("action", "")
    forms_by_action = {"accept": f.AcceptForm, "decline": f.DeclineForm, "step": f.StepForm, "meeting": f.MeetingForm,
                       "decide": f.DecisionForm, "publish": f.PublicityForm, "project": f.ProjectForm}
    if action not in forms_by_action:
        raise Http404("未找到")
    form = forms_by_action[action](request.POST)
    if action == "decline" and request.POST.get("confirm") != "1":
        messages.error(request, "不予受理须确认。")
        return redirect("deliberation:topic", pk=topic.pk)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("deliberation:topic", pk=topic.pk)
    data = form.cleaned_data
    try:
        if action == "accept":
            services.accept_topic(actor=request.user, topic=topic, procedure=data["procedure"],
                                  major_matter=data["major_matter"])
            done = "已受理议题。"
        elif action == "decline":
            services.decline_topic(actor=request.user, topic=topic, reason=data["reason"])
            done = "已不予受理，理由已公开。"
        elif action == "step":
            services.record_step(actor=request.user, topic=topic, step=data["step"], done_on=data["done_on"],
                                 note=data["note"])
            done = "已记录四议两公开步骤。"
        elif action == "meeting":
            meeting = services.schedule_meeting(actor=request.user, topic=topic, data=data)
            messages.success(request, "已公告会议并通知居民。")
            return redirect("deliberation:meeting", pk=meeting.pk)
        elif action == "decide":
            services.record_decision(actor=request.user, topic=topic, text=data["text"])
            done = "已记录决议。"
        elif action == "publish":
            services.publish_decision(actor=request.user, topic=topic, starts_on=data["starts_on"], ends_on=data["ends_on"])
            done = "决议已公示。"
        else:
            project = services.start_project(actor=request.user, unit_code=topic.unit_id, topic=topic, data=data)
            messages.success(request, f"已立项「{project.title}」。")
            return redirect("deliberation:project", pk=project.pk)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("deliberation:topic", pk=topic.pk)


@login_required
@require_POST
def topic_support(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_visible_or_404(Topic.objects.visible_to(request.user), pk=pk)
    try:
        services.support_topic(actor=request.user, topic=topic)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已附议。")
    return redirect("deliberation:topic", pk=topic.pk)


@login_required
@require_POST
def topic_object(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_visible_or_404(Topic.objects.visible_to(request.user), pk=pk)
    publicity = Publicity.objects.filter(topic=topic).first()
    form = f.TextForm(request.POST)
    if publicity is None:
        messages.error(request, "该议题没有公示。")
    elif not form.is_valid():
        messages.error(request, "请填写异议内容。")
    else:
        try:
            services.object_to(actor=request.user, publicity=publicity, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "异议已提交，村（社区）将答复。")
    return redirect("deliberation:topic", pk=topic.pk)


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    topics = Topic.objects.visible_to(request.user)
    objection = get_visible_or_404(Objection.objects.filter(publicity__topic__in=topics).select_related("publicity__topic"),
                                   pk=pk)
    try:
        services.answer_objection(actor=request.user, objection=objection, answer=request.POST.get("text", ""))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已答复异议。")
    return redirect("deliberation:topic", pk=objection.publicity.topic_id)


def publicity_page(request: HttpRequest, token: str) -> HttpResponse:
    """The public 公示 page: the decision, its period, objections and answers; no personal data."""
    publicity = Publicity.objects.select_related("topic__unit").filter(token=token).first()
    if publicity is None:
        raise Http404("未找到")
    return render(request, "deliberation/publicity.html", {
        "p": publicity, "topic": publicity.topic, "objections": publicity.objections.all(),
        "events": publicity.topic.events.all()})


# ---------------------------------------------------------------- meetings

@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_visible_or_404(selectors.meetings(request.user), pk=pk)
    person = services._resident_of(request.user) if selectors.is_resident(request.user) else None
    attended = person is not None and Attendance.objects.filter(meeting=meeting, resident=person).exists()
    voted = set(Receipt.objects.filter(motion__meeting=meeting, resident=person).values_list("motion_id", flat=True)) \
        if person else set()
    staff = selectors.is_staff(request.user)
    return render(request, "deliberation/meeting_detail.html", {
        "m": meeting, "quorum": q.quorum(meeting), "motions": meeting.motions.all(), "staff": staff,
        "attendance": meeting.attendance.select_related("resident").order_by("pk")[:500] if staff else [],
        "attended": attended, "voted": voted, "corrections": meeting.corrections.all() if staff else [],
        "attend_form": f.AttendForm(), "motion_form": f.MotionForm(), "hands_form": f.HandsForm(),
        "ballot_form": f.BallotForm(), "text_form": f.TextForm()})


@login_required
def meeting_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-in QR the meeting's screen shows (it refreshes every minute)."""
    _staff_only(request)
    meeting = get_visible_or_404(selectors.meetings(request.user), pk=pk)
    code = services.sign_in_code(meeting)
    url = request.build_absolute_uri(f"/deliberation/checkin/?code={code}")
    return render(request, "deliberation/meeting_code.html", {
        "m": meeting, "code": code, "svg": segno.make(url, error="m").svg_inline(scale=6)})


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    form = f.CodeForm(request.POST or None, initial={"code": request.GET.get("code", "")[:300]})
    if request.method == "POST" and form.is_valid():
        try:
            row = services.sign_in(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "签到成功。")
            return redirect("deliberation:meeting", pk=row.meeting_id)
    return render(request, "deliberation/checkin.html", {"form": form}, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def meeting_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: attendance, motions, hand counts, closing a ballot, closing the meeting, publishing the minutes."""
    _staff_only(request)
    meeting = get_visible_or_404(Meeting.objects.visible_to(request.user).select_related("topic"), pk=pk)
    action = request.POST.get("action", "")
    residents = Resident.objects.visible_to(request.user)
    try:
        if action == "attend":
            attend = f.AttendForm(request.POST)
            if not attend.is_valid():
                raise ValidationError("请填写居民档案编号。")
            person = residents.filter(pk=attend.cleaned_data["resident"]).first()
            proxy = residents.filter(pk=attend.cleaned_data["proxy_for"]).first() if attend.cleaned_data["proxy_for"] else None
            if person is None or (attend.cleaned_data["proxy_for"] and proxy is None):
                raise ValidationError("未找到该居民档案。")
            services.record_attendance(actor=request.user, meeting=meeting, resident=person, proxy_for=proxy)
            done = f"已登记 {person.name} 出席。"
        elif action == "motion":
            form = f.MotionForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请填写表决事项和方式。")
            services.add_motion(actor=request.user, meeting=meeting, **form.cleaned_data)
            done = "已添加表决事项。"
        elif action in ("hands", "close_ballot"):
            motion = meeting.motions.filter(pk=request.POST.get("motion") or 0).first() \
                if str(request.POST.get("motion", "")).isdigit() else None
            if motion is None:
                raise Http404("未找到")
            if action == "hands":
                hands = f.HandsForm(request.POST)
                if not hands.is_valid():
                    raise ValidationError("赞成、反对、弃权须为非负整数。")
                services.record_hands(actor=request.user, motion=motion, **hands.cleaned_data)
            else:
                services.close_ballot(actor=request.user, motion=motion)
            done = "表决结果已记录。"
        elif action == "close":
            services.close_meeting(actor=request.user, meeting=meeting, minutes=request.POST.get("minutes", ""))
            done = "会议已结束，纪要草稿进入更正期。"
        elif action == "publish_minutes":
            services.publish_minutes(actor=request.user, meeting=meeting, minutes=request.POST.get("minutes", ""))
            done = "纪要已公开。"
        else:
            raise Http404("未找到")
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("deliberation:meeting", pk=meeting.pk)


@login_required
@require_POST
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    motion = get_visible_or_404(Motion.objects.filter(meeting__in=Meeting.objects.visible_to(request.user)), pk=pk)
    form = f.BallotForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请选择赞成、反对或弃权。")
        services.cast_ballot(actor=request.user, motion=motion, choice=form.cleaned_data["choice"])
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已投票。投票不记名，结果在投票结束后公布。")
    return redirect("deliberation:meeting", pk=motion.meeting_id)


@login_required
@require_POST
def minutes_correct(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_visible_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    try:
        services.correct_minutes(actor=request.user, meeting=meeting, text=request.POST.get("text", ""))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "更正意见已提交。")
    return redirect("deliberation:meeting", pk=meeting.pk)


# ---------------------------------------------------------------- projects

@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_visible_or_404(selectors.projects(request.user), pk=pk)
    return render(request, "deliberation/project_detail.html", {
        "p": project, "progress": services.weighted_progress(project), "milestones": project.milestones.all(),
        "children": project.children.all(), "staff": selectors.is_staff(request.user),
        "resident": selectors.is_resident(request.user), "rate_form": f.RateForm(),
        "ratings": project.ratings.count()})


@login_required
@require_POST
def project_act(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_visible_or_404(Project.objects.visible_to(request.user), pk=pk)
    action = request.POST.get("action", "")
    today = timezone.localdate()
    try:
        if action == "rate":
            form = f.RateForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请选择评价等级。")
            services.rate_project(actor=request.user, project=project, level=form.cleaned_data["level"])
            done = "感谢您的评价。"
        elif not selectors.is_staff(request.user):
            raise Http404("未找到")
        elif action == "milestone":
            due = request.POST.get("due_on", "")
            try:
                due_on = dt.date.fromisoformat(due)
            except ValueError:
                raise ValidationError("请填写计划日期。") from None
            services.add_milestone(actor=request.user, project=project, title=request.POST.get("title", ""), due_on=due_on)
            done = "已添加节点。"
        elif action == "done_milestone":
            milestone = project.milestones.filter(pk=request.POST.get("milestone") or 0).first() \
                if str(request.POST.get("milestone", "")).isdigit() else None
            if milestone is None:
                raise Http404("未找到")
            progress = request.POST.get("progress", "")
            if not progress.isdigit():
                raise ValidationError({"progress": "进度须在 0 至 100 之间。"})
            services.complete_milestone(actor=request.user, milestone=milestone, done_on=today, progress=int(progress))
            done = "节点已完成。"
        elif action == "finish":
            services.finish_project(actor=request.user, project=project, result=request.POST.get("result", ""))
            done = "项目已完成，结果已公开。"
        else:
            raise Http404("未找到")
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("deliberation:project", pk=project.pk)


# ---------------------------------------------------------------- 三项清单

@login_required
def lists(request: HttpRequest) -> HttpResponse:
    """三项清单: needs, resources and projects of the caller's scope; a new need or resource."""
    _staff_only(request)
    need_form = f.NeedForm(request.POST if request.POST.get("list") == "need" else None,
                           initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # signed in
    resource_form = f.ResourceForm(request.POST if request.POST.get("list") == "resource" else None,
                                   initial={"unit_code": request.user.unit_id})  # type: ignore[union-attr]  # signed in
    if request.method == "POST":
        form = need_form if request.POST.get("list") == "need" else resource_form
        if form.is_valid():
            try:
                if form is need_form:
                    services.add_need(actor=request.user, data=form.cleaned_data)
                else:
                    services.add_resource(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已加入清单。")
                return redirect("deliberation:lists")
    needs = selectors.needs(request.user)
    return render(request, "deliberation/lists.html", {
        "needs": needs.filter(status=Need.Status.OPEN)[:200], "open_count": needs.filter(status=Need.Status.OPEN).count(),
        "matched": needs.filter(status=Need.Status.MATCHED)[:50], "within7": (within7 := selectors.matched_within(needs)),
        "within7_rate": within7[0] / within7[1] if within7[1] else None, "resources": selectors.resources(request.user)[:200],
        "projects": selectors.projects(request.user)[:100], "need_form": need_form, "resource_form": resource_form},
        status=400 if request.method == "POST" else 200)


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The engine's proposals for one need, with the reason of each score; staff confirm one."""
    _staff_only(request)
    need = get_visible_or_404(selectors.needs(request.user), pk=pk)
    if request.method == "POST":
        resource = selectors.resources(request.user).filter(pk=request.POST.get("resource") or 0).first() \
            if str(request.POST.get("resource", "")).isdigit() else None
        try:
            if resource is None:
                raise ValidationError("请选择资源。")
            services.confirm_match(actor=request.user, need=need, resource=resource)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"已由「{resource.name if resource else ''}」对接该需求。")
        return redirect("deliberation:need", pk=need.pk)
    pool = [r for r in matching.candidates(need) if selectors.is_staff(request.user)]
    return render(request, "deliberation/need_detail.html", {"need": need, "proposals": matching.propose(need, pool)})


# ---------------------------------------------------------------- surveys

@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    staff = selectors.is_staff(request.user)
    form = f.SurveyForm(request.POST or None, initial={"unit_code": getattr(request.user, "unit_id", ""),
                                                       "satisfaction": True, "anonymous": True})
    if request.method == "POST":
        _staff_only(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                questions = f.parse_questions(data["questions"])
                survey = services.create_survey(actor=request.user, unit_code=data["unit_code"], title=data["title"],
                                                anonymous=data["anonymous"], satisfaction=data["satisfaction"],
                                                questions=questions)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已创建问卷「{survey.title}」。")
                return redirect("deliberation:survey", pk=survey.pk)
    if not staff and not selectors.is_resident(request.user):
        raise Http404("未找到")
    return render(request, "deliberation/survey_list.html", {
        "surveys": selectors.surveys(request.user)[:200], "form": form, "staff": staff},
        status=400 if request.method == "POST" else 200)


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_visible_or_404(selectors.surveys(request.user), pk=pk)
    if not selectors.is_staff(request.user):
        return _survey_answer(request, survey)
    prefix = request.GET.get("unit", "")[:12]
    if prefix and not prefix.startswith(str(survey.unit.prefix)):
        prefix = ""
    results = selectors.results(survey, prefix)
    chart = [{"q": r["question"].text, "labels": [c[0] for c in r["counts"]], "values": [c[1] for c in r["counts"]]}
             for r in results if r["counts"]]
    return render(request, "deliberation/survey_detail.html", {
        "s": survey, "results": results, "chart": chart, "unit": prefix,
        "invited": survey.invitations.count(), "answered": survey.invitations.filter(answered=True).count(),
        "responses": survey.responses.count(), "questions": survey.questions.all()})


def _raw_answers(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for qn in survey.questions.all():
        key = str(qn.order)
        if qn.kind == "multiple":
            raw[key] = request.POST.getlist(f"q{key}")
        elif qn.kind == "matrix":
            raw[key] = {row: request.POST.get(f"q{key}_{i}", "") for i, row in enumerate(qn.options)}
        else:
            raw[key] = request.POST.get(f"q{key}", "")
    return raw


def _survey_answer(request: HttpRequest, survey: Survey) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.answer_survey(actor=request.user, survey=survey, raw=_raw_answers(request, survey))
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "感谢您的参与，答卷已提交。")
            return redirect("deliberation:surveys")
    answered = survey.invitations.filter(account_id=request.user.pk, answered=True).exists()
    return render(request, "deliberation/survey_answer.html", {
        "s": survey, "questions": survey.questions.select_related("show_if_question"), "errors": errors,
        "answered": answered, "scale": range(1, 6)}, status=400 if errors else 200)


@login_required
@require_POST
def survey_act(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    survey = get_visible_or_404(selectors.surveys(request.user), pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "open":
            n = services.open_survey(actor=request.user, survey=survey)
            done = f"问卷已发放，邀请 {n} 人。"
        elif action == "close":
            services.close_survey(actor=request.user, survey=survey)
            done = "问卷已结束。"
        elif action == "paper":
            services.enter_paper(actor=request.user, survey=survey, unit_code=request.POST.get("unit_code", "")[:12],
                                 raw=_raw_answers(request, survey))
            done = "已录入纸质答卷。"
        else:
            raise Http404("未找到")
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("deliberation:survey", pk=survey.pk)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}:{v}" for k, v in value.items())
    return value


@login_required
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    """One row per answer sheet, one column per question; a question not shown to the person is 「（未显示）」."""
    _staff_only(request)
    survey = get_visible_or_404(selectors.surveys(request.user), pk=pk)
    questions = list(survey.questions.select_related("show_if_question"))
    header = ["村（社区）代码", "提交日期", "纸质", *[f"{qn.order}. {qn.text}" for qn in questions]]
    rows = []
    for r in survey.responses.order_by("unit_id", "submitted_on", "id").iterator(chunk_size=2000):
        cells = []
        for qn in questions:
            value = r.answers.get(str(qn.order))
            if value is None and qn.show_if_question_id is not None:
                cells.append("（未显示）")
            else:
                cells.append(_cell(value) if value is not None else "")
        rows.append([r.unit_id, r.submitted_on, "是" if r.on_paper else "否", *cells])
    stream = BytesIO()
    xlsx.write_table(stream, header, rows, title=survey.title, watermark=f"{request.user.get_username()} {timezone.localdate()}")
    audit.record(actor=request.user, action="deliberation.export_survey", obj=survey)  # type: ignore[arg-type]  # a User behind login_required
    response = HttpResponse(stream.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
    return response

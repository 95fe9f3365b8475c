"""JSON API of the deliberation module (/api/deliberation/): scoped like the pages; no personal data."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.scoping import get_visible_or_404
from deliberation import quorum as q
from deliberation import selectors, services
from deliberation.models import Meeting, Motion, Survey
from people.models import Resident
from shequ.apierrors import ErrorOut
from shequ.inputs import PageNumber

router = Router(tags=["deliberation"])
PAGE_SIZE = 100


class TopicOut(Schema):
    id: int
    unit_code: str
    title: str
    origin: str
    state: str
    supports: int
    created_at: dt.datetime


class TopicPage(Schema):
    count: int
    page: int
    results: list[TopicOut]


class EventOut(Schema):
    at: dt.datetime
    kind: str
    summary: str


class TopicDetail(TopicOut):
    body: str
    decision: str
    timeline: list[EventOut]


class MotionOut(Schema):
    id: int
    text: str
    method: str
    closed: bool
    yes: int | None
    no: int | None
    abstain: int | None
    passed: bool | None


class MeetingOut(Schema):
    id: int
    topic_id: int
    topic_title: str
    kind: str
    basis: str
    starts_at: dt.datetime
    status: str
    eligible: int
    present: int
    quorum_needed: int
    quorum_met: bool
    quorum_text: str
    motions: list[MotionOut]


class AttendIn(Schema):
    resident_id: int = Field(..., ge=1, le=2**31 - 1)
    proxy_for_id: int | None = Field(None, ge=1, le=2**31 - 1)


class HandsIn(Schema):
    yes: int = Field(..., ge=0, le=100000)
    no: int = Field(..., ge=0, le=100000)
    abstain: int = Field(..., ge=0, le=100000)


class ResultOut(Schema):
    order: int
    text: str
    kind: str
    counts: dict[str, int]
    mean: float | None
    rows: dict[str, float | None]


class SurveyResults(Schema):
    id: int
    title: str
    responses: int
    results: list[ResultOut]


def _topic(t: Any) -> dict[str, Any]:
    return {"id": t.pk, "unit_code": t.unit_id, "title": t.title, "origin": t.origin, "state": t.state,
            "supports": getattr(t, "support_count", 0), "created_at": t.created_at}


def _refusal(exc: ValidationError) -> Any:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {}
    return Status(422, {"detail": "；".join(exc.messages), "errors": {k: "；".join(v) for k, v in errors.items()}})


@router.get("/topics", response=TopicPage, summary="Topics the caller sees (staff: subtree; resident: own community)")
def topic_list(request: HttpRequest, state: str = "", page: PageNumber = 1) -> dict[str, Any]:
    rows = selectors.topics(request.user, state[:20])
    chunk = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return {"count": rows.count(), "page": page, "results": [_topic(t) for t in chunk]}


@router.get("/topics/{topic_id}", response=TopicDetail, summary="One topic with its whole timeline")
def topic_detail(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    t = get_visible_or_404(selectors.topics(request.user), pk=topic_id)
    return {**_topic(t), "body": t.body, "decision": t.decision,
            "timeline": [{"at": e.at, "kind": e.kind, "summary": e.summary} for e in t.events.all()]}


def _meeting(m: Meeting) -> dict[str, Any]:
    found = q.quorum(m)
    return {"id": m.pk, "topic_id": m.topic_id, "topic_title": m.topic.title, "kind": m.kind, "basis": m.basis, "starts_at": m.starts_at,
            "status": m.status, "eligible": found.eligible, "present": found.present, "quorum_needed": found.needed,
            "quorum_met": found.met, "quorum_text": found.explain(),
            "motions": [{"id": x.pk, "text": x.text, "method": x.method, "closed": x.closed_at is not None,
                         # secret counts are published when voting closes
                         "yes": x.yes if x.closed_at or x.method == Motion.Method.HANDS else None,
                         "no": x.no if x.closed_at or x.method == Motion.Method.HANDS else None,
                         "abstain": x.abstain if x.closed_at or x.method == Motion.Method.HANDS else None,
                         "passed": x.passed} for x in m.motions.all()]}


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="A meeting with quorum computed from the register")
def meeting_detail(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _meeting(get_visible_or_404(selectors.meetings(request.user), pk=meeting_id))


@router.post("/meetings/{meeting_id}/attendance", response={200: MeetingOut, 404: ErrorOut, 422: ErrorOut},
             summary="Staff record one attendee (optionally holding a proxy)")
def meeting_attend(request: HttpRequest, meeting_id: int, payload: AttendIn) -> Any:
    if not selectors.is_staff(request.user):
        return Status(404, {"detail": "未找到", "errors": {}})
    meeting = get_visible_or_404(selectors.meetings(request.user), pk=meeting_id)
    residents = Resident.objects.visible_to(request.user)
    person = get_visible_or_404(residents, pk=payload.resident_id)
    proxy = get_visible_or_404(residents, pk=payload.proxy_for_id) if payload.proxy_for_id else None
    try:
        services.record_attendance(actor=request.user, meeting=meeting, resident=person, proxy_for=proxy)
    except ValidationError as exc:
        return _refusal(exc)
    return _meeting(meeting)


@router.post("/motions/{motion_id}/hands", response={200: MeetingOut, 404: ErrorOut, 422: ErrorOut},
             summary="Staff record a show of hands; refused below the quorum")
def motion_hands(request: HttpRequest, motion_id: int, payload: HandsIn) -> Any:
    if not selectors.is_staff(request.user):
        return Status(404, {"detail": "未找到", "errors": {}})
    motion = get_visible_or_404(Motion.objects.filter(meeting__in=selectors.meetings(request.user)), pk=motion_id)
    try:
        services.record_hands(actor=request.user, motion=motion, yes=payload.yes, no=payload.no, abstain=payload.abstain)
    except ValidationError as exc:
        return _refusal(exc)
    return _meeting(motion.meeting)


@router.get("/surveys/{survey_id}/results", response=SurveyResults, summary="A survey's results for its scope or a subtree")
def survey_results(request: HttpRequest, survey_id: int, unit: str = "") -> dict[str, Any]:
    if not selectors.is_staff(request.user):
        get_visible_or_404(Survey.objects.none(), pk=survey_id)
    survey = get_visible_or_404(selectors.surveys(request.user).select_related("unit"), pk=survey_id)
    unit = unit[:12]
    prefix = unit if unit and unit.startswith(str(survey.unit.prefix)) else ""
    found = selectors.results(survey, prefix)
    return {"id": survey.pk, "title": survey.title, "responses": found[0]["total"] if found else 0, "results": [
        {"order": r["question"].order, "text": r["question"].text, "kind": r["question"].kind,
         "counts": dict(r["counts"]), "mean": r["mean"], "rows": dict(r["rows"])} for r in found]}

"""Every deliberation route, probed against a topic, meeting, project, need and survey in bob's community (桥东社区)."""

import datetime as dt

from django.utils import timezone

from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, World

TITLE = "桥东议题加装电梯"
DECISION = "桥东决议：三号楼加装电梯"
PROJECT = "桥东电梯工程"
NEED = "桥东老人助餐需求"
SURVEY = "桥东满意度调查问卷"
ANSWER = "桥东答卷文字意见"
OBJECTOR = "异议人甲"


def _topic(world: World, title: str = TITLE, state: str = "accepted"):
    from deliberation.models import Topic, TopicEvent

    found = Topic.objects.filter(title=title).first()
    if found is not None:
        return found
    t = Topic.objects.create(unit_id=BOB_UNIT, title=title, body="三号楼加装电梯", origin="staff", state=state,
                             procedure="residents", decision=DECISION)
    TopicEvent.objects.create(topic=t, kind="origin", at=timezone.now(), summary=f"工作人员提出议题「{title}」")
    return t


def _people(world: World):
    from people.models import Household, Resident

    found = list(Resident.objects.filter(unit_id=BOB_UNIT, name__startswith="议事居民").order_by("pk"))
    if found:
        return found
    home = Household.objects.create(unit_id=BOB_UNIT, number="YS-1")
    return [Resident.objects.create(unit_id=BOB_UNIT, household=home, name=f"议事居民{i}", gender="M",
                                    birth_date=dt.date(1970, 1, 1)) for i in range(2)]


def _meeting(world: World):
    from deliberation.models import Meeting

    t = _topic(world)
    found = Meeting.objects.filter(topic=t).first()
    if found is not None:
        return found
    _people(world)
    return Meeting.objects.create(topic=t, unit_id=BOB_UNIT, kind="residents", basis="adults", place="议事厅",
                                  agenda="加装电梯", starts_at=timezone.now(), notice_at=timezone.now(), eligible=2)


def _motion(world: World):
    from deliberation.models import Attendance, Motion

    m = _meeting(world)
    for p in _people(world):
        Attendance.objects.get_or_create(meeting=m, resident=p, defaults={"household_id": p.household_id})
    return Motion.objects.get_or_create(meeting=m, text="同意加装", method="hands")[0]


def _publicity(world: World):
    from deliberation.models import Objection, Publicity

    t = _topic(world)
    p = Publicity.objects.get_or_create(topic=t, defaults={
        "token": "pubtoken-bob", "starts_on": timezone.localdate(), "ends_on": timezone.localdate() + dt.timedelta(days=7),
        "text": DECISION})[0]
    Objection.objects.get_or_create(publicity=p, text="请先公布费用", defaults={"user": None})
    return p


def _project(world: World):
    from deliberation.models import Project

    return Project.objects.get_or_create(unit_id=BOB_UNIT, title=PROJECT, defaults={"owner": "桥东物业", "topic": _topic(world)})[0]


def _need(world: World):
    from deliberation.models import Need

    return Need.objects.get_or_create(unit_id=BOB_UNIT, title=NEED, defaults={"category": "elderly",
                                                                              "created_at": timezone.now()})[0]


def _resource(world: World):
    from deliberation.models import Resource

    return Resource.objects.get_or_create(unit_id=BOB_UNIT, name="桥东长者食堂", defaults={"kind": "facility",
                                                                                          "category": "elderly"})[0]


def _survey(world: World, status: str = "open"):
    from deliberation.models import Response, Survey
    from deliberation.services import SATISFACTION_TEMPLATE

    found = Survey.objects.filter(title=SURVEY, status=status).first()
    if found is not None:
        return found
    from deliberation.models import Question

    s = Survey.objects.create(unit_id=BOB_UNIT, title=SURVEY, satisfaction=True, status=status)
    for i, spec in enumerate(SATISFACTION_TEMPLATE, 1):
        Question.objects.create(survey=s, order=i, kind=spec["kind"], text=spec["text"], options=spec.get("options", []))
    Response.objects.create(survey=s, unit_id=BOB_UNIT, answers={"1": 4, "6": ANSWER}, submitted_on=timezone.localdate())
    return s


def _new_topic_post(world: World) -> Probe:
    from deliberation.models import Topic

    return Probe(url="/deliberation/new/", method="post", kind="write",
                 unchanged=lambda: not Topic.objects.filter(title="外来议题", unit_id=BOB_UNIT).exists(),
                 data={"unit_code": BOB_UNIT, "origin": "staff", "title": "外来议题", "body": "外来内容", "file_anyway": "1"})


def _from_requests_post(world: World) -> Probe:
    from appeals.tests.helpers import file
    from deliberation.models import Topic

    appeal = file(text="桥东小区路灯坏了很久没人修")
    return Probe(url="/deliberation/from-requests/", method="post", kind="write",
                 unchanged=lambda: not Topic.objects.filter(title="外来诉求议题").exists(),
                 data={"appeals": appeal.tracking_no, "title": "外来诉求议题", "body": "路灯"})


def _accept_post(world: World) -> Probe:
    t = _topic(world, "桥东待受理议题", state="submitted")
    return Probe(url=f"/deliberation/topics/{t.pk}/act/", method="post", kind="write",
                 unchanged=lambda: type(t).objects.get(pk=t.pk).state == "submitted",
                 data={"action": "accept", "procedure": "residents"})


def _answer_post(world: World) -> Probe:
    p = _publicity(world)
    o = p.objections.get()
    return Probe(url=f"/deliberation/objections/{o.pk}/answer/", method="post", kind="write",
                 unchanged=lambda: type(o).objects.get(pk=o.pk).answer == "", data={"text": "费用已公布"})


def _motion_post(world: World) -> Probe:
    m = _meeting(world)
    return Probe(url=f"/deliberation/meetings/{m.pk}/act/", method="post", kind="write",
                 unchanged=lambda: not m.motions.filter(text="外来表决").exists(),
                 data={"action": "motion", "text": "外来表决", "method": "hands"})


def _milestone_post(world: World) -> Probe:
    p = _project(world)
    return Probe(url=f"/deliberation/projects/{p.pk}/act/", method="post", kind="write",
                 unchanged=lambda: not p.milestones.filter(title="外来节点").exists(),
                 data={"action": "milestone", "title": "外来节点", "due_on": timezone.localdate().isoformat()})


def _need_post(world: World) -> Probe:
    from deliberation.models import Need

    return Probe(url="/deliberation/lists/", method="post", kind="write",
                 unchanged=lambda: not Need.objects.filter(title="外来需求").exists(),
                 data={"list": "need", "unit_code": BOB_UNIT, "title": "外来需求", "category": "elderly", "urgency": "2",
                       "target_group": "", "wanted_day": ""})


def _match_post(world: World) -> Probe:
    need, resource = _need(world), _resource(world)
    return Probe(url=f"/deliberation/needs/{need.pk}/", method="post", kind="write",
                 unchanged=lambda: type(need).objects.get(pk=need.pk).status == "open", data={"resource": resource.pk})


def _survey_post(world: World) -> Probe:
    from deliberation.models import Survey

    return Probe(url="/deliberation/surveys/", method="post", kind="write",
                 unchanged=lambda: not Survey.objects.filter(title="外来问卷").exists(),
                 data={"unit_code": BOB_UNIT, "title": "外来问卷", "satisfaction": "on", "anonymous": "on", "questions": ""})


def _survey_open_post(world: World) -> Probe:
    s = _survey(world, status="draft")
    return Probe(url=f"/deliberation/surveys/{s.pk}/act/", method="post", kind="write",
                 unchanged=lambda: type(s).objects.get(pk=s.pk).status == "draft", data={"action": "open"})


def _api_attend(world: World) -> Probe:
    from people.models import Resident

    m = _meeting(world)
    person = Resident.objects.create(unit_id=BOB_UNIT, name="接口参会人", gender="F", birth_date=dt.date(1980, 1, 1))
    return Probe(url=f"/api/deliberation/meetings/{m.pk}/attendance", method="post", kind="write", json=True,
                 unchanged=lambda: not m.attendance.filter(resident=person).exists(), data={"resident_id": person.pk})


def _api_hands(world: World) -> Probe:
    motion = _motion(world)
    return Probe(url=f"/api/deliberation/motions/{motion.pk}/hands", method="post", kind="write", json=True,
                 unchanged=lambda: type(motion).objects.get(pk=motion.pk).closed_at is None,
                 data={"yes": 2, "no": 0, "abstain": 0})


def _public(world: World) -> Probe:
    from accounts.models import User
    from deliberation.models import Objection

    p = _publicity(world)
    user = User.objects.get_or_create(username="objector-bob", defaults={"role": "resident", "unit_id": BOB_UNIT,
                                                                           "display_name": OBJECTOR})[0]
    Objection.objects.filter(publicity=p).update(user=user)
    return Probe(url=f"/deliberation/public/{p.token}/", kind="public", marker=DECISION, secret=OBJECTOR)


CASES = [
    ScopeCase("deliberation/", lambda w: (_topic(w), Probe(url="/deliberation/", kind="list", marker=TITLE))[1]),
    ScopeCase("deliberation/new/", _new_topic_post, methods=("post",)),
    ScopeCase("deliberation/from-requests/", _from_requests_post, methods=("post",)),
    ScopeCase("deliberation/topics/<int:pk>/", lambda w: Probe(url=f"/deliberation/topics/{_topic(w).pk}/", marker=TITLE)),
    ScopeCase("deliberation/topics/<int:pk>/print/",
              lambda w: Probe(url=f"/deliberation/topics/{_topic(w).pk}/print/", marker=TITLE)),
    ScopeCase("deliberation/topics/<int:pk>/act/", _accept_post, methods=("post",)),
    ScopeCase("deliberation/objections/<int:pk>/answer/", _answer_post, methods=("post",)),
    ScopeCase("deliberation/public/<str:token>/", _public),
    ScopeCase("deliberation/meetings/<int:pk>/", lambda w: Probe(url=f"/deliberation/meetings/{_meeting(w).pk}/", marker=TITLE)),
    ScopeCase("deliberation/meetings/<int:pk>/code/",
              lambda w: Probe(url=f"/deliberation/meetings/{_meeting(w).pk}/code/", marker=TITLE)),
    ScopeCase("deliberation/meetings/<int:pk>/act/", _motion_post, methods=("post",)),
    ScopeCase("deliberation/projects/<int:pk>/", lambda w: Probe(url=f"/deliberation/projects/{_project(w).pk}/", marker=PROJECT)),
    ScopeCase("deliberation/projects/<int:pk>/act/", _milestone_post, methods=("post",)),
    ScopeCase("deliberation/lists/", lambda w: (_need(w), Probe(url="/deliberation/lists/", kind="list", marker=NEED))[1]),
    ScopeCase("deliberation/lists/", _need_post, methods=("post",)),
    ScopeCase("deliberation/needs/<int:pk>/", lambda w: Probe(url=f"/deliberation/needs/{_need(w).pk}/", marker=NEED)),
    ScopeCase("deliberation/needs/<int:pk>/", _match_post, methods=("post",)),
    ScopeCase("deliberation/surveys/", lambda w: (_survey(w), Probe(url="/deliberation/surveys/", kind="list", marker=SURVEY))[1]),
    ScopeCase("deliberation/surveys/", _survey_post, methods=("post",)),
    ScopeCase("deliberation/surveys/<int:pk>/", lambda w: Probe(url=f"/deliberation/surveys/{_survey(w).pk}/", marker=ANSWER)),
    ScopeCase("deliberation/surveys/<int:pk>/act/", _survey_open_post, methods=("post",)),
    ScopeCase("deliberation/surveys/<int:pk>/export/",
              lambda w: Probe(url=f"/deliberation/surveys/{_survey(w).pk}/export/", marker=ANSWER)),
    ScopeCase("api/deliberation/topics", lambda w: (_topic(w), Probe(url="/api/deliberation/topics", kind="list", marker=TITLE))[1]),
    ScopeCase("api/deliberation/topics/<topic_id>", lambda w: Probe(url=f"/api/deliberation/topics/{_topic(w).pk}", marker=TITLE)),
    ScopeCase("api/deliberation/meetings/<meeting_id>",
              lambda w: Probe(url=f"/api/deliberation/meetings/{_meeting(w).pk}", marker=TITLE)),
    ScopeCase("api/deliberation/meetings/<meeting_id>/attendance", _api_attend, methods=("post",)),
    ScopeCase("api/deliberation/motions/<motion_id>/hands", _api_hands, methods=("post",)),
    ScopeCase("api/deliberation/surveys/<survey_id>/results",
              lambda w: Probe(url=f"/api/deliberation/surveys/{_survey(w).pk}/results", marker=SURVEY)),
]

OPEN_ROUTES = {
    "deliberation/topics/<int:pk>/support/": "a resident supports as themselves; the service accepts only a resident of the topic's community",
    "deliberation/topics/<int:pk>/object/": "a resident objects as themselves during the 公示; only residents of the topic's community",
    "deliberation/meetings/<int:pk>/minutes/": "an attendee proposes a correction as themselves; only the meeting's attendees",
    "deliberation/motions/<int:pk>/ballot/": "an attendee casts their own secret ballot; only the meeting's signed-in attendees",
    "deliberation/checkin/": "the caller signs in themselves with the meeting's signed code; only residents of its community",
}

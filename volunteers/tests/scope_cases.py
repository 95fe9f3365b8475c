"""Every volunteers route, probed against a volunteer, team, point, activity and record in bob's community (桥东社区)."""

import datetime as dt

from django.utils import timezone

from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, World

NAME = "桥东志愿者甲"
TEAM = "桥东红马甲服务队"
POINT = "桥东志愿服务站"
TITLE = "桥东助老探访活动"
PAST = "桥东往期清洁活动"


def _volunteer(world: World):
    from people.idcard import make_number
    from volunteers.models import Volunteer

    found = Volunteer.objects.filter(name=NAME).first()
    if found is not None:
        return found
    from volunteers import services

    return services.register_volunteer(actor=world.bob, data={
        "name": NAME, "id_number": make_number("131102", dt.date(1991, 2, 3), 7, "M"), "phone": "13900009999",
        "unit_code": BOB_UNIT, "consent": True})


def _team(world: World):
    from volunteers.models import Team

    return Team.objects.get_or_create(unit_id=BOB_UNIT, name=TEAM)[0]


def _point(world: World):
    from volunteers.models import ServicePoint

    return ServicePoint.objects.get_or_create(unit_id=BOB_UNIT, name=POINT, defaults={
        "hours": "周一至周五 9:00-17:00", "contact_name": "张站长", "contact_phone": "03182123456",
        "opened_on": dt.date(2024, 1, 1)})[0]


def _activity(world: World, *, past: bool = False):
    from volunteers.models import Activity

    start = (timezone.now() + dt.timedelta(days=-2 if past else 2)).replace(second=0, microsecond=0)
    return Activity.objects.get_or_create(unit_id=BOB_UNIT, title=PAST if past else TITLE, defaults={
        "category": "elderly_disabled", "target_group": "empty_nest", "place": "桥东社区服务中心", "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2), "capacity": 5})[0]


def _signup(world: World, *, past: bool = False):
    from volunteers.models import SignUp

    return SignUp.objects.get_or_create(activity=_activity(world, past=past), volunteer=_volunteer(world),
                                        defaults={"status": "confirmed"})[0]


def _record(world: World):
    from volunteers.models import ServiceRecord

    activity = _activity(world, past=True)
    return ServiceRecord.objects.get_or_create(volunteer=_volunteer(world), activity=activity, defaults={
        "activity_name": activity.title, "unit_id": BOB_UNIT, "started_at": activity.starts_at,
        "ended_at": activity.ends_at})[0]


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _new_volunteer_post(world: World) -> Probe:
    from people.idcard import make_number
    from volunteers.models import Volunteer

    return Probe(url="/volunteers/new/", method="post", kind="write",
                 unchanged=lambda: not Volunteer.objects.filter(name="外来登记").exists(),
                 data={"name": "外来登记", "id_type": "id_card", "id_number": make_number("131102", dt.date(1992, 3, 4), 9, "F"),
                       "phone": "", "unit_code": BOB_UNIT, "consent": "on"})


def _team_post(world: World) -> Probe:
    from volunteers.models import Team

    return Probe(url="/volunteers/teams/", method="post", kind="write",
                 unchanged=lambda: not Team.objects.filter(name="外来队伍").exists(),
                 data={"name": "外来队伍", "unit_code": BOB_UNIT})


def _member_post(world: World) -> Probe:
    team, person = _team(world), _volunteer(world)
    return Probe(url=f"/volunteers/teams/{team.pk}/", method="post", kind="write",
                 unchanged=lambda: not team.members.filter(pk=person.pk).exists(), data={"volunteer": person.pk})


def _point_post(world: World) -> Probe:
    from volunteers.models import ServicePoint

    return Probe(url="/volunteers/points/", method="post", kind="write",
                 unchanged=lambda: not ServicePoint.objects.filter(name="外来站点").exists(),
                 data={"name": "外来站点", "unit_code": BOB_UNIT, "hours": "周六 9:00-12:00", "contact_name": "王",
                       "contact_phone": "13900001234", "opened_on": "2024-05-01", "address": ""})


def _activity_post(world: World) -> Probe:
    from volunteers.models import Activity

    start = timezone.now() + dt.timedelta(days=3)
    return Probe(url="/volunteers/activities/new/", method="post", kind="write",
                 unchanged=lambda: not Activity.objects.filter(title="外来活动").exists(),
                 data={"title": "外来活动", "unit_code": BOB_UNIT, "category": "community", "target_group": "all",
                       "place": "广场", "starts_at": _local(start), "ends_at": _local(start + dt.timedelta(hours=2)),
                       "capacity": "5", "skills_wanted": "", "description": ""})


def _signup_post(world: World) -> Probe:
    from volunteers.models import SignUp

    activity, person = _activity(world), _volunteer(world)
    return Probe(url=f"/volunteers/activities/{activity.pk}/signup/", method="post", kind="write",
                 unchanged=lambda: not SignUp.objects.filter(activity=activity, volunteer=person).exists(),
                 data={"volunteer": person.pk})


def _cancel_post(world: World) -> Probe:
    from volunteers.models import SignUp

    signup = _signup(world)
    return Probe(url=f"/volunteers/signups/{signup.pk}/cancel/", method="post", kind="write",
                 unchanged=lambda: SignUp.objects.filter(pk=signup.pk, status="confirmed").exists())


def _by_hand_post(world: World) -> Probe:
    from volunteers.models import ServiceRecord

    signup = _signup(world, past=True)
    return Probe(url=f"/volunteers/signups/{signup.pk}/by-hand/", method="post", kind="write",
                 unchanged=lambda: not ServiceRecord.objects.filter(activity=signup.activity).exists(),
                 data={"started_at": _local(signup.activity.starts_at), "ended_at": _local(signup.activity.ends_at)})


def _confirm_post(world: World) -> Probe:
    from volunteers.models import ServiceRecord

    record = _record(world)
    return Probe(url=f"/volunteers/records/{record.pk}/confirm/", method="post", kind="write",
                 unchanged=lambda: ServiceRecord.objects.filter(pk=record.pk, confirmed=False).exists(),
                 data={"started_at": "", "ended_at": "", "reason": ""})


def _with_hours(world: World):
    from volunteers.models import ServiceRecord

    ServiceRecord.objects.filter(pk=_record(world).pk).update(confirmed=True)
    return _volunteer(world)


def _certificate_post(world: World) -> Probe:
    from volunteers.models import Certificate

    person = _with_hours(world)
    return Probe(url=f"/volunteers/people/{person.pk}/certificate/", method="post", kind="write",
                 unchanged=lambda: not Certificate.objects.filter(volunteer=person).exists())


def _verify(world: World) -> Probe:
    from people.masking import mask_name
    from volunteers import services

    cert = services.issue_certificate(actor=world.bob, volunteer=_with_hours(world))
    return Probe(url=f"/v/{services.certificate_code(cert)}/", kind="public", marker=mask_name(NAME), secret=NAME)


PARTY = "桥东在职党员甲"
# A member of 市民政局 living in bob's community: the community's chain and the work unit (erin) see them.
PARTY_INSIDERS = ("bob", "tom", "carl", "cindy", "erin")
PARTY_OUTSIDERS = ("alice", "tina", "dave", "rita", "sam", "sue", "audrey")


def _party_member(world: World):
    from people.crypto import search_hash
    from volunteers.models import PartyMember

    return PartyMember.objects.get_or_create(name=PARTY, defaults={
        "work_unit": world.erin.department, "residence_id": BOB_UNIT, "id_number_enc": "x",
        "id_number_hash": search_hash("PARTY-PROBE"), "id_number_masked": "131102************"})[0]


def _party_confirm_post(world: World) -> Probe:
    from volunteers.models import PartyReport

    report = PartyReport.objects.get_or_create(member=_party_member(world), reported_on=dt.date(2025, 3, 1),
                                               defaults={"unit_id": BOB_UNIT, "posts": ["volunteer"]})[0]
    return Probe(url=f"/volunteers/party/reports/{report.pk}/confirm/", method="post", kind="write",
                 unchanged=lambda: PartyReport.objects.filter(pk=report.pk, confirmed=False).exists())


TASK = "桥东探访任务SCOPE"
# The task's team member ("taskvol", added to the world) and the community's chain see the task.
TASK_INSIDERS = ("taskvol", "bob", "tom", "carl", "cindy")


def _task_volunteer(world: World):
    from accounts.models import User
    from accounts.roles import Role

    account = User.objects.filter(username="taskvol").first() or User.objects.create(
        username="taskvol", role=Role.RESIDENT, unit_id=BOB_UNIT)
    world.users["taskvol"] = account
    person = _volunteer(world)
    if person.account_id is None:
        person.account = account
        person.save(update_fields=["account"])
    _team(world).members.add(person)
    return person


def _due(world: World):
    from care.models import DueVisit, VisitRule
    from people.tests.factories import resident

    rule = VisitRule.objects.get_or_create(tag="empty_nest", defaults={"frequency": "month"})[0]
    found = DueVisit.objects.filter(resident__name="桥东空巢甲").first()
    if found is not None:
        return found
    today = timezone.localdate()
    return DueVisit.objects.create(rule=rule, tag="empty_nest", resident=resident(BOB_UNIT, name="桥东空巢甲"),
                                   unit_id=BOB_UNIT, period_start=today.replace(day=1),
                                   period_end=today + dt.timedelta(days=31))


def _task(world: World):
    from volunteers.models import VolunteerTask

    _task_volunteer(world)
    return VolunteerTask.objects.get_or_create(title=TASK, defaults={
        "unit_id": BOB_UNIT, "team": _team(world), "kind": "visit", "due_visit": _due(world), "brief": "桥东小区",
        "handed_by": world.bob})[0]


def _hand_post(world: World) -> Probe:
    from volunteers.models import VolunteerTask

    due, team = _due(world), _team(world)
    return Probe(url="/volunteers/tasks/", method="post", kind="write",
                 unchanged=lambda: not VolunteerTask.objects.filter(due_visit=due).exists(),
                 data={"kind": "visit", "v-due_visit": due.pk, "v-team": team.pk, "v-note": ""})


def _take_post(world: World) -> Probe:
    from volunteers.models import VolunteerTask

    task = _task(world)
    return Probe(url=f"/volunteers/tasks/{task.pk}/", method="post", kind="write",
                 unchanged=lambda: VolunteerTask.objects.filter(pk=task.pk, status="open").exists(),
                 data={"action": "take"})


def _elderly_record(world: World):
    from volunteers.models import Activity, ServiceRecord

    record = _record(world)
    Activity.objects.filter(pk=record.activity_id).update(category="elderly_disabled")
    ServiceRecord.objects.filter(pk=record.pk).update(confirmed=True)
    return record


def _time_bank(world: World) -> Probe:
    _elderly_record(world)
    return Probe(url=f"/volunteers/people/{_volunteer(world).pk}/time-bank/", marker=PAST)


def _bank_post(world: World) -> Probe:
    from volunteers.models import TimeBankEntry

    record = _elderly_record(world)
    return Probe(url=f"/volunteers/people/{record.volunteer_id}/time-bank/", method="post", kind="write",
                 unchanged=lambda: not TimeBankEntry.objects.filter(earned_by=record).exists(),
                 data={"action": "bank", "record": record.pk})


def _dashboard(world: World, path: str = "") -> Probe:
    _volunteer(world)
    return Probe(url=f"/volunteers/dashboard/{path}?unit={BOB_UNIT}", marker=world.unit(BOB_UNIT).name)


CASES = [
    ScopeCase("volunteers/dashboard/", _dashboard),
    ScopeCase("volunteers/dashboard/<str:figure>.xlsx", lambda w: _dashboard(w, "overview.xlsx")),
    ScopeCase("volunteers/tasks/", lambda w: (_task(w), Probe(url="/volunteers/tasks/", kind="list", marker=TASK))[1],
              insiders=TASK_INSIDERS),
    ScopeCase("volunteers/tasks/", _hand_post, methods=("post",)),
    ScopeCase("volunteers/tasks/<int:pk>/", lambda w: Probe(url=f"/volunteers/tasks/{_task(w).pk}/", marker=TASK),
              insiders=TASK_INSIDERS),
    ScopeCase("volunteers/tasks/<int:pk>/", _take_post, methods=("post",), insiders=("taskvol",),
              outsiders=tuple(u for u in ("alice", "bob", "tina", "tom", "carl", "dave", "cindy", "erin", "rita", "sam",
                                          "sue", "audrey"))),
    ScopeCase("volunteers/people/<int:pk>/time-bank/", _time_bank),
    ScopeCase("volunteers/people/<int:pk>/time-bank/", _bank_post, methods=("post",)),
    ScopeCase("volunteers/party/", lambda w: (_party_member(w), Probe(url="/volunteers/party/", kind="list",
                                                                       marker=PARTY))[1],
              insiders=PARTY_INSIDERS, outsiders=PARTY_OUTSIDERS),
    ScopeCase("volunteers/party/reports/<int:pk>/confirm/", _party_confirm_post, methods=("post",)),
    ScopeCase("volunteers/people/<int:pk>/certificate/", _certificate_post, methods=("post",)),
    ScopeCase("v/<str:code>/", _verify),
    ScopeCase("volunteers/", lambda w: (_volunteer(w), Probe(url="/volunteers/", kind="list", marker=NAME))[1]),
    # The GET of new/ is a blank form (the caller's own unit code as its default); the POST is the write probed.
    ScopeCase("volunteers/new/", _new_volunteer_post, methods=("post",)),
    ScopeCase("volunteers/people/<int:pk>/", lambda w: Probe(url=f"/volunteers/people/{_volunteer(w).pk}/", marker=NAME)),
    ScopeCase("volunteers/teams/", lambda w: (_team(w), Probe(url="/volunteers/teams/", kind="list", marker=TEAM))[1]),
    ScopeCase("volunteers/teams/", _team_post, methods=("post",)),
    ScopeCase("volunteers/teams/<int:pk>/", lambda w: Probe(url=f"/volunteers/teams/{_team(w).pk}/", marker=TEAM)),
    ScopeCase("volunteers/teams/<int:pk>/", _member_post, methods=("post",)),
    ScopeCase("volunteers/points/", lambda w: (_point(w), Probe(url="/volunteers/points/", kind="list", marker=POINT))[1]),
    ScopeCase("volunteers/points/", _point_post, methods=("post",)),
    ScopeCase("volunteers/activities/",
              lambda w: (_activity(w), Probe(url="/volunteers/activities/", kind="list", marker=TITLE))[1]),
    ScopeCase("volunteers/activities/new/", _activity_post, methods=("post",)),
    ScopeCase("volunteers/activities/<int:pk>/",
              lambda w: Probe(url=f"/volunteers/activities/{_activity(w).pk}/", marker=TITLE)),
    ScopeCase("volunteers/activities/<int:pk>/code/",
              lambda w: Probe(url=f"/volunteers/activities/{_activity(w).pk}/code/", marker=TITLE)),
    ScopeCase("volunteers/activities/<int:pk>/signup/", _signup_post, methods=("post",)),
    ScopeCase("volunteers/signups/<int:pk>/cancel/", _cancel_post, methods=("post",)),
    ScopeCase("volunteers/signups/<int:pk>/by-hand/", _by_hand_post, methods=("post",)),
    ScopeCase("volunteers/records/<int:pk>/confirm/", _confirm_post, methods=("post",)),
    ScopeCase("api/volunteers/volunteers",
              lambda w: (_volunteer(w), Probe(url="/api/volunteers/volunteers", kind="list", marker=NAME))[1]),
    ScopeCase("api/volunteers/volunteers/<volunteer_id>",
              lambda w: Probe(url=f"/api/volunteers/volunteers/{_volunteer(w).pk}", marker=NAME)),
    ScopeCase("api/volunteers/activities",
              lambda w: (_activity(w), Probe(url="/api/volunteers/activities", kind="list", marker=TITLE))[1]),
]

OPEN_ROUTES = {
    "volunteers/register/": "a resident registers themselves: a blank form, and the record it creates is the caller's own",
    "volunteers/me/": "the caller's own volunteer record and hours",
    "volunteers/checkin/": "the caller checks themselves in; the service accepts only the caller's own sign-up",
    "api/volunteers/checkin": "the caller checks themselves in; the service accepts only the caller's own sign-up",
}

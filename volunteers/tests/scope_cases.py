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


CASES = [
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

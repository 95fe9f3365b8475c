"""Every activities route, probed against an activity, project, pilot, meeting and archive entry in bob's community."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from shequ.testing.media import photo_file, png_upload
from shequ.testing.scope import OWNER_ONLY, Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, World

TITLE = "桥东亲子阅读会"
PAST = "桥东往期防灾演练"
PROJECT = "桥东社区服务设施改造提升工程"
PILOT_BODY = "桥东试点命名单位"
AGENDA = "河东街道联席会议议题甲"
TASK = "河东街道联席会议交办任务甲"
ARCHIVE = "桥东档案题名甲"
TOWNSHIP_CODE = "131102002000"
# A township's objects: the township, county and city see them; bob (a community of it) does not.
TOWNSHIP_INSIDERS = ("tom", "carl", "cindy")
TOWNSHIP_OUTSIDERS = ("bob", "alice", "tina", "dave", "erin", "rita", "sam", "sue", "audrey")


def _activity(world: World, *, past: bool = False):
    from activities.models import CommunityActivity

    start = (timezone.now() + dt.timedelta(days=-0.05 if past else 2)).replace(second=0, microsecond=0)
    return CommunityActivity.objects.get_or_create(unit_id=BOB_UNIT, title=PAST if past else TITLE, defaults={
        "kind": "safety" if past else "family", "audience": "families", "organiser": "桥东社区居委会",
        "place": "桥东社区服务中心", "starts_at": start, "ends_at": start + dt.timedelta(hours=3), "capacity": 20,
        "action_number": 28 if past else 13})[0]


def _resident(world: World):
    from accounts.models import User

    return User.objects.get_or_create(username="probe_resident", defaults={
        "role": "resident", "unit_id": BOB_UNIT, "display_name": "桥东居民"})[0]


def _joined(world: World, *, owner=None, past: bool = False):
    from activities.models import Participation

    activity = _activity(world, past=past)
    account = owner or _resident(world)
    return Participation.objects.get_or_create(activity=activity, account=account, defaults={
        "unit_id": BOB_UNIT, "attended": past})[0]


def _photo(world: World):
    from activities.models import ActivityPhoto

    activity = _activity(world)
    photo = ActivityPhoto.objects.filter(activity=activity).first()
    if photo is None:
        upload, _ = photo_file()
        photo = ActivityPhoto(activity=activity, checksum="x" * 64)
        photo.image.save("probe.png", upload, save=True)
    return photo


def _project(world: World):
    from activities.models import Project

    return Project.objects.get_or_create(unit_id=BOB_UNIT, name=PROJECT, defaults={
        "kind": "old_estate", "facility_name": "桥东党群服务中心", "planned_start": dt.date(2025, 1, 1),
        "planned_end": dt.date(2025, 12, 1)})[0]


def _building(world: World):
    from activities.models import Project

    project = _project(world)
    Project.objects.filter(pk=project.pk).update(state="building", started_on=timezone.localdate() - dt.timedelta(days=30))
    return project


def _inspected(world: World):
    from activities.models import Project

    project = _building(world)
    Project.objects.filter(pk=project.pk).update(state="inspected", inspected_on=timezone.localdate() - dt.timedelta(days=1))
    return project


def _pilot(world: World):
    from activities.models import Pilot

    return Pilot.objects.get_or_create(unit_id=BOB_UNIT, body=PILOT_BODY, defaults={
        "kind": "smart", "designated_on": dt.date(2022, 1, 1), "period_end": dt.date(2024, 1, 1)})[0]


def _meeting(world: World):
    from activities.models import JointMeeting

    return JointMeeting.objects.get_or_create(unit_id=TOWNSHIP_CODE, agenda=AGENDA, defaults={
        "held_on": dt.date(2025, 3, 1), "members": "河东街道党工委\n驻区单位党委", "attendance": "河东街道党工委"})[0]


def _task(world: World):
    from activities.models import MeetingTask

    return MeetingTask.objects.get_or_create(meeting=_meeting(world), task=TASK, defaults={
        "unit_id": TOWNSHIP_CODE, "assignee": "驻区单位党委", "due_on": dt.date(2025, 6, 1)})[0]


def _entry(world: World, *, year: int = 2010, kind: str = "activity"):
    from activities.models import ArchiveEntry

    found = ArchiveEntry.objects.filter(unit_id=BOB_UNIT, title=ARCHIVE, year=year).first()
    if found is None:
        found = ArchiveEntry(unit_id=BOB_UNIT, title=ARCHIVE, year=year, kind=kind, retention="short",
                             file_name="probe.txt")
        found.file.save("probe.txt", ContentFile(ARCHIVE.encode()), save=False)
        found.save()
    return found


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _publish(world: World) -> Probe:
    from activities.models import CommunityActivity

    start = timezone.now() + dt.timedelta(days=3)
    return Probe(url="/activities/new/", method="post", kind="write",
                 unchanged=lambda: not CommunityActivity.objects.filter(title="外来活动").exists(),
                 data={"title": "外来活动", "kind": "culture", "audience": "all", "organiser": "某社会组织",
                       "unit_code": BOB_UNIT, "space": "", "facility": "", "place": "广场",
                       "starts_at": _local(start), "ends_at": _local(start + dt.timedelta(hours=2)), "capacity": "10",
                       "description": ""})


def _signup(world: World) -> Probe:
    from activities.models import Participation

    activity, person = _activity(world), _resident(world)
    return Probe(url=f"/activities/{activity.pk}/signup/", method="post", kind="write",
                 data={"username": person.username},
                 unchanged=lambda: not Participation.objects.filter(activity=activity, account=person).exists())


def _cancel(world: World) -> Probe:
    from activities.models import Participation

    joined = _joined(world)
    return Probe(url=f"/activities/participations/{joined.pk}/cancel/", method="post", kind="write",
                 data={"confirm": "1"},
                 unchanged=lambda: Participation.objects.filter(pk=joined.pk, status="signed_up").exists())


def _rate(world: World) -> Probe:
    from activities.models import Participation

    joined = _joined(world, owner=world.bob, past=True)
    return Probe(url=f"/activities/participations/{joined.pk}/rate/", method="post", kind="write",
                 data={"rating": "5", "rating_note": ""},
                 unchanged=lambda: Participation.objects.filter(pk=joined.pk, rating__isnull=True).exists())


def _attendance(world: World) -> Probe:
    from activities.models import Participation

    joined = _joined(world, past=True)
    Participation.objects.filter(pk=joined.pk).update(attended=False)
    return Probe(url=f"/activities/{joined.activity_id}/attendance/", method="post", kind="write",
                 data={"attended": str(joined.pk)},
                 unchanged=lambda: Participation.objects.filter(pk=joined.pk, attended=False).exists())


def _photo_add(world: World) -> Probe:
    from activities.models import ActivityPhoto

    activity = _activity(world, past=True)
    return Probe(url=f"/activities/{activity.pk}/photos/", method="post", kind="write", data={"photo": png_upload()},
                 unchanged=lambda: not ActivityPhoto.objects.filter(activity=activity).exists())


def _activity_archive(world: World) -> Probe:
    from activities.models import ArchiveEntry

    activity = _activity(world, past=True)
    source = f"activities.communityactivity:{activity.pk}"
    return Probe(url=f"/activities/{activity.pk}/archive/", method="post", kind="write",
                 unchanged=lambda: not ArchiveEntry.objects.filter(source=source).exists())


def _project_archive(world: World) -> Probe:
    from activities.models import ArchiveEntry

    project = _project(world)
    source = f"activities.project:{project.pk}"
    return Probe(url=f"/activities/projects/{project.pk}/archive/", method="post", kind="write",
                 unchanged=lambda: not ArchiveEntry.objects.filter(source=source).exists())


def _project_post(world: World) -> Probe:
    from activities.models import Project

    return Probe(url="/activities/projects/", method="post", kind="write",
                 unchanged=lambda: not Project.objects.filter(name="外来项目").exists(),
                 data={"name": "外来项目", "kind": "new_build", "unit_code": BOB_UNIT, "facility": "",
                       "facility_name": "外来设施", "contractor": "", "planned_start": "2026-01-01",
                       "planned_end": "2026-06-01"})


def _funding(world: World) -> Probe:
    from activities.models import Funding

    project = _project(world)
    return Probe(url=f"/activities/projects/{project.pk}/funding/", method="post", kind="write",
                 data={"source": "social", "amount": "5"},
                 unchanged=lambda: not Funding.objects.filter(project=project).exists())


def _milestone(world: World) -> Probe:
    from activities.models import Milestone

    project = _project(world)
    return Probe(url=f"/activities/projects/{project.pk}/milestone/", method="post", kind="write",
                 data={"reached_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(), "title": "开工"},
                 unchanged=lambda: not Milestone.objects.filter(project=project).exists())


def _inspect(world: World) -> Probe:
    from activities.models import Project

    project = _building(world)
    return Probe(url=f"/activities/projects/{project.pk}/inspect/", method="post", kind="write",
                 data={"inspected_on": timezone.localdate().isoformat(), "note": "合格"},
                 unchanged=lambda: Project.objects.filter(pk=project.pk, inspected_on__isnull=True).exists())


def _complete(world: World) -> Probe:
    from activities.models import Project

    project = _inspected(world)
    return Probe(url=f"/activities/projects/{project.pk}/complete/", method="post", kind="write",
                 data={"completed_on": timezone.localdate().isoformat(), "building_area": "500", "activity_area": "300"},
                 unchanged=lambda: Project.objects.filter(pk=project.pk, completed_on__isnull=True).exists())


def _pilot_post(world: World) -> Probe:
    from activities.models import Pilot

    return Probe(url="/activities/pilots/", method="post", kind="write",
                 unchanged=lambda: not Pilot.objects.filter(body="外来命名单位").exists(),
                 data={"kind": "learning", "unit_code": BOB_UNIT, "body": "外来命名单位", "designated_on": "2024-01-01",
                       "period_end": "2027-01-01"})


def _evaluate(world: World) -> Probe:
    from activities.models import Pilot

    pilot = _pilot(world)
    return Probe(url=f"/activities/pilots/{pilot.pk}/evaluate/", method="post", kind="write",
                 data={"result": "passed", "evaluation": "合格", "evaluated_on": "2024-02-01"},
                 unchanged=lambda: Pilot.objects.filter(pk=pilot.pk, evaluated_on__isnull=True).exists())


def _meeting_post(world: World) -> Probe:
    from activities.models import JointMeeting

    return Probe(url="/activities/meetings/", method="post", kind="write",
                 unchanged=lambda: not JointMeeting.objects.filter(agenda="外来议题").exists(),
                 data={"unit_code": TOWNSHIP_CODE, "held_on": "2025-02-01", "agenda": "外来议题", "members": "甲\n乙",
                       "attendance": "甲", "decisions": ""})


def _task_post(world: World) -> Probe:
    from activities.models import MeetingTask

    meeting = _meeting(world)
    return Probe(url=f"/activities/meetings/{meeting.pk}/", method="post", kind="write",
                 data={"assignee": "驻区单位党委", "task": "外来任务", "due_on": "2025-08-01"},
                 unchanged=lambda: not MeetingTask.objects.filter(task="外来任务").exists())


def _task_done(world: World) -> Probe:
    from activities.models import MeetingTask

    task = _task(world)
    return Probe(url=f"/activities/tasks/{task.pk}/done/", method="post", kind="write",
                 data={"done_on": "2025-05-01", "outcome": "已办结"},
                 unchanged=lambda: MeetingTask.objects.filter(pk=task.pk, done_on__isnull=True).exists())


def _archive_post(world: World) -> Probe:
    from activities.models import ArchiveEntry

    return Probe(url="/activities/archive/", method="post", kind="write",
                 unchanged=lambda: not ArchiveEntry.objects.filter(title="外来档案").exists(),
                 data={"title": "外来档案", "unit_code": BOB_UNIT, "year": "2024", "kind": "other", "retention": "",
                       "file": png_upload("outsider.png")})


def _destroy(world: World) -> Probe:
    from activities.models import ArchiveEntry

    entry = _entry(world)
    return Probe(url=f"/activities/archive/{entry.pk}/destroy/", method="post", kind="write",
                 data={"confirm": "1", "note": "到期鉴定"},
                 unchanged=lambda: ArchiveEntry.objects.filter(pk=entry.pk, destroyed_at__isnull=True).exists())


def _list(url: str, marker: str, make):
    return lambda w: (make(w), Probe(url=url, kind="list", marker=marker))[1]


CASES = [
    ScopeCase("activities/", _list("/activities/", TITLE, _activity)),
    ScopeCase("activities/new/", _publish, methods=("post",)),
    ScopeCase("activities/<int:pk>/", lambda w: Probe(url=f"/activities/{_activity(w).pk}/", marker=TITLE)),
    ScopeCase("activities/<int:pk>/signup/", _signup, methods=("post",)),
    ScopeCase("activities/<int:pk>/code/", lambda w: Probe(url=f"/activities/{_activity(w).pk}/code/", marker=TITLE)),
    ScopeCase("activities/<int:pk>/attendance/", _attendance, methods=("post",)),
    ScopeCase("activities/<int:pk>/photos/", _photo_add, methods=("post",)),
    ScopeCase("activities/<int:pk>/archive/", _activity_archive, methods=("post",)),
    ScopeCase("activities/photos/<int:pk>/", lambda w: Probe(url=f"/activities/photos/{_photo(w).pk}/",
                                                             marker=photo_file()[1])),
    ScopeCase("activities/participations/<int:pk>/cancel/", _cancel, methods=("post",)),
    ScopeCase("activities/participations/<int:pk>/rate/", _rate, methods=("post",), **OWNER_ONLY),
    ScopeCase("activities/figures/", lambda w: (_activity(w, past=True), Probe(
        url=f"/activities/figures/?unit={BOB_UNIT}&start={timezone.localdate() - dt.timedelta(days=1)}"
            f"&end={timezone.localdate()}", kind="list", marker="安全与应急</td><td>1"))[1]),
    ScopeCase("activities/actions/<int:number>/", _list("/activities/actions/28/", PAST, lambda w: _activity(w, past=True))),
    ScopeCase("activities/projects/", _list("/activities/projects/", PROJECT, _project)),
    ScopeCase("activities/projects/", _project_post, methods=("post",)),
    ScopeCase("activities/projects/programme/", lambda w: (_project(w), Probe(
        url="/activities/projects/programme/", kind="list", marker=PROJECT))[1]),
    ScopeCase("activities/projects/<int:pk>/", lambda w: Probe(url=f"/activities/projects/{_project(w).pk}/", marker=PROJECT)),
    ScopeCase("activities/projects/<int:pk>/funding/", _funding, methods=("post",)),
    ScopeCase("activities/projects/<int:pk>/milestone/", _milestone, methods=("post",)),
    ScopeCase("activities/projects/<int:pk>/inspect/", _inspect, methods=("post",)),
    ScopeCase("activities/projects/<int:pk>/complete/", _complete, methods=("post",)),
    ScopeCase("activities/projects/<int:pk>/archive/", _project_archive, methods=("post",)),
    ScopeCase("activities/pilots/", _list("/activities/pilots/", PILOT_BODY, _pilot)),
    ScopeCase("activities/pilots/", _pilot_post, methods=("post",)),
    ScopeCase("activities/pilots/<int:pk>/evaluate/", _evaluate, methods=("post",)),
    ScopeCase("activities/meetings/", _list("/activities/meetings/", AGENDA, _meeting),
              insiders=TOWNSHIP_INSIDERS, outsiders=TOWNSHIP_OUTSIDERS),
    ScopeCase("activities/meetings/", _meeting_post, methods=("post",), insiders=TOWNSHIP_INSIDERS,
              outsiders=TOWNSHIP_OUTSIDERS),
    ScopeCase("activities/meetings/<int:pk>/", lambda w: Probe(url=f"/activities/meetings/{_meeting(w).pk}/", marker=AGENDA),
              insiders=TOWNSHIP_INSIDERS, outsiders=TOWNSHIP_OUTSIDERS),
    ScopeCase("activities/meetings/<int:pk>/", _task_post, methods=("post",), insiders=TOWNSHIP_INSIDERS,
              outsiders=TOWNSHIP_OUTSIDERS),
    ScopeCase("activities/tasks/<int:pk>/done/", _task_done, methods=("post",), insiders=TOWNSHIP_INSIDERS,
              outsiders=TOWNSHIP_OUTSIDERS),
    ScopeCase("activities/archive/", _list("/activities/archive/", ARCHIVE, _entry)),
    ScopeCase("activities/archive/", _archive_post, methods=("post",)),
    # The package is a zip (never searched as bytes); its catalogue is the same route with part=catalogue.
    ScopeCase("activities/archive/export/", _list("/activities/archive/export/?part=catalogue", ARCHIVE, _entry)),
    ScopeCase("activities/archive/<int:pk>/file/", lambda w: Probe(url=f"/activities/archive/{_entry(w).pk}/file/",
                                                                   marker=ARCHIVE)),
    ScopeCase("activities/archive/<int:pk>/destroy/", _destroy, methods=("post",)),
    ScopeCase("api/activities/activities", _list("/api/activities/activities", TITLE, _activity)),
    ScopeCase("api/activities/activities/<activity_id>",
              lambda w: Probe(url=f"/api/activities/activities/{_activity(w).pk}", marker=TITLE)),
    ScopeCase("api/activities/activities/<activity_id>/signup", lambda w: _api_signup(w), methods=("post",)),
    ScopeCase("api/activities/projects", _list("/api/activities/projects", PROJECT, _project)),
]


def _api_signup(world: World) -> Probe:
    from activities.models import Participation

    activity = _activity(world)
    return Probe(url=f"/api/activities/activities/{activity.pk}/signup", method="post", kind="write", json=True,
                 data={"username": _resident(world).username},
                 unchanged=lambda: not Participation.objects.filter(activity=activity).exists())


OPEN_ROUTES = {
    "activities/checkin/": "the caller checks themselves in; the service accepts only the caller's own sign-up",
    "activities/me/": "the caller's own sign-ups",
    "api/activities/checkin": "the caller checks themselves in; the service accepts only the caller's own sign-up",
}

"""Every care route, probed by outsiders against objects in bob's community (桥东社区)."""

from datetime import timedelta

from django.utils import timezone

from shequ.testing.media import photo_file
from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, World

MARKER = "探访标记人"
NOTICE_MARKER = "桥东燃气检修通知"
SHELTER_MARKER = "桥东标记广场"
BOB_NAME = "桥东社区"
# Who may send and resend emergency notices (township, county, city).
SENDERS = ("tom", "carl", "cindy")


def _resident(world: World):
    from people.models import Resident, ResidentTag

    resident = Resident.objects.create(unit_id=BOB_UNIT, name=MARKER, gender="F", birth_date="1938-02-02")
    ResidentTag.objects.create(resident=resident, tag="special_hardship_elderly")
    return resident


def _due(world: World):
    from care import services
    from care.models import DueVisit
    from care.periods import today

    resident = _resident(world)
    services.generate_visit_plans(month=today().replace(day=1), prefix=BOB_UNIT)
    return DueVisit.objects.get(resident=resident)


def _visit(world: World):
    from care import services

    due = _due(world)
    return services.record_visit(actor=world.bob, resident=due.resident, visited_at=timezone.now() - timedelta(hours=1),
                                 method="home", health="good", home_safety="fair", living="good", mood="poor", notes="血压偏高")


def _notice(world: World):
    from care import services

    return services.send_notice(actor=world.tom, unit_code=BOB_UNIT, kind="gas", title=NOTICE_MARKER, body="今晚停气检修。")


def _photo_probe(world: World) -> Probe:
    """A real photo of bob's visit, so that an outsider's 404 means refusal, not a missing file."""
    from care.models import VisitPhoto

    visit = _visit(world)
    upload, marker = photo_file()
    photo = VisitPhoto(visit=visit)
    photo.image.save("probe.png", upload, save=True)
    return Probe(url=f"/care/visits/{visit.pk}/photos/{photo.pk}/", marker=marker)


def _no_visits() -> bool:
    from care.models import Visit

    return not Visit.objects.exists()


def _visit_post(world: World) -> Probe:
    r = _resident(world)
    return Probe(url=f"/care/residents/{r.pk}/visit/", method="post", kind="write", unchanged=_no_visits, data={
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "method": "home", "health": "good",
        "home_safety": "good", "living": "good", "mood": "good"})


def _visit_api_post(world: World) -> Probe:
    r = _resident(world)
    return Probe(url=f"/api/care/residents/{r.pk}/visits", method="post", kind="write", json=True, unchanged=_no_visits, data={
        "visited_at": timezone.now().isoformat(), "method": "home", "health": "good", "home_safety": "good", "living": "good",
        "mood": "good"})


def _opt_in_post(world: World) -> Probe:
    from care.models import EmergencyOptIn

    r = _resident(world)
    return Probe(url=f"/care/residents/{r.pk}/opt-in/", method="post", kind="write", data={"opt_in": "1"},
                 unchanged=lambda: not EmergencyOptIn.objects.exists())


def _refer_post(world: World) -> Probe:
    from care.models import Referral

    v = _visit(world)
    return Probe(url=f"/care/visits/{v.pk}/refer/", method="post", kind="write", data={"service": "卫生院", "reason": "血压"},
                 unchanged=lambda: not Referral.objects.exists())


def _assign_post(world: World) -> Probe:
    from care.models import DueVisit

    d = _due(world)
    return Probe(url=f"/care/due/{d.pk}/assign/", method="post", kind="write", data={"volunteer_name": "外人"},
                 unchanged=lambda: DueVisit.objects.get(pk=d.pk).volunteer_name == "")


def _unit_post(path: str, data: dict, model: str):
    def make(world: World) -> Probe:
        from django.apps import apps

        Model = apps.get_model("care", model)
        return Probe(url=f"/care/emergency/{BOB_UNIT}/{path}/", method="post", kind="write", data=data,
                     unchanged=lambda: not Model.objects.exists())
    return make


def _notice_new_post(world: World) -> Probe:
    from care.models import EmergencyNotice

    return Probe(url="/care/notices/new/", method="post", kind="write",
                 data={"unit": BOB_UNIT, "kind": "gas", "title": "外来通知", "body": "x"},
                 unchanged=lambda: not EmergencyNotice.objects.exists())


def _resend_post(world: World) -> Probe:
    from care.models import NoticeRecipient

    n = _notice(world)
    return Probe(url=f"/care/notices/{n.pk}/resend/", method="post", kind="write",
                 unchanged=lambda: not NoticeRecipient.objects.filter(send_count__gt=1).exists())


def _shelter(world: World):
    from care import services

    return services.add_shelter(actor=world.bob, unit_code=BOB_UNIT, name=SHELTER_MARKER, kind="square", capacity=500)


def _officer(world: World):
    from care import services

    return services.add_disaster_officer(actor=world.bob, unit_code=BOB_UNIT, name="桥东信息员")


def _officer_end_post(world: World) -> Probe:
    from care import services
    from care.models import DisasterOfficer

    o = services.add_disaster_officer(actor=world.bob, unit_code=BOB_UNIT, name="桥东信息员")
    return Probe(url=f"/care/officers/{o.pk}/end/", method="post", kind="write",
                 unchanged=lambda: DisasterOfficer.objects.get(pk=o.pk).ended_on is None)


CASES = [
    # The visiting worker's own to-do list: bob's, not his township's.
    ScopeCase("care/my/", lambda w: Probe(url="/care/my/", kind="list", marker=_due(w).resident.name), insiders=("bob",)),
    ScopeCase("care/residents/<int:resident_id>/", lambda w: Probe(url=f"/care/residents/{_resident(w).pk}/", marker=MARKER)),
    ScopeCase("care/residents/<int:resident_id>/visit/", lambda w: Probe(url=f"/care/residents/{_resident(w).pk}/visit/", marker=MARKER)),
    ScopeCase("care/residents/<int:resident_id>/visit/", _visit_post, methods=("post",)),
    ScopeCase("care/residents/<int:resident_id>/opt-in/", _opt_in_post, methods=("post",)),
    ScopeCase("care/visits/<int:pk>/", lambda w: Probe(url=f"/care/visits/{_visit(w).pk}/", marker=MARKER)),
    ScopeCase("care/visits/<int:pk>/photos/<int:photo_id>/", lambda w: _photo_probe(w)),
    ScopeCase("care/visits/<int:pk>/refer/", _refer_post, methods=("post",)),
    ScopeCase("care/due/<int:pk>/assign/", lambda w: Probe(url=f"/care/due/{_due(w).pk}/assign/", marker=MARKER)),
    ScopeCase("care/due/<int:pk>/assign/", _assign_post, methods=("post",)),
    ScopeCase("care/compliance/<str:code>/", lambda w: Probe(url=f"/care/compliance/{BOB_UNIT}/", marker=BOB_NAME)),
    ScopeCase("care/compliance/<str:code>/pending/", lambda w: Probe(url=f"/care/compliance/{BOB_UNIT}/pending/", marker=_due(w).resident.name)),
    ScopeCase("care/compliance/<str:code>/export.xlsx", lambda w: Probe(url=f"/care/compliance/{BOB_UNIT}/export.xlsx", marker=_due(w).resident.name)),
    ScopeCase("care/emergency/<str:code>/", lambda w: Probe(url=f"/care/emergency/{BOB_UNIT}/", marker=_shelter(w).name)),
    ScopeCase("care/emergency/<str:code>/export.xlsx", lambda w: Probe(url=f"/care/emergency/{BOB_UNIT}/export.xlsx", marker=_officer(w).name)),
    ScopeCase("care/emergency/<str:code>/officers/new/", lambda w: Probe(url=f"/care/emergency/{BOB_UNIT}/officers/new/", marker=BOB_NAME)),
    ScopeCase("care/emergency/<str:code>/officers/new/", _unit_post("officers/new", {"name": "外人"}, "DisasterOfficer"),
              methods=("post",)),
    ScopeCase("care/emergency/<str:code>/shelters/new/", lambda w: Probe(url=f"/care/emergency/{BOB_UNIT}/shelters/new/", marker=BOB_NAME)),
    ScopeCase("care/emergency/<str:code>/shelters/new/",
              _unit_post("shelters/new", {"name": "外", "kind": "park", "capacity": "10"}, "EmergencyShelter"), methods=("post",)),
    ScopeCase("care/emergency/<str:code>/drills/new/", lambda w: Probe(url=f"/care/emergency/{BOB_UNIT}/drills/new/", marker=BOB_NAME)),
    ScopeCase("care/emergency/<str:code>/drills/new/",
              _unit_post("drills/new", {"held_on": "2025-01-02", "scenario": "火灾", "participants": "5"}, "Drill"), methods=("post",)),
    ScopeCase("care/notices/", lambda w: Probe(url="/care/notices/", kind="list", marker=_notice(w).title)),
    ScopeCase("care/notices/new/", _notice_new_post, methods=("post",), insiders=SENDERS),
    ScopeCase("care/notices/<int:pk>/", lambda w: Probe(url=f"/care/notices/{_notice(w).pk}/", marker=NOTICE_MARKER)),
    ScopeCase("care/notices/<int:pk>/rates/", lambda w: Probe(url=f"/care/notices/{_notice(w).pk}/rates/", marker="<td>桥东社区居民委员会</td>")),
    ScopeCase("care/notices/<int:pk>/resend/", _resend_post, methods=("post",), insiders=SENDERS),
    ScopeCase("api/care/due", lambda w: Probe(url="/api/care/due", kind="list", marker=_due(w).resident.name)),
    ScopeCase("api/care/residents/<resident_id>/visits", lambda w: Probe(url=f"/api/care/residents/{_visit(w).resident_id}/visits", marker='"home_safety": "fair"')),
    ScopeCase("api/care/residents/<resident_id>/visits", _visit_api_post, methods=("post",)),
    ScopeCase("api/care/compliance/<code>", lambda w: Probe(url=f"/api/care/compliance/{BOB_UNIT}", marker=(_due(w), '"due": 1,')[1])),
    ScopeCase("care/officers/<int:pk>/end/", _officer_end_post, methods=("post",)),
    ScopeCase("api/care/shelters", lambda w: Probe(url="/api/care/shelters", kind="list", marker=_shelter(w).name)),
    ScopeCase("api/care/readiness/<code>", lambda w: Probe(url=f"/api/care/readiness/{BOB_UNIT}", marker=(_shelter(w), '"shelters": 1,')[1])),
    ScopeCase("api/care/notices/<notice_id>/rates", lambda w: Probe(url=f"/api/care/notices/{_notice(w).pk}/rates", marker=(_notice(w), '"name": "桥东社区居民委员会", "total": 1,')[1])),
]

OPEN_ROUTES = {
    "care/": "redirects each user to their own pages; shows no data",
    "care/rules/": "the city-wide visit rules (group → frequency): configuration, no place's data; only city staff may change them",
    "care/ack/<str:token>/": "the unguessable per-recipient token is the key; shows only that recipient the notice they were sent",
    "care/opt-in/": "a signed-in resident's own subscription to emergency notices; no other person's data",
}

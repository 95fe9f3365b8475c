"""Every safety route, probed against a plan, warning, place, police post and help plan in bob's community (桥东社区).

Help plans are the most restricted records: their insiders are bob and tom holding the restricted-tag right; carl and
cindy, whose scope covers the community but who hold no such right, are outsiders like everyone else.
"""

import datetime as dt

from django.utils import timezone

from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, HEDONG, OUTSIDERS, World

ROUTES = "桥东预案路线甲：沿胜利路向北"
WARNING = "桥东暴雨预警甲"
PLACE = "桥东农贸市场甲"
OFFICER = "桥东民警甲"
POINT = "桥东广播点甲"
UNIT_NAME = "桥东社区居民委员会"
SENDERS = ("tom", "carl", "cindy")
RIGHT_HOLDERS = ("bob", "tom")
HELP_OUTSIDERS = (*OUTSIDERS, "carl", "cindy")


def _plan(world: World):
    from safety.models import EmergencyPlan, PlanRole

    plan, made = EmergencyPlan.objects.get_or_create(unit_id=BOB_UNIT, defaults={
        "hazards": ["flood"], "routes": ROUTES, "reviewed_on": timezone.localdate()})
    if made:
        PlanRole.objects.bulk_create([PlanRole(plan=plan, role=r) for r in
                                      ("leader", "info_officer", "evacuation", "medical", "logistics")])
    return plan


def _resident(world: World, *tags: str, name: str = "桥东居民甲"):
    from people.models import Resident, ResidentTag

    found = Resident.objects.filter(name=name, unit_id=BOB_UNIT).first()
    if found is None:
        found = Resident.objects.create(unit_id=BOB_UNIT, name=name, gender="F", birth_date=dt.date(1940, 5, 1))
        for tag in tags:
            ResidentTag.objects.create(resident=found, tag=tag)
    return found


def _warning(world: World):
    from safety import services
    from safety.models import Warning

    found = Warning.objects.filter(title=WARNING).first()
    if found is not None:
        return found
    return services.issue_warning(actor=world.tom, kind="flood", level="red", title=WARNING, body="请立即转移。",
                                  issuer="市应急管理局", area=[BOB_UNIT])


def _call(world: World):
    from safety.models import CallTask, EvacuationNeed

    resident = _resident(world, "living_alone", name="桥东独居甲")
    EvacuationNeed.objects.get_or_create(resident=resident, defaults={"unit_id": BOB_UNIT, "reason": "living_alone",
                                                                      "helper": world.bob})
    warning = _warning(world)
    return CallTask.objects.get_or_create(warning=warning, resident=resident, defaults={"unit_id": BOB_UNIT,
                                                                                        "worker": world.bob})[0]


def _place(world: World):
    from safety.models import CrowdedPlace

    return CrowdedPlace.objects.get_or_create(unit_id=BOB_UNIT, name=PLACE, defaults={
        "kind": "market", "capacity": 500, "responsible": "王经理"})[0]


def _inspection(world: World):
    from safety.models import Inspection

    today = timezone.localdate()
    return Inspection.objects.create(place=_place(world), inspected_on=today - dt.timedelta(days=20), inspector=world.bob,
                                     findings="通道堵塞", correct_by=today - dt.timedelta(days=5))


def _police(world: World):
    from safety.models import PolicePost

    return PolicePost.objects.get_or_create(unit_id=BOB_UNIT, name=OFFICER, defaults={
        "role": "officer", "started_on": dt.date(2024, 1, 1), "hours": "周一至周五"})[0]


def _point(world: World):
    from safety.models import BroadcastPoint

    return BroadcastPoint.objects.get_or_create(unit_id=BOB_UNIT, name=POINT)[0]


def _help(world: World):
    from accounts.models import DataRightGrant
    from safety.models import HelpPlan
    from shequ.testing.rights import grant

    for name in RIGHT_HOLDERS:
        if not DataRightGrant.objects.filter(user=world.users[name], right="people.view_restricted_tags").exists():
            grant(world.users[name], "view_restricted_tags")
    resident = _resident(world, "community_corrections", name="桥东矫正甲")
    return HelpPlan.objects.get_or_create(resident=resident, group="community_corrections", defaults={
        "unit_id": BOB_UNIT, "justice_officer": "司法所周所长", "started_on": dt.date(2026, 1, 5)})[0]


# ---- writes -----------------------------------------------------------------------------------

def _plan_edit_post(world: World) -> Probe:
    from safety.models import EmergencyPlan

    _plan(world)
    return Probe(url=f"/safety/plans/{BOB_UNIT}/edit/", method="post", kind="write",
                 unchanged=lambda: EmergencyPlan.objects.filter(unit_id=BOB_UNIT, routes=ROUTES).exists(),
                 data={"hazards": ["fire"], "routes": "外来路线", "reviewed_on": timezone.localdate().isoformat()})


def _role_post(world: World) -> Probe:
    from safety.models import PlanRole

    plan = _plan(world)
    return Probe(url=f"/safety/plans/{BOB_UNIT}/roles/", method="post", kind="write",
                 unchanged=lambda: PlanRole.objects.filter(plan=plan, role="logistics", user__isnull=True).exists(),
                 data={"role": "logistics", "person": f"u{world.bob.pk}"})


def _need_post(world: World) -> Probe:
    from safety.models import EvacuationNeed

    _plan(world)
    resident = _resident(world, "living_alone", name="桥东独居乙")
    return Probe(url=f"/safety/plans/{BOB_UNIT}/needs/", method="post", kind="write",
                 unchanged=lambda: not EvacuationNeed.objects.filter(resident=resident).exists(),
                 data={"resident_id": resident.pk, "reason": "living_alone", "helper": ""})


def _asset_post(world: World) -> Probe:
    from safety.models import PlanAsset

    plan = _plan(world)
    return Probe(url=f"/safety/plans/{BOB_UNIT}/assets/", method="post", kind="write",
                 unchanged=lambda: not PlanAsset.objects.filter(plan=plan).exists(),
                 data={"name": "救生衣", "quantity": "10", "checked_on": ""})


def _warning_post(world: World) -> Probe:
    from safety.models import Warning

    return Probe(url="/safety/warnings/new/", method="post", kind="write",
                 unchanged=lambda: not Warning.objects.filter(title="外来预警").exists(),
                 data={"kind": "flood", "level": "blue", "issuer": "市气象台", "title": "外来预警", "body": "内容",
                       "area": BOB_UNIT, "valid_from": "", "valid_until": ""})


def _warning_api_post(world: World) -> Probe:
    from safety.models import Warning

    return Probe(url="/api/safety/warnings", method="post", kind="write", json=True,
                 unchanged=lambda: not Warning.objects.filter(title="外来接口预警").exists(),
                 data={"kind": "flood", "level": "blue", "issuer": "市气象台", "title": "外来接口预警", "body": "内容",
                       "area": [BOB_UNIT]})


def _escalate_post(world: World) -> Probe:
    from safety.models import Warning

    warning = _warning(world)
    return Probe(url=f"/safety/warnings/{warning.pk}/escalate/", method="post", kind="write",
                 unchanged=lambda: Warning.objects.filter(pk=warning.pk, escalations=0).exists(), data={"confirm": "1"})


def _call_post(world: World) -> Probe:
    from safety.models import CallTask

    task = _call(world)
    return Probe(url=f"/safety/calls/{task.pk}/done/", method="post", kind="write",
                 unchanged=lambda: CallTask.objects.filter(pk=task.pk, done_at__isnull=True).exists(),
                 data={"outcome": "已电话告知"})


def _broadcast_post(world: World) -> Probe:
    from safety.models import BroadcastPoint

    return Probe(url="/safety/broadcast/", method="post", kind="write",
                 unchanged=lambda: not BroadcastPoint.objects.filter(name="外来广播").exists(),
                 data={"unit_code": BOB_UNIT, "name": "外来广播", "operator": ""})


def _place_post(world: World) -> Probe:
    from safety.models import CrowdedPlace

    return Probe(url="/safety/places/", method="post", kind="write",
                 unchanged=lambda: not CrowdedPlace.objects.filter(name="外来场所").exists(),
                 data={"unit_code": BOB_UNIT, "name": "外来场所", "kind": "hall", "capacity": "100", "responsible": "李",
                       "phone": "", "grid_member": ""})


def _inspection_post(world: World) -> Probe:
    from safety.models import Inspection

    place = _place(world)
    return Probe(url=f"/safety/places/{place.pk}/", method="post", kind="write",
                 unchanged=lambda: not Inspection.objects.filter(place=place, findings="外来检查").exists(),
                 data={"inspected_on": timezone.localdate().isoformat(), "findings": "外来检查",
                       "correct_by": (timezone.localdate() + dt.timedelta(days=7)).isoformat()})


def _corrected_post(world: World) -> Probe:
    from safety.models import Inspection

    row = _inspection(world)
    return Probe(url=f"/safety/inspections/{row.pk}/corrected/", method="post", kind="write",
                 unchanged=lambda: Inspection.objects.filter(pk=row.pk, corrected_on__isnull=True).exists())


def _police_post(world: World) -> Probe:
    from safety.models import PolicePost

    return Probe(url="/safety/police/", method="post", kind="write",
                 unchanged=lambda: not PolicePost.objects.filter(name="外来辅警").exists(),
                 data={"unit_code": BOB_UNIT, "role": "auxiliary", "name": "外来辅警", "phone": "", "office_id": "",
                       "hours": "", "started_on": ""})


def _help_post(world: World) -> Probe:
    from safety.models import HelpPlan

    _help(world)
    resident = _resident(world, "released_prisoner", name="桥东刑释乙")
    return Probe(url="/safety/help/", method="post", kind="write",
                 unchanged=lambda: not HelpPlan.objects.filter(resident=resident).exists(),
                 data={"resident_id": resident.pk, "group": "released_prisoner", "justice_officer": "司法所王",
                       "worker": "", "family": "", "volunteers": "", "guardian": "", "doctor": "", "police": "",
                       "started_on": ""})


def _help_contact_post(world: World) -> Probe:
    from safety.models import HelpContact

    plan = _help(world)
    return Probe(url=f"/safety/help/{plan.pk}/contact/", method="post", kind="write",
                 unchanged=lambda: not HelpContact.objects.filter(plan=plan).exists(),
                 data={"contacted_on": timezone.localdate().isoformat(), "method": "home", "note": ""})


def _list(route: str, make, url: str, marker: str, **kw) -> ScopeCase:
    return ScopeCase(route, lambda w: (make(w), Probe(url=url, kind="list", marker=marker))[1], **kw)


def _help_detail(world: World) -> Probe:
    return Probe(url=f"/safety/help/{_help(world).pk}/?reason=核查帮扶", marker="司法所周所长")


CASES = [
    ScopeCase("safety/readiness/<str:code>/", lambda w: (_plan(w), Probe(url=f"/safety/readiness/{HEDONG}/",
                                                                        marker="“后勤保障”无人担任"))[1],
              insiders=SENDERS, outsiders=(*OUTSIDERS, "bob")),
    ScopeCase("safety/readiness/<str:code>/export.xlsx", lambda w: (_plan(w), Probe(
        url=f"/safety/readiness/{HEDONG}/export.xlsx", marker=UNIT_NAME))[1], insiders=SENDERS, outsiders=(*OUTSIDERS, "bob")),
    ScopeCase("safety/plans/<str:code>/", lambda w: (_plan(w), Probe(url=f"/safety/plans/{BOB_UNIT}/", marker=ROUTES))[1]),
    ScopeCase("safety/plans/<str:code>/edit/", lambda w: (_plan(w), Probe(url=f"/safety/plans/{BOB_UNIT}/edit/", marker=ROUTES))[1]),
    ScopeCase("safety/plans/<str:code>/edit/", _plan_edit_post, methods=("post",)),
    ScopeCase("safety/plans/<str:code>/roles/", _role_post, methods=("post",)),
    ScopeCase("safety/plans/<str:code>/needs/", _need_post, methods=("post",)),
    ScopeCase("safety/plans/<str:code>/assets/", _asset_post, methods=("post",)),
    _list("safety/warnings/", _warning, "/safety/warnings/", WARNING),
    ScopeCase("safety/warnings/new/", _warning_post, methods=("post",), insiders=SENDERS, outsiders=(*OUTSIDERS, "bob")),
    ScopeCase("safety/warnings/<int:pk>/", lambda w: Probe(url=f"/safety/warnings/{_warning(w).pk}/", marker=WARNING)),
    ScopeCase("safety/warnings/<int:pk>/escalate/", _escalate_post, methods=("post",), insiders=SENDERS,
              outsiders=(*OUTSIDERS, "bob")),
    ScopeCase("safety/calls/", lambda w: (_call(w), Probe(url="/safety/calls/", kind="list", marker="桥东***"))[1]),
    ScopeCase("safety/calls/<int:pk>/done/", _call_post, methods=("post",)),
    _list("safety/broadcast/", _point, "/safety/broadcast/", POINT),
    ScopeCase("safety/broadcast/", _broadcast_post, methods=("post",)),
    _list("safety/places/", _place, "/safety/places/", PLACE),
    ScopeCase("safety/places/", _place_post, methods=("post",)),
    ScopeCase("safety/places/<int:pk>/", lambda w: Probe(url=f"/safety/places/{_place(w).pk}/", marker=PLACE)),
    ScopeCase("safety/places/<int:pk>/", _inspection_post, methods=("post",)),
    ScopeCase("safety/inspections/<int:pk>/corrected/", _corrected_post, methods=("post",)),
    _list("safety/police/", _police, "/safety/police/", OFFICER),
    ScopeCase("safety/police/", _police_post, methods=("post",)),
    ScopeCase("safety/help/", lambda w: (_help(w), Probe(url="/safety/help/", kind="list", marker="社区矫正对象"))[1],
              insiders=RIGHT_HOLDERS, outsiders=HELP_OUTSIDERS),
    ScopeCase("safety/help/", _help_post, methods=("post",), insiders=RIGHT_HOLDERS, outsiders=HELP_OUTSIDERS),
    ScopeCase("safety/help/figures/", lambda w: (_help(w), Probe(url="/safety/help/figures/", kind="list",
                                                                 marker="社区矫正对象"))[1],
              insiders=RIGHT_HOLDERS, outsiders=HELP_OUTSIDERS),
    ScopeCase("safety/help/<int:pk>/", _help_detail, insiders=RIGHT_HOLDERS, outsiders=HELP_OUTSIDERS),
    ScopeCase("safety/help/<int:pk>/contact/", _help_contact_post, methods=("post",), insiders=RIGHT_HOLDERS,
              outsiders=HELP_OUTSIDERS),
    ScopeCase("api/safety/readiness/<code>", lambda w: (_plan(w), Probe(url=f"/api/safety/readiness/{HEDONG}",
                                                                       marker="“后勤保障”无人担任"))[1],
              insiders=SENDERS, outsiders=(*OUTSIDERS, "bob")),
    _list("api/safety/warnings", _warning, "/api/safety/warnings", WARNING),
    ScopeCase("api/safety/warnings", _warning_api_post, methods=("post",), insiders=SENDERS, outsiders=(*OUTSIDERS, "bob")),
    ScopeCase("api/safety/warnings/<warning_id>", lambda w: Probe(url=f"/api/safety/warnings/{_warning(w).pk}", marker=WARNING)),
    _list("api/safety/places", _place, "/api/safety/places", PLACE),
    _list("api/safety/police", _police, "/api/safety/police", OFFICER),
    ScopeCase("api/safety/help-figures", lambda w: (_help(w), Probe(url="/api/safety/help-figures", kind="list",
                                                                    marker="社区矫正对象"))[1],
              insiders=RIGHT_HOLDERS, outsiders=HELP_OUTSIDERS),
]

OPEN_ROUTES = {
    "safety/": "a redirect to the caller's own unit's readiness page",
}

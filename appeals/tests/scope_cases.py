"""Every appeals route in the cross-scope walk: a request in bob's community must stay invisible to outsiders."""

from importlib.util import find_spec
from typing import Any

from shequ.testing.media import photo_file
from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, INSIDERS, OUTSIDERS, World

HEDONG = "131102002000"
MARKER = "桥东南门垃圾无人清运SCOPE"
# "My requests": the resident who filed them ("neighbour", added to the world), and the staff whose scope holds them.
FILER_ONLY: dict[str, Any] = {"insiders": ("neighbour", *INSIDERS)}
TAOCHENG = "131102000000"
# Decisions of the level above the handling community: bob's township.
TOWNSHIP = ("tom",)
PHONE = "13800009999"
DEPT_MARKER = "桥东独居老人助餐中断SCOPE"
# A request at its lead department (市民政局): the department, the county it sits under and the city see it.
AT_DEPARTMENT: dict[str, Any] = {"insiders": ("erin", "carl", "cindy"),
                                 "outsiders": (*(u for u in OUTSIDERS if u != "erin"), "bob", "tom")}
COUNTY_UP = ("carl", "cindy")


def _appeal(world: World, *, owner: Any = None) -> Any:
    from appeals import services

    return services.file_appeal(actor=owner, category_code="sanitation", description=MARKER, unit_code=BOB_UNIT,
                                phone="13800009999", address="桥东社区南门", rate_limit=False)


def _resident_appeal(world: World) -> Any:
    from accounts.models import User
    from accounts.roles import Role

    owner = User.objects.create(username="bobs-neighbour", role=Role.RESIDENT, unit_id=BOB_UNIT)
    world.users["neighbour"] = owner
    return _appeal(world, owner=owner)


def _unchanged_state(pk: int, state: str) -> Any:
    from appeals.models import Appeal

    return lambda: Appeal.objects.get(pk=pk).state == state


def _replied(world: World) -> Any:
    from appeals import services

    appeal = _resident_appeal(world)
    services.accept(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已处理")
    return appeal


def _rated_badly(world: World) -> Any:
    from appeals import services

    appeal = _replied(world)
    rating = services.rate(appeal=appeal, actor=appeal.submitter, level=1, comment="差")
    return appeal, rating


def _extension(world: World) -> Probe:
    from appeals import services
    from appeals.models import Extension

    appeal = _appeal(world)
    services.accept(appeal=appeal, actor=world.bob)
    ext = services.request_extension(appeal=appeal, actor=world.bob, days=2, reason="协调中")
    return Probe(url=f"/appeals/extensions/{ext.pk}/decide/", method="post", kind="write", data={"approve": "1"},
                 unchanged=lambda: Extension.objects.get(pk=ext.pk).decision == "pending")


def _callback(world: World) -> Probe:
    from appeals.models import Rectification

    appeal, _ = _rated_badly(world)
    rect = Rectification.objects.get(appeal=appeal)
    return Probe(url=f"/appeals/rectifications/{rect.pk}/callback/", method="post", kind="write", data={"note": "回访"},
                 unchanged=lambda: Rectification.objects.get(pk=rect.pk).callback_at is None)


def _contest(world: World) -> Probe:
    from appeals import services
    from appeals.models import RatingAppeal

    _, rating = _rated_badly(world)
    contest = services.contest_rating(rating=rating, actor=world.bob, reason="误评")
    return Probe(url=f"/appeals/contests/{contest.pk}/decide/", method="post", kind="write", data={"void": "1"},
                 unchanged=lambda: RatingAppeal.objects.get(pk=contest.pk).decision == "pending")


def _assist(world: World) -> Probe:
    from appeals import services
    from appeals.models import Assist

    appeal = _appeal(world)
    assist = services.add_assist(appeal=appeal, actor=world.bob, unit_code=HEDONG, note="请街道协调")
    return Probe(url=f"/appeals/assists/{assist.pk}/reply/", method="post", kind="write", data={"note": "意见"},
                 unchanged=lambda: Assist.objects.get(pk=assist.pk).done_at is None)


def _photo(world: World) -> Probe:
    """A real stored photo, so that an outsider's 404 means refusal, not a missing file."""
    from appeals.models import Photo

    upload, marker = photo_file()
    photo = Photo(appeal=_appeal(world))
    photo.image.save("probe.png", upload, save=True)
    return Probe(url=f"/appeals/photos/{photo.pk}/", marker=marker)


def _dashboard_marker(world: World) -> str:
    _appeal(world)
    return "河东街道"


def _at_department(world: World) -> Any:
    """A request from bob's community, transferred step by step (community → township → county) to its lead
    department, 市民政局 (erin's): now handled there, under 桃城区."""
    from appeals import services

    appeal = services.file_appeal(actor=None, category_code="elderly_care", description=DEPT_MARKER, unit_code=BOB_UNIT,
                                  phone="13800008888", address="桥东社区北门", rate_limit=False)
    for actor in (world.bob, world.tom, world.carl):
        appeal = services.transfer(appeal=appeal, actor=actor, note="需上级协调")
    return appeal


def _open311(world: World, url: str) -> Probe:
    from appeals import services

    appeal = services.file_appeal(actor=None, category_code="sanitation", description=f"{MARKER} 请回电 {PHONE}",
                                  unit_code=BOB_UNIT, phone=PHONE, address="桥东社区南门", rate_limit=False)
    return Probe(url=url.format(no=appeal.tracking_no), kind="public", marker=appeal.tracking_no, secret=PHONE)


def _act(world: World) -> Probe:
    appeal = _appeal(world)
    return Probe(url=f"/appeals/{appeal.pk}/accept/", method="post", kind="write", data={"note": "x"},
                 unchanged=_unchanged_state(appeal.pk, "submitted"))


def _rate(world: World) -> Probe:
    appeal = _replied(world)
    return Probe(url=f"/appeals/mine/{appeal.tracking_no}/rate/", method="post", kind="write", data={"level": "5"},
                 unchanged=_unchanged_state(appeal.pk, "replied"))


CASES: list[ScopeCase] = [
    ScopeCase("appeals/", lambda w: Probe(url="/appeals/?state=all", kind="list", marker=_appeal(w) and MARKER)),
    ScopeCase("appeals/<int:pk>/", lambda w: Probe(url=f"/appeals/{_appeal(w).pk}/", marker=MARKER)),
    ScopeCase("appeals/", lambda w: Probe(url="/appeals/?state=all", kind="list", marker=_at_department(w) and DEPT_MARKER),
              **AT_DEPARTMENT),
    ScopeCase("appeals/<int:pk>/", lambda w: Probe(url=f"/appeals/{_at_department(w).pk}/", marker=DEPT_MARKER), **AT_DEPARTMENT),
    ScopeCase("appeals/<int:pk>/<str:action>/", _act, methods=("post",)),
    ScopeCase("appeals/mine/", lambda w: Probe(url="/appeals/mine/", kind="list", marker=_resident_appeal(w).tracking_no),
              **FILER_ONLY),
    ScopeCase("appeals/mine/<str:tracking_no>/",
              lambda w: Probe(url=f"/appeals/mine/{_resident_appeal(w).tracking_no}/", marker=MARKER), **FILER_ONLY),
    ScopeCase("appeals/mine/<str:tracking_no>/rate/", _rate, methods=("post",), **FILER_ONLY),
    # bob's county ranks its townships: 河东街道 is ranked only because of bob's request.
    ScopeCase("appeals/dashboard/", lambda w: Probe(url=f"/appeals/dashboard/?unit={TAOCHENG}", marker=_dashboard_marker(w)),
              insiders=COUNTY_UP),
    ScopeCase("appeals/dashboard/export.xlsx",
              lambda w: Probe(url=f"/appeals/dashboard/export.xlsx?unit={TAOCHENG}", marker=_dashboard_marker(w)),
              insiders=COUNTY_UP),
    ScopeCase("appeals/extensions/<int:pk>/decide/", _extension, methods=("post",), insiders=TOWNSHIP),
    ScopeCase("appeals/rectifications/<int:pk>/callback/", _callback, methods=("post",), insiders=TOWNSHIP),
    ScopeCase("appeals/contests/<int:pk>/decide/", _contest, methods=("post",), insiders=TOWNSHIP),
    # The assist is asked of bob's township: it replies.
    ScopeCase("appeals/assists/<int:pk>/reply/", _assist, methods=("post",), insiders=TOWNSHIP),
    ScopeCase("appeals/photos/<int:pk>/", _photo),
]

OPEN_ROUTES = {
    "appeals/new/": "the filing form: shows only the signed-in resident's own community",
    "appeals/catalogue/": "the public service catalogue: the categories and their deadlines (public configuration)",
    "appeals/suggest/": "category suggestions for the text typed (no stored data)",
    "appeals/communities/": "search of the division tree, which is public",
    "appeals/track/": "shows one request only to whoever gives both its tracking number and the phone that filed it",
    "appeals/track/rate/": "rates one request only for whoever gives its tracking number and the phone that filed it",
    "appeals/intake/": "a blank form; staff can file only into their own subtree",
    "api/appeals/classify": "classifies the text given; no stored data",
}
OPEN311_ROUTES = {
    "open311/v2/discovery.<str:fmt>": "Open311 discovery document (public configuration, no request)",
    "open311/v2/services.<str:fmt>": "Open311 service list: the 20 categories (public configuration)",
    "open311/v2/services/<str:code>.<str:fmt>": "Open311 service definition (public configuration)",
    "open311/v2/tokens/<str:token>.<str:fmt>": "Open311 token lookup: returns only the request id for an unguessable token",
}
# Open311 publishes every request by the specification: the walk reads the feed as every user and
# anonymously; the request must be there (its number) and its filer's phone must not.
OPEN311_CASES = [
    ScopeCase("open311/v2/requests.<str:fmt>", lambda w: _open311(w, "/open311/v2/requests.json")),
    ScopeCase("open311/v2/requests.<str:fmt>", lambda w: _open311(w, "/open311/v2/requests.xml")),
    ScopeCase("open311/v2/requests/<str:request_id>.<str:fmt>", lambda w: _open311(w, "/open311/v2/requests/{no}.json")),
    ScopeCase("open311/v2/requests/<str:request_id>.<str:fmt>", lambda w: _open311(w, "/open311/v2/requests/{no}.xml")),
]

if find_spec("appeals.open311.urls") is not None:
    OPEN_ROUTES.update(OPEN311_ROUTES)
    CASES += OPEN311_CASES

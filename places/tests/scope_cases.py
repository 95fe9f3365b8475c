from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, World


def _bob_unit_page(world: World) -> Probe:
    return Probe(url=f"/units/{BOB_UNIT}/", marker="桥东社区居民委员会")


def _bob_children(world: World) -> Probe:
    return Probe(url=f"/units/{HEDONG}/children/", marker="桥东社区居民委员会")


def _bob_bodies_post(world: World) -> Probe:
    from places.models import CommunityBody

    def unchanged() -> bool:
        return not CommunityBody.objects.filter(unit_id=BOB_UNIT, exists=True).exists()

    return Probe(url=f"/units/{BOB_UNIT}/bodies/", method="post", kind="write",
                 data={"party_org-exists": "on", "party_org-contact_name": "X"}, unchanged=unchanged)


HEDONG = "131102002000"

CASES = [
    ScopeCase("units/<str:code>/", _bob_unit_page),
    # The children of bob's township: his township, county and city see them; bob's scope is his community only.
    ScopeCase("units/<str:code>/children/", _bob_children, insiders=("tom", "carl", "cindy")),
    ScopeCase("units/<str:code>/bodies/", lambda w: Probe(url=f"/units/{BOB_UNIT}/bodies/", marker="桥东社区居民委员会")),
    ScopeCase("units/<str:code>/bodies/", _bob_bodies_post, methods=("post",)),
]

OPEN_ROUTES = {
    "api/units/<code>": "the division tree is public information",
    "api/units/<code>/children": "the division tree is public information",
}

"""The public tree API, the drill-down pages and a community's organisation system."""

from accounts.models import AuditEntry
from places import selectors
from places.models import CommunityBody
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, HEXI, World


def test_it_answers_the_tree_api_without_login(client, tree) -> None:
    unit = client.get("/api/units/131102001045").json()
    assert unit == {"code": "131102001045", "name": "游园社区居民委员会", "level": "village", "type": "urban",
                    "parent_code": "131102001000", "child_count": 0}
    children = client.get("/api/units/131100000000/children").json()
    assert len(children) == 13 and {c["level"] for c in children} == {"county"}
    assert sum(c["child_count"] for c in children) == 129
    assert client.get("/api/units/999999999999").status_code == 404


def test_it_asks_for_login_everywhere_else(client, tree) -> None:
    assert client.get("/api/auth/me").status_code == 401
    response = client.get(f"/units/{ALICE_UNIT}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_a_worker_their_unit_with_its_parent_chain(world: World, login) -> None:
    page = login(world.alice).get(f"/units/{ALICE_UNIT}/").content.decode()
    assert "游园社区居民委员会" in page
    assert "衡水市" in page and "桃城区" in page and "河西街道" in page
    assert "“六位一体”组织体系" in page


def test_it_lets_the_city_drill_down_to_any_community(world: World, login) -> None:
    client = login(world.cindy)
    assert "桃城区" in client.get("/units/131100000000/").content.decode()
    assert "河东街道" in client.get("/units/131102000000/").content.decode()
    assert "桥东社区" in client.get("/units/131102002000/").content.decode()
    assert client.get(f"/units/{BOB_UNIT}/").status_code == 200


def test_it_hides_units_outside_the_scope(world: World, login) -> None:
    client = login(world.tina)
    assert client.get(f"/units/{ALICE_UNIT}/").status_code == 200
    assert client.get(f"/units/{BOB_UNIT}/").status_code == 404
    assert client.get("/units/131102000000/").status_code == 404  # her county is above her


def test_it_records_the_bodies_of_a_community_and_audits_it(world: World, login) -> None:
    data = {f"{kind}-exists": "on" for kind in ["party_org", "residents_committee", "owners_committee",
                                                "property_company", "building_leaders", "service_station"]}
    data["party_org-contact_name"] = "王书记"
    response = login(world.alice).post(f"/units/{ALICE_UNIT}/bodies/", data)
    assert response.status_code == 302
    assert CommunityBody.objects.filter(unit_id=ALICE_UNIT, exists=True).count() == 6
    assert selectors.org_system_coverage(HEXI[:9])["complete"] == 1
    assert AuditEntry.objects.filter(action="places.bodies_update", actor=world.alice).exists()


def test_it_refuses_a_bad_phone_and_saves_nothing(world: World, login) -> None:
    data = {"party_org-exists": "on", "party_org-contact_phone": "not-a-phone"}
    response = login(world.alice).post(f"/units/{ALICE_UNIT}/bodies/", data, follow=True)
    assert "联系电话格式不正确" in response.content.decode()
    assert not CommunityBody.objects.filter(unit_id=ALICE_UNIT).exists()


def test_it_counts_coverage_up_the_tree(world: World) -> None:
    from places.indicators import org_system_coverage

    for kind in ["party_branch", "villagers_committee", "supervision_committee", "service_station", "economic_cooperative"]:
        CommunityBody.objects.create(unit_id="131121100300", kind=kind, exists=True)  # a rural village: 5 bodies
    for kind in ["party_org", "residents_committee"]:
        CommunityBody.objects.create(unit_id=ALICE_UNIT, kind=kind, exists=True)  # urban, 2 of 6
    assert selectors.org_system_coverage("131121") == {"complete": 1, "total": selectors.level_counts("131121")["village"]}
    assert selectors.org_system_coverage("131102001")["complete"] == 0
    values = org_system_coverage(None, None)  # type: ignore[arg-type]  # the provider ignores the period for this indicator (a state, not a flow)
    assert values["131121100300"] == (1.0, 1.0) and values[ALICE_UNIT] == (0.0, 1.0) and len(values) == 5118


def test_it_expands_a_level_in_place(world: World, login) -> None:
    client = login(world.carl)
    county = client.get("/units/131102000000/").content.decode()
    assert 'hx-get="/units/131102001000/children/"' in county
    villages = client.get("/units/131102001000/children/", headers={"HX-Request": "true"}).content.decode()
    assert "游园社区居民委员会" in villages and "<html" not in villages


def test_the_demo_organisation_systems_are_stable_and_mostly_complete(tree) -> None:
    from places.demo import seed_bodies

    added = seed_bodies()
    assert added > 5118 * 5
    assert seed_bodies() == 0
    coverage = selectors.org_system_coverage("1311")
    assert 0.7 < coverage["complete"] / coverage["total"] < 0.9


def test_a_body_of_the_other_system_does_not_complete_a_village(world: World) -> None:
    from places.indicators import org_system_coverage

    village = "131121100300"  # rural: 五位一体
    for kind in ["party_branch", "villagers_committee", "supervision_committee", "service_station", "owners_committee"]:
        CommunityBody.objects.create(unit_id=village, kind=kind, exists=True)  # 4 of its 5, plus an urban body
    assert org_system_coverage(None, None, prefix=village) == {village: (0.0, 1.0)}  # type: ignore[arg-type]  # the provider ignores the period for this indicator (a state, not a flow)
    assert selectors.org_system_coverage(village)["complete"] == 0
    CommunityBody.objects.create(unit_id=village, kind="economic_cooperative", exists=True)
    assert org_system_coverage(None, None, prefix=village) == {village: (1.0, 1.0)}  # type: ignore[arg-type]  # the provider ignores the period for this indicator (a state, not a flow)

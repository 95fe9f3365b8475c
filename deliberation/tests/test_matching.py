"""The matching engine ranks resources with reasons; measured on a labelled set kept apart from the engine."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from deliberation import matching, services
from deliberation.models import Need
from shequ.testing.world import BOB_UNIT, World

LABELLED = Path(__file__).with_name("labelled_needs.json")


def _objects(rows: list[dict], kind: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(pk=i, **{"lat": None, "lng": None, "days": "", "wanted_day": "", **r})
            for i, r in enumerate(rows, 1)]


def test_it_scores_precision_on_the_labelled_set() -> None:
    data = json.loads(LABELLED.read_text(encoding="utf-8"))
    resources = _objects(data["resources"], "resource")
    names = {r.pk: r.name for r in resources}
    hits1 = hits3 = 0
    for need in _objects(data["needs"], "need"):
        ranked = [names[p.resource.pk] for p in matching.propose(need, resources, taken={}, top=3)]
        hits1 += ranked[:1] == [need.correct]
        hits3 += need.correct in ranked
    n = len(data["needs"])
    assert hits1 / n >= 0.7 and hits3 / n >= 0.9, (hits1 / n, hits3 / n)


@pytest.mark.django_db
def test_it_proposes_with_reasons_and_confirms_within_capacity(world: World, login) -> None:
    need = services.add_need(actor=world.bob, data={"unit_code": BOB_UNIT, "title": "老人周末助餐", "category": "elderly",
                                                    "urgency": 3, "wanted_day": "sat"})
    hall = services.add_resource(actor=world.bob, data={"unit_code": BOB_UNIT, "name": "桥东长者食堂", "kind": "facility",
                                                        "category": "elderly", "capacity": 1, "days": "sat,sun"})
    services.add_resource(actor=world.bob, data={"unit_code": BOB_UNIT, "name": "篮球场", "kind": "unit_open",
                                                 "category": "culture", "capacity": 5})
    page = login(world.bob).get(f"/deliberation/needs/{need.pk}/").content.decode()
    assert page.index("桥东长者食堂") < page.index("篮球场") and "类别一致" in page and "时间可满足" in page
    assert login(world.bob).post(f"/deliberation/needs/{need.pk}/", {"resource": hall.pk}).status_code == 302
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED and need.matched_by == world.bob
    assert "7 天内对接的需求：1 / 1" in login(world.bob).get("/deliberation/lists/").content.decode()
    other = services.add_need(actor=world.bob, data={"unit_code": BOB_UNIT, "title": "助餐", "category": "elderly"})
    assert all(p.resource.pk != hall.pk for p in matching.propose(other, matching.candidates(other)))  # capacity used
    assert login(world.alice).get(f"/deliberation/needs/{need.pk}/").status_code == 404

"""The API records attendance and a show of hands; below the quorum it refuses with the numbers (422)."""

import json

import pytest

from deliberation import services
from deliberation.tests.factories import meeting, register, topic
from shequ.testing.world import BOB_UNIT, World


@pytest.mark.django_db
def test_it_records_attendance_and_refuses_a_vote_below_quorum_through_the_api(world: World, login) -> None:
    people = register(BOB_UNIT, households=3)
    m = meeting(world, topic(world))
    motion = services.add_motion(actor=world.bob, meeting=m, text="同意", method="hands")
    client = login(world.bob)

    def post(url: str, body: dict) -> object:
        return client.post(url, data=json.dumps(body), content_type="application/json")

    assert post(f"/api/deliberation/meetings/{m.pk}/attendance", {"resident_id": people[0].pk}).status_code == 200
    refused = post(f"/api/deliberation/motions/{motion.pk}/hands", {"yes": 1, "no": 0, "abstain": 0})
    assert refused.status_code == 422 and "应到 3，实到 1，至少需 2" in refused.json()["detail"]
    again = post(f"/api/deliberation/meetings/{m.pk}/attendance", {"resident_id": people[0].pk})
    assert again.status_code == 422 and "已签到" in again.json()["detail"]
    post(f"/api/deliberation/meetings/{m.pk}/attendance", {"resident_id": people[1].pk})
    done = post(f"/api/deliberation/motions/{motion.pk}/hands", {"yes": 2, "no": 0, "abstain": 0}).json()
    assert done["quorum_met"] and done["motions"][0]["passed"] is True
    timeline = client.get(f"/api/deliberation/topics/{m.topic_id}").json()["timeline"]
    assert any("赞成 2" in e["summary"] for e in timeline)
    assert login(world.alice).get(f"/api/deliberation/meetings/{m.pk}").status_code == 404

"""Quorum and majority come from the register and the attendance; a meeting short of quorum records no decision."""

import pytest
from django.core.exceptions import ValidationError

from deliberation import quorum, services
from deliberation.models import Motion
from deliberation.tests.factories import attend, meeting, register, representatives, topic
from shequ.testing.world import BOB_UNIT, World

VILLAGE = "131102002201"  # 集贤街村, in tom's township


@pytest.mark.django_db
def test_it_needs_more_than_half_of_a_villages_adults(world: World) -> None:
    adults = register(VILLAGE, households=10, per_household=2, children=3)  # 20 adults; children do not count
    t = topic(world, actor=world.tom, unit=VILLAGE, procedure="villagers")
    m = meeting(world, t, actor=world.tom, kind="villagers", basis="adults")
    assert m.eligible == 20
    attend(m, adults[:10])  # exactly half: not more than half
    found = quorum.quorum(m)
    assert (found.present, found.needed, found.met) == (10, 11, False)
    assert "应到 20，实到 10，至少需 11" in found.explain()
    motion = services.add_motion(actor=world.tom, meeting=m, text="同意方案", method="hands")
    with pytest.raises(ValidationError, match="未达到法定人数"):
        services.record_hands(actor=world.tom, motion=motion, yes=10, no=0, abstain=0)
    assert Motion.objects.get(pk=motion.pk).closed_at is None
    attend(m, adults[10:11])
    done = services.record_hands(actor=world.tom, motion=motion, yes=6, no=5, abstain=0)
    assert done.passed is True and done.present == 11


@pytest.mark.django_db
def test_it_needs_two_thirds_of_households_when_households_are_convened(world: World) -> None:
    adults = register(VILLAGE, households=9, per_household=2)
    t = topic(world, actor=world.tom, unit=VILLAGE, procedure="villagers")
    m = meeting(world, t, actor=world.tom, kind="villagers", basis="households")
    assert m.eligible == 9
    attend(m, adults[0:10])  # two members each of 5 households: 5 households
    assert (quorum.quorum(m).present, quorum.quorum(m).needed, quorum.quorum(m).met) == (5, 6, False)
    attend(m, adults[10:11])
    assert quorum.quorum(m).met


@pytest.mark.django_db
def test_it_needs_two_thirds_of_village_representatives_and_a_majority_of_those_present(world: World) -> None:
    adults = register(VILLAGE, households=12)
    representatives(adults[:9])
    t = topic(world, actor=world.tom, unit=VILLAGE, procedure="village_reps")
    m = meeting(world, t, actor=world.tom, kind="village_reps", basis="representatives")
    assert m.eligible == 9
    attend(m, adults[:5] + adults[9:12])  # 5 representatives and 3 others: 5 < 6
    assert (quorum.quorum(m).present, quorum.quorum(m).needed) == (5, 6)
    attend(m, adults[5:6])
    motion = services.add_motion(actor=world.tom, meeting=m, text="同意", method="hands")
    assert services.record_hands(actor=world.tom, motion=motion, yes=3, no=3, abstain=0).passed is False  # 3 of 6


@pytest.mark.django_db
def test_it_refuses_a_basis_the_law_does_not_give_a_meeting(world: World) -> None:
    register(VILLAGE, households=3)
    t = topic(world, actor=world.tom, unit=VILLAGE, procedure="village_reps")
    with pytest.raises(ValidationError, match="参会范围只能是"):
        meeting(world, t, actor=world.tom, kind="village_reps", basis="adults")


@pytest.mark.django_db
def test_it_shows_the_quorum_with_its_numbers_on_the_meeting_page(world: World, login) -> None:
    adults = register(BOB_UNIT, households=6)
    t = topic(world)
    m = meeting(world, t, kind="residents", basis="adults")
    attend(m, adults[:3])
    page = login(world.bob).get(f"/deliberation/meetings/{m.pk}/").content.decode()
    assert "应到 6，实到 3，至少需 4" in page and "未达到法定人数" in page
    client = login(world.bob)
    response = client.post(f"/deliberation/meetings/{m.pk}/act/", {"action": "attend", "resident": adults[3].pk})
    assert response.status_code == 302
    assert "已达到法定人数" in client.get(f"/deliberation/meetings/{m.pk}/").content.decode()

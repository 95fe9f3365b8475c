"""Secret ballots: one vote per attendee, counts hidden until closing, nothing in the database links voter and choice."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from deliberation import services
from deliberation.models import Motion, Receipt
from deliberation.tests.factories import attend, meeting, register, resident_user, topic
from shequ.testing.world import BOB_UNIT, World


@pytest.mark.django_db
def test_it_keeps_a_secret_ballot_unlinkable_and_single(world: World, login) -> None:
    people = register(BOB_UNIT, households=4)
    t = topic(world)
    m = meeting(world, t)
    attend(m, people[:3])
    motion = services.add_motion(actor=world.bob, meeting=m, text="选举业委会主任", method="secret")
    voters = [resident_user(p) for p in people[:4]]
    services.cast_ballot(actor=voters[0], motion=motion, choice="yes")
    services.cast_ballot(actor=voters[1], motion=motion, choice="no")
    with pytest.raises(ValidationError, match="只能投一票"):
        services.cast_ballot(actor=voters[0], motion=motion, choice="no")
    with pytest.raises(ValidationError, match="已签到的参会人员"):
        services.cast_ballot(actor=voters[3], motion=motion, choice="yes")  # did not attend
    page = login(world.bob).get(f"/deliberation/meetings/{m.pk}/").content.decode()
    assert "结果在投票结束后公布" in page and "赞成 1" not in page
    # What the database holds: receipts name voters but no choice; the motion holds counts but no voter.
    receipt_columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), Receipt._meta.db_table)}
    assert receipt_columns == {"id", "motion_id", "resident_id"}
    assert not [f for f in Motion._meta.get_fields() if getattr(f, "related_model", None) is not None
                and f.related_model._meta.label in ("people.Resident", "accounts.User")]
    services.close_ballot(actor=world.bob, motion=motion)
    motion.refresh_from_db()
    assert (motion.yes, motion.no, motion.present, motion.passed) == (1, 1, 3, False)
    with pytest.raises(ValidationError, match="投票已结束"):
        services.cast_ballot(actor=voters[2], motion=motion, choice="yes")
    assert Motion.objects.get(pk=motion.pk).yes == 1
    assert "赞成 1、反对 1" in login(world.bob).get(f"/deliberation/meetings/{m.pk}/").content.decode()


@pytest.mark.django_db
def test_it_signs_in_with_the_meetings_time_limited_code(world: World, login) -> None:
    import datetime as dt

    from django.utils import timezone

    people = register(BOB_UNIT, households=2)
    m = meeting(world, topic(world))
    voter = resident_user(people[0])
    client = login(voter)
    assert client.post("/deliberation/checkin/", {"code": "假的"}).status_code == 400
    old = services.sign_in_code(m, now=timezone.now() - dt.timedelta(minutes=5))
    assert "已过期" in client.post("/deliberation/checkin/", {"code": old}).content.decode()
    assert client.post("/deliberation/checkin/", {"code": services.sign_in_code(m)}).status_code == 302
    assert m.attendance.filter(resident=people[0], by_qr=True).exists()
    assert login(world.rita).post("/deliberation/checkin/", {"code": services.sign_in_code(m)}).status_code == 400

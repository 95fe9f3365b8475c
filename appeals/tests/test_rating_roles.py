"""F16: only the resident rates; a rating taken by phone is recorded by the call-back unit above, and the resident
can still correct it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from appeals import services
from appeals.models import Appeal, Rating, Rectification, State
from appeals.selectors import rates
from appeals.tests.helpers import file
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

pytestmark = pytest.mark.django_db


def _replied(world, *, assist_unit: str = "") -> Appeal:
    appeal = file(world.rita, unit=BOB_UNIT)
    services.accept(appeal=appeal, actor=world.bob)
    services.add_assist(appeal=appeal, actor=world.bob, department_code="civil_affairs", note="协助核实")
    if assist_unit:
        services.add_assist(appeal=appeal, actor=world.bob, unit_code=assist_unit, note="协助协调")
    services.reply(appeal=appeal, actor=world.bob, text="已清运")
    return Appeal.objects.get(pk=appeal.pk)


def _unchanged(appeal: Appeal) -> None:
    fresh = Appeal.objects.get(pk=appeal.pk)
    assert fresh.state == State.REPLIED and fresh.final_rating is None
    assert not Rating.objects.filter(appeal=appeal).exists()


@pytest.mark.parametrize("who", ["bob", "tom", "carl", "erin"])
def test_it_refuses_a_rating_posted_by_staff(world, login, who) -> None:
    appeal = _replied(world)
    response = login(getattr(world, who)).post(f"/appeals/{appeal.pk}/rate/", {"level": "5"}, follow=True)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "只有提交诉求的居民可以评价" in response.content.decode()
    _unchanged(appeal)


def test_it_lets_the_resident_who_filed_rate_and_no_other_resident(world, login) -> None:
    appeal = _replied(world)
    other = User.objects.create(username="ruth", role=Role.RESIDENT, unit_id=ALICE_UNIT)
    assert login(other).post(f"/appeals/mine/{appeal.tracking_no}/rate/", {"level": "5"}).status_code == 404
    assert login(other).post(f"/appeals/{appeal.pk}/rate/", {"level": "5"}).status_code == 404
    _unchanged(appeal)
    login(world.rita).post(f"/appeals/mine/{appeal.tracking_no}/rate/", {"level": "4", "comment": "很快"})
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED and appeal.final_rating == 4
    rating = appeal.ratings.get()
    assert rating.by == world.rita and rating.recorded_by is None and not rating.by_phone


@pytest.mark.parametrize("who", ["bob", "carl", "erin"])
def test_it_refuses_a_phone_rating_from_anyone_but_the_call_back_unit(world, login, who) -> None:
    appeal = _replied(world)
    response = login(getattr(world, who)).post(f"/appeals/{appeal.pk}/phone-rate/", {"level": "5"}, follow=True)
    assert response.status_code in (200, 404)
    _unchanged(appeal)


def test_it_refuses_a_phone_rating_from_the_level_above_when_it_assists(world) -> None:
    appeal = _replied(world, assist_unit=world.tom.unit_id)
    with pytest.raises(ValidationError, match="协办单位不能代录"):
        services.record_phone_rating(appeal=appeal, actor=world.tom, level=5)
    _unchanged(appeal)


def test_it_records_a_phone_rating_by_the_call_back_unit_marked_and_the_resident_corrects_it(world, login) -> None:
    appeal = _replied(world)
    detail = login(world.tom).get(f"/appeals/{appeal.pk}/").content.decode()
    assert "电话回访代录" in detail
    assert "电话回访代录" not in login(world.bob).get(f"/appeals/{appeal.pk}/").content.decode()
    login(world.tom).post(f"/appeals/{appeal.pk}/phone-rate/", {"level": "5", "note": "电话里说满意"})
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED and appeal.final_rating == 5
    rating = appeal.ratings.get()
    assert rating.recorded_by == world.tom and rating.by is None and rating.by_phone
    assert appeal.events.filter(note__contains="电话回访代录").exists()
    day = timezone.localdate(appeal.created_at)  # the city's date: after 16:00 UTC it is already tomorrow in Hengshui
    assert rates(BOB_UNIT, day, day)["satisfaction_rate"] == 1.0

    page = login(world.rita).get(f"/appeals/mine/{appeal.tracking_no}/").content.decode()
    assert 'name="level"' in page  # the resident is offered their own rating
    login(world.rita).post(f"/appeals/mine/{appeal.tracking_no}/rate/", {"level": "2", "comment": "其实没修好"})
    appeal.refresh_from_db()
    rating.refresh_from_db()
    assert (rating.level, rating.phone_level, rating.by) == (2, 5, world.rita) and rating.corrected_at
    assert appeal.state == State.REOPENED and appeal.final_rating == 2 and not appeal.resolved
    assert Rectification.objects.filter(appeal=appeal, rating=rating).exists()
    assert rates(BOB_UNIT, day, day)["satisfaction_rate"] == 0.0
    with pytest.raises(ValidationError):
        services.rate(appeal=appeal, actor=world.rita, level=5)  # corrected once; now the rectification runs


def test_it_closes_when_the_resident_corrects_a_bad_phone_rating_to_satisfied(world) -> None:
    appeal = _replied(world)
    services.record_phone_rating(appeal=appeal, actor=world.tom, level=1, comment="电话里不满意")
    appeal.refresh_from_db()
    assert appeal.state == State.REOPENED
    services.rate(appeal=appeal, actor=world.rita, level=4)
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED and appeal.resolved and appeal.final_rating == 4
    assert not appeal.deadlines.filter(kind__in=["rectify", "callback"], met_at__isnull=True, cancelled_at__isnull=True).exists()

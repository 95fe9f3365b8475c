"""Community activities: published (booking a space by the booking rules), signed up to, checked into with the
volunteers' rotating codes, attended, rated; figures per subtree. Bad input is refused whole."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from activities import selectors, services
from activities.models import CommunityActivity, Participation
from activities.tests.factories import activity, held, joined, resident_user
from facilities.models import Booking, Space
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, World
from web.models import Notification


def _space() -> Space:
    return Space.objects.create(unit_id=BOB_UNIT, kind="room", name="桥东多功能厅", host="桥东社区", capacity=50,
                                opens_at=dt.time(0, 0), closes_at=dt.time(23, 0), slot_minutes=60)


@pytest.mark.django_db
def test_it_runs_an_activity_from_publishing_to_rating(world: World) -> None:
    ruth = resident_user()
    a = activity(world)
    assert a.action_number == 24  # 科普 is evidence for 附件2 action 24
    joined_row = services.sign_up(actor=ruth, activity=a)
    assert joined_row.age is not None and joined_row.age >= 70
    # Reminded once, the day before.
    CommunityActivity.objects.filter(pk=a.pk).update(starts_at=timezone.now() + dt.timedelta(hours=3),
                                                     ends_at=timezone.now() + dt.timedelta(hours=5))
    assert services.send_reminders() == 1 and services.send_reminders() == 0
    assert Notification.objects.filter(user=ruth, kind="activities.reminder").count() == 1
    a.refresh_from_db()
    now = a.starts_at + dt.timedelta(minutes=5)
    code = services.checkin_code(a, now=now)
    done = services.check_in(actor=ruth, code=code, now=now)
    assert done.attended and done.checked_in_at == now
    with pytest.raises(ValidationError, match="不能重复签到"):
        services.check_in(actor=ruth, code=code, now=now)
    with pytest.raises(ValidationError, match="不满意时请写明原因"):
        services.rate(actor=ruth, participation=done, level=1)
    services.rate(actor=ruth, participation=done, level=5)
    with pytest.raises(ValidationError, match="已评价"):
        services.rate(actor=ruth, participation=done, level=4)
    assert Participation.objects.get(pk=done.pk).rating == 5
    assert AuditEntry.objects.filter(action__startswith="activities.").count() >= 4


@pytest.mark.django_db
def test_it_refuses_a_volunteer_code_and_a_stale_code(world: World) -> None:
    from volunteers.services import checkin_code as volunteer_code

    ruth = resident_user()
    a = activity(world)
    services.sign_up(actor=ruth, activity=a)
    now = a.starts_at
    with pytest.raises(ValidationError, match="签到码无效"):
        services.check_in(actor=ruth, code=volunteer_code(a, "in", now=now), now=now)
    with pytest.raises(ValidationError, match="已过期"):
        services.check_in(actor=ruth, code=services.checkin_code(a, now=now - dt.timedelta(minutes=5)), now=now)
    assert not Participation.objects.get(activity=a).attended


@pytest.mark.django_db
def test_it_books_the_space_and_refuses_an_activity_in_a_taken_slot(world: World) -> None:
    space = _space()
    start = (timezone.localtime() + dt.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    a = activity(world, space=space, place="", starts_at=start, ends_at=start + dt.timedelta(hours=2))
    assert a.booking is not None and a.booking.space == space and a.place == "桥东多功能厅"
    before = (CommunityActivity.objects.count(), Booking.objects.count())
    with pytest.raises(ValidationError) as caught:
        activity(world, title="撞期活动", space=space, starts_at=start + dt.timedelta(hours=1),
                 ends_at=start + dt.timedelta(hours=2))
    assert "该时段已被预约" in str(caught.value.message_dict["space"])
    assert (CommunityActivity.objects.count(), Booking.objects.count()) == before


@pytest.mark.django_db
def test_it_refuses_bad_input_naming_every_field(world: World) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.publish_activity(actor=world.bob, data={
            "unit_code": BOB_UNIT, "kind": "party", "audience": "x", "title": "", "organiser": "",
            "starts_at": start, "ends_at": start - dt.timedelta(hours=1), "capacity": 0})
    assert {"kind", "audience", "title", "organiser", "ends_at", "capacity"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError, match="无权"):
        activity(world, unit=ALICE_UNIT)
    assert not CommunityActivity.objects.exists()


@pytest.mark.django_db
def test_it_shows_a_resident_their_area_own_community_first(world: World) -> None:
    ruth = resident_user()
    near = activity(world, title="同街道其他社区活动", unit="131102002019", days=1, actor=world.tom)
    own = activity(world, title="本社区活动", days=3)
    activity(world, title="外街道活动", unit=ALICE_UNIT, days=1, actor=world.alice)
    feed = selectors.resident_feed(ruth)
    assert [a.pk for a in feed] == [own.pk, near.pk]
    assert not CommunityActivity.objects.visible_to(world.rita).filter(pk=own.pk).exists()
    with pytest.raises(ValidationError, match="本乡镇"):
        services.sign_up(actor=world.rita, activity=own)


@pytest.mark.django_db
def test_it_refuses_a_full_activity_and_a_second_sign_up(world: World) -> None:
    a = activity(world, capacity=1)
    ruth, rose = resident_user(), resident_user("rose", birth=None)
    services.sign_up(actor=ruth, activity=a)
    with pytest.raises(ValidationError, match="已报名"):
        services.sign_up(actor=ruth, activity=a)
    with pytest.raises(ValidationError, match="名额已满"):
        services.sign_up(actor=rose, activity=a)


@pytest.mark.django_db
def test_it_counts_activities_attendance_and_the_elderly_and_children_shares(world: World) -> None:
    a = held(world)
    ruth, rose, rick = resident_user(), resident_user("rose", birth=None), resident_user("rick", birth=None)
    joined(a, ruth, attended=True, age=72)
    joined(a, rose, attended=True, age=9)
    joined(a, rick, attended=False, age=40)
    today = timezone.localdate()
    fig = selectors.activity_figures("131102", today - dt.timedelta(days=1), today)
    assert fig["activities"] == 1 and fig["signed"] == 3 and fig["attended"] == 2
    assert fig["elderly_share"] == 0.5 and fig["children_share"] == 0.5
    assert dict(fig["by_kind"])["普法"] == 1 and dict(fig["by_audience"])["老年人"] == 1
    assert selectors.attendance_by_unit("131102", today - dt.timedelta(days=1), today, 9) == {"131102002": (1, 2)}
    assert list(selectors.evidence(27, "131102")) == [a]
    every = selectors.figures_all_units(today - dt.timedelta(days=1), today)
    assert len(every) == 5261 and every[BOB_UNIT] == every["131102002000"] == every["131100000000"] == (1, 2)
    assert services.record_attendance(actor=world.bob, activity=a, attended=[]) == 0


@pytest.mark.django_db
def test_it_measures_facility_use_as_hours_booked_over_hours_open(world: World) -> None:
    space = _space()
    start = (timezone.localtime() + dt.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    activity(world, space=space, starts_at=start, ends_at=start + dt.timedelta(hours=23 - 9))
    day = start.date()
    (row,) = selectors.facility_use(BOB_UNIT, day, day)
    assert row["booked"] == 14 and row["open"] == 23 and row["share"] == pytest.approx(14 / 23)

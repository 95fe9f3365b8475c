import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from facilities import selectors, services
from facilities.models import Booking, Space
from web.models import Notification

BOB_UNIT = "131102002018"


def resident(username: str, unit: str = BOB_UNIT) -> User:
    return User.objects.create(username=username, role=Role.RESIDENT, unit_id=unit, display_name=username)


def make_space(world, rule: str = "free", **extra: object) -> Space:
    return services.create_space(actor=world.bob, unit=world.unit(BOB_UNIT), name="桥东小学操场", kind="sports",
                                 capacity=40, rule=rule, host="桥东小学", **extra)  # type: ignore[arg-type]  # **extra holds the optional keyword arguments of the service by name


def slot(days: int = 2, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_it_confirms_a_free_space_at_once_and_refuses_the_same_slot_twice(world) -> None:
    space = make_space(world)
    ann, ben = resident("ann"), resident("ben")
    booking = services.book_space(actor=ann, space=space, starts_at=slot(), purpose="广场舞排练", attendees=20)
    assert booking.status == "confirmed" and booking.ends_at - booking.starts_at == dt.timedelta(hours=1)
    with pytest.raises(ValidationError, match="已被预约"):
        services.book_space(actor=ben, space=space, starts_at=slot(), purpose="打篮球")
    # A two-slot booking from 08:00 overlaps 09:00 too.
    with pytest.raises(ValidationError, match="已被预约"):
        services.book_space(actor=ben, space=space, starts_at=slot(hour=8), slots=2, purpose="打篮球")
    assert services.book_space(actor=ben, space=space, starts_at=slot(hour=10), purpose="打篮球").status == "confirmed"
    assert Booking.objects.count() == 2


@pytest.mark.parametrize(("start", "words"), [
    (lambda: slot().replace(minute=30), "整点时段"),
    (lambda: slot(hour=6), "整点时段"),
    (lambda: slot(hour=19) , "开放结束时间"),
    (lambda: slot(days=-1), "过去"),
])
def test_it_refuses_slots_outside_the_opening_grid(world, start, words) -> None:
    space = make_space(world, closes_at=dt.time(19, 30))
    with pytest.raises(ValidationError, match=words):
        services.book_space(actor=resident("ann"), space=space, starts_at=start(), purpose="活动")
    assert not Booking.objects.exists()


def test_it_refuses_closed_days_too_many_people_and_outsiders(world) -> None:
    space = make_space(world, weekdays="0")
    monday = slot(days=7 - timezone.localdate().weekday())
    ann = resident("ann")
    with pytest.raises(ValidationError, match="当天不开放"):
        services.book_space(actor=ann, space=space, starts_at=monday + dt.timedelta(days=1), purpose="活动")
    with pytest.raises(ValidationError, match="人数"):
        services.book_space(actor=ann, space=space, starts_at=monday, purpose="活动", attendees=41)
    with pytest.raises(PermissionError):
        services.book_space(actor=world.rita, space=space, starts_at=monday, purpose="活动")
    with pytest.raises(PermissionError):
        services.book_space(actor=world.alice, space=space, starts_at=monday, purpose="活动")


def test_it_sends_approval_bookings_to_the_community_and_tells_the_booker(world) -> None:
    space = make_space(world, rule="approval")
    ann = resident("ann")
    booking = services.book_space(actor=ann, space=space, starts_at=slot(), purpose="老年合唱团排练",
                                  organisation="桥东老年合唱团", attendees=25)
    assert booking.status == "pending"
    assert Notification.objects.filter(user=world.bob, kind="facilities.booking").exists()
    with pytest.raises(PermissionError):
        services.approve_booking(actor=world.alice, booking=booking)
    with pytest.raises(ValidationError, match="原因"):
        services.reject_booking(actor=world.bob, booking=booking)
    services.approve_booking(actor=world.bob, booking=booking, note="请爱护场地")
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.decided_by == world.bob
    assert Notification.objects.filter(user=ann, title__contains="已通过").exists()
    with pytest.raises(ValidationError, match="已处理"):
        services.approve_booking(actor=world.bob, booking=booking)


def test_it_frees_a_slot_when_a_booking_is_cancelled(world) -> None:
    space = make_space(world)
    ann, ben = resident("ann"), resident("ben")
    booking = services.book_space(actor=ann, space=space, starts_at=slot(), purpose="活动")
    with pytest.raises(PermissionError):
        services.cancel_booking(actor=ben, booking=booking)
    services.cancel_booking(actor=ann, booking=booking)
    assert services.book_space(actor=ben, space=space, starts_at=slot(), purpose="活动").status == "confirmed"


def test_it_reminds_each_booker_once(world, settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.management import call_command

    space = make_space(world)
    ann = resident("ann")
    services.book_space(actor=ann, space=space, starts_at=slot(days=1, hour=8), purpose="活动")
    services.book_space(actor=ann, space=space, starts_at=slot(days=5), purpose="以后的活动")
    call_command("booking_reminders", "--hours", "48")
    call_command("booking_reminders", "--hours", "48", "--enqueue")
    reminders = Notification.objects.filter(user=ann, kind="facilities.reminder")
    assert reminders.count() == 1 and "活动" in reminders.get().body


def test_it_shows_booked_slots_in_the_calendar(world, login) -> None:
    space = make_space(world)
    ann = resident("ann")
    services.book_space(actor=ann, space=space, starts_at=slot(days=1), purpose="活动")
    days = selectors.calendar(space, timezone.localdate() + dt.timedelta(days=1), days=1)
    states = [(s["starts_at"].hour, bool(s["booking"])) for s in days[0]["slots"]]
    assert states[0] == (8, False) and (9, True) in states and len(states) == 12
    page = login(ann).get(f"/facilities/spaces/{space.pk}/?week={(timezone.localdate() + dt.timedelta(days=1)).isoformat()}")
    assert page.status_code == 200 and "已确认" in page.content.decode() and "可预约" in page.content.decode()


def test_it_books_from_the_page_and_shows_a_clear_error_when_taken(world, login) -> None:
    space = make_space(world)
    ann = resident("ann")
    client = login(ann)
    when = slot().strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/facilities/spaces/{space.pk}/", {"starts_at": when, "slots": 1, "purpose": "活动", "attendees": 3})
    assert response.status_code == 302
    again = client.post(f"/facilities/spaces/{space.pk}/", {"starts_at": when, "slots": 1, "purpose": "活动", "attendees": 3})
    assert again.status_code == 400 and "该时段已被预约" in again.content.decode()
    api = client.post(f"/api/facilities/spaces/{space.pk}/bookings", {"starts_at": slot().isoformat(), "purpose": "x"},
                      content_type="application/json")
    assert api.status_code == 409
    assert Booking.objects.count() == 1
    assert "活动" in client.get("/facilities/bookings/").content.decode()


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_many_concurrent_bookings_through(tree: None) -> None:
    from shequ.testing.world import make_world

    world = make_world()
    space = make_space(world)
    people = [resident(f"r{i}") for i in range(24)]
    start = slot(days=3)
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user: User, index: int) -> None:
        try:
            barrier.wait()
            # Half ask for 09:00 alone, half for 08:00–10:00: every pair overlaps.
            if index % 2:
                services.book_space(actor=user, space=space, starts_at=start, purpose="并发")
            else:
                services.book_space(actor=user, space=space, starts_at=start - dt.timedelta(hours=1), slots=2, purpose="并发")
            result = "ok"
        except ValidationError:
            result = "taken"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(p, i)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes).count("ok") == 1 and len(outcomes) == len(people)
    assert Booking.objects.filter(space=space, status__in=["pending", "confirmed"]).count() == 1

"""取消预约 asks once, inline (issue 21): without the confirm step nothing is cancelled."""

import pytest

from facilities.models import Booking, BookingStatus
from facilities.tests.scope_cases import _booking
from shequ.testing.world import World

pytestmark = pytest.mark.django_db


def test_it_cancels_a_booking_only_after_the_inline_confirm(world: World, login) -> None:
    booking = _booking(world)
    client = login(world.bob)
    page = client.get(f"/facilities/bookings/{booking.pk}/").content.decode()
    assert '<details class="confirm">' in page and "确认取消预约" in page
    refused = client.post(f"/facilities/bookings/{booking.pk}/cancel/", {"note": ""}, follow=True).content.decode()
    assert "取消预约需要确认" in refused and "预约未取消" in refused
    assert Booking.objects.get(pk=booking.pk).status == booking.status
    done = client.post(f"/facilities/bookings/{booking.pk}/cancel/", {"note": "", "confirm": "1"}, follow=True).content.decode()
    assert "预约已取消" in done
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED

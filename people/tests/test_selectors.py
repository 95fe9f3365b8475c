"""Scoped reads: unit filters inside, above and outside the scope; derived age tags; search."""

import datetime as dt

import pytest

from people import selectors
from people.selectors import ResidentFilters, code_prefix
from people.tests.factories import resident
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, CITY, HEDONG, JIZHOU, TAOCHENG

pytestmark = pytest.mark.django_db


def names(user, **filters):
    return sorted(r.name for r in selectors.filter_residents(user, ResidentFilters(**filters)))


def test_it_reads_the_significant_prefix_of_a_code() -> None:
    assert [code_prefix(c) for c in (CITY, TAOCHENG, HEDONG, BOB_UNIT, "1311", "abc")] == [
        "1311", "131102", "131102002", BOB_UNIT, "", ""]


def test_it_filters_by_unit_inside_above_and_outside_the_scope(world):
    resident(BOB_UNIT, name="桥东人")
    resident(ALICE_UNIT, name="游园人")
    assert names(world.carl, unit=HEDONG) == ["桥东人"]
    assert names(world.carl, unit=CITY) == ["桥东人", "游园人"]  # above the scope: the scope still limits
    assert names(world.carl, unit=JIZHOU) == []
    assert names(world.bob, unit=ALICE_UNIT) == []
    assert names(world.carl, unit="not-a-code") == []
    assert names(world.dave) == [] and names(world.erin) == [] and names(world.rita) == []


def test_it_derives_age_tags_from_the_birth_date(world):
    from django.utils import timezone

    today = timezone.localdate()
    turned_60_today = today.replace(year=today.year - 60) if not (today.month == 2 and today.day == 29) else today.replace(
        year=today.year - 60, day=28)
    resident(name="刚满六十", birth=turned_60_today)
    resident(name="差一天六十", birth=turned_60_today + dt.timedelta(days=1))
    resident(name="八十多", birth=dt.date(today.year - 85, 1, 1))
    resident(name="小孩", birth=dt.date(today.year - 10, 1, 1))
    assert names(world.bob, tags=["aged_60"]) == ["八十多", "刚满六十"]
    assert names(world.bob, tags=["aged_80"]) == ["八十多"]
    assert names(world.bob, tags=["minor"]) == ["小孩"]
    assert names(world.bob, min_age=59, max_age=59) == ["差一天六十"]
    assert names(world.bob, tags=["no_such_tag"]) == []


def test_it_counts_only_up_to_the_cap(world, settings):
    for _ in range(5):
        resident(name="同名")
    page = selectors.paginate(selectors.filter_residents(world.bob, ResidentFilters()).order_by("id"), 1, size=2)
    assert (page.total, page.capped, page.has_next, len(page.rows)) == (5, False, True, 2)
    last = selectors.paginate(selectors.filter_residents(world.bob, ResidentFilters()).order_by("id"), 3, size=2)
    assert (last.total, last.has_next, len(last.rows)) == (5, False, 1)
    searched = selectors.resident_page(world.bob, ResidentFilters(q="同"), 1, size=2)
    assert searched.capped and searched.total_display == "2+"

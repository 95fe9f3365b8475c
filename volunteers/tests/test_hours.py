"""The hours rule: overlaps counted once, a day never more than 24 hours, star thresholds."""

import datetime as dt

import pytest

from volunteers.hours import hours_by_volunteer, merged_seconds, star_label, star_level

D = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def _at(hour: float) -> dt.datetime:
    return D + dt.timedelta(hours=hour)


def test_it_counts_overlapping_time_once() -> None:
    assert merged_seconds([(_at(9), _at(11)), (_at(10), _at(12))]) / 3600 == 3


def test_it_counts_a_record_inside_another_once_and_adds_separate_ones() -> None:
    assert merged_seconds([(_at(8), _at(12)), (_at(9), _at(10)), (_at(14), _at(15.5))]) / 3600 == 5.5


def test_it_never_counts_more_than_24_hours_in_a_day() -> None:
    same_day = [(_at(0), _at(24))] * 3 + [(_at(h), _at(h + 12)) for h in range(12)]
    assert merged_seconds(same_day) / 3600 == 24


def test_it_sums_per_volunteer_in_one_pass() -> None:
    rows = [(1, _at(9), _at(11)), (1, _at(10), _at(12)), (2, _at(9), _at(10))]
    assert dict(hours_by_volunteer(rows)) == {1: 3.0, 2: 1.0}


@pytest.mark.parametrize(("hours", "stars", "label"), [
    (99.99, 0, ""), (100, 1, "一星"), (299.9, 1, "一星"), (300, 2, "二星"), (599, 2, "二星"), (600, 3, "三星"),
    (999.5, 3, "三星"), (1000, 4, "四星"), (1499, 4, "四星"), (1500, 5, "五星"), (9000, 5, "五星"),
])
def test_it_gives_the_star_level_of_the_national_thresholds(hours: float, stars: int, label: str) -> None:
    assert star_level(hours) == stars and star_label(hours) == label

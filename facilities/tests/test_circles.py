import datetime as dt

import numpy as np
import pytest

from facilities import selectors
from facilities.circles import covered_brute, covered_indexed, to_xyz
from facilities.tests.helpers import facility, households, point

U1, R1 = "131102002018", "131102002201"
METRES_PER_DEGREE_LAT = 6_371_008.8 * np.pi / 180  # ≈ 111,195 m
LAT, LNG = 37.74, 115.70


def north(metres: float) -> float:
    return LAT + metres / METRES_PER_DEGREE_LAT


def test_it_finds_the_same_households_with_the_index_as_by_brute_force() -> None:
    rng = np.random.default_rng(7)
    homes = to_xyz(37.0 + rng.random(30000) * 1.3, 115.1 + rng.random(30000) * 1.5)
    sites = to_xyz(37.0 + rng.random(800) * 1.3, 115.1 + rng.random(800) * 1.5)
    for radius in (300, 1000, 2500):
        indexed, brute = covered_indexed(homes, sites, radius), covered_brute(homes, sites, radius)
        assert 0 < indexed.sum() < len(homes)
        assert np.array_equal(indexed, brute)


def test_it_counts_households_within_the_radius_of_a_fitness_site(tree: None) -> None:
    facility(U1, "桥东健身广场", kind="fitness", area=0, activity=0, office=0, lat=LAT, lng=LNG)
    # 950 m and 999 m north are inside 1,000 m; 1,010 m and 3 km are outside; one without coordinates is not counted.
    households(U1, [(north(950), LNG), (north(999), LNG), (north(1010), LNG), (north(3000), LNG)])
    households(R1, 1)
    as_of = dt.date(2025, 12, 31)
    assert selectors.circle_coverage("131102002", as_of) == {U1: (2.0, 4.0)}
    assert selectors.circle_coverage("131102002", as_of, radius_m=1500) == {U1: (3.0, 4.0)}
    assert selectors.circle_coverage("131102002", as_of, brute=True) == {U1: (2.0, 4.0)}
    assert selectors.share("fitness_circle_coverage", "131102002", as_of)[:2] == (2.0, 4.0)


def test_it_takes_the_radius_from_the_setting(tree: None, settings) -> None:
    facility(U1, "桥东健身广场", kind="fitness", area=0, activity=0, office=0, lat=LAT, lng=LNG)
    households(U1, [(north(1200), LNG)])
    settings.FIFTEEN_MINUTE_RADIUS_M = 1300
    assert selectors.circle_coverage(U1, dt.date(2025, 12, 31)) == {U1: (1.0, 1.0)}
    settings.FIFTEEN_MINUTE_RADIUS_M = 1000
    assert selectors.circle_coverage(U1, dt.date(2025, 12, 31)) == {U1: (0.0, 1.0)}


def test_it_ignores_sites_not_yet_open_and_counts_sites_in_a_neighbouring_unit(tree: None) -> None:
    facility("131102002019", "邻社区健身点", kind="fitness", area=0, activity=0, office=0, lat=LAT, lng=LNG,
             opened_on=dt.date(2025, 6, 1))
    households(U1, [(north(500), LNG)])
    assert selectors.circle_coverage(U1, dt.date(2025, 5, 31)) == {U1: (0.0, 1.0)}
    assert selectors.circle_coverage(U1, dt.date(2025, 6, 1)) == {U1: (1.0, 1.0)}


def test_it_summarises_circles_for_each_essential_service_type(tree: None) -> None:
    point(U1, "桥东超市", "supermarket", lat=LAT, lng=LNG)
    households(U1, [(north(100), LNG), (north(5000), LNG)])
    rows = {r["label"]: r for r in selectors.circle_summary(U1, dt.date(2025, 12, 31))}
    assert rows["超市便利店"]["share"] == pytest.approx(0.5)
    assert rows["健身场地"]["share"] == 0

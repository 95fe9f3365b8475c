"""Each measure against numbers worked out by hand on a small fixture in 河东街道 (8 urban, 20 rural units)."""

import datetime as dt

import pytest

from facilities import selectors
from facilities.indicators import PROVIDES
from facilities.models import CommunityProfile
from facilities.tests.helpers import facility, households

HEDONG = "131102002"
U1, U2, U3 = "131102002018", "131102002019", "131102002020"
R1, R2, R3 = "131102002201", "131102002202", "131102002203"
END = dt.date(2025, 12, 31)
EXPECTED_CODES = {
    "rural_facility_coverage", "urban_facility_coverage", "commercial_service_area_share",
    "facility_area_per_100_households", "activity_area_share", "self_service_terminal_coverage",
    "township_social_work_station_coverage", "home_care_facility_coverage", "fitness_circle_coverage",
    "civilization_practice_coverage", "relocation_community_facility_coverage", "new_urban_facility_area_compliance",
    "facility_opening_hours_compliance",
}


@pytest.fixture
def hedong(tree: None) -> None:
    facility(U1, "桥东党群服务中心", area=700, activity=450, office=100, built_on=dt.date(2022, 3, 1),
             hours=["08:00-17:00"] * 5 + ["", ""],
             services=("self_service_terminal", "volunteer_station", "elderly_day_care", "civilization_station"))
    facility(U2, "南门外综合服务站", area=400, activity=200, office=100, built_on=dt.date(2023, 6, 1),
             hours=["08:00-12:00,14:00-17:00"] * 5 + ["", ""], services=("disabled_association",))
    facility(U3, "城东老服务站", status="closed", area=300, built_on=dt.date(2015, 1, 1), closed_on=dt.date(2024, 1, 1))
    facility(U3, "城东居家养老服务中心", kind="elderly_care", area=150, activity=100, office=10)
    facility(R1, "集贤街村综合服务站", area=200, activity=120, office=40, built_on=dt.date(2019, 1, 1),
             hours=["08:00-16:00"] * 5 + ["", ""])
    facility(R2, "东隆庆村综合服务站", status="planned", area=250)
    facility(R3, "北仁街村综合服务站", area=180, activity=100, office=30, opened_on=dt.date(2026, 3, 1))
    facility("131102002000", "河东街道社会工作服务站", kind="social_work", area=120, activity=80, office=20)
    facility("131102002000", "河东街道新时代文明实践所", kind="civilization", area=200, activity=150, office=20)
    households(U1, 50)
    households(U2, 20)
    households(R1, 40)
    CommunityProfile.objects.create(unit_id=U1, total_building_area=100000, commercial_service_area=12000)
    CommunityProfile.objects.create(unit_id=U2, total_building_area=50000, commercial_service_area=4000)
    CommunityProfile.objects.create(unit_id=R1, is_relocation_community=True)
    CommunityProfile.objects.create(unit_id=R2, is_relocation_community=True)


@pytest.mark.parametrize(("code", "num", "den"), [
    ("rural_facility_coverage", 1, 20),
    ("urban_facility_coverage", 2, 8),
    ("commercial_service_area_share", 16000, 150000),
    ("facility_area_per_100_households", (700 + 400 + 200) * 100, 110),
    ("activity_area_share", 450 + 200 + 120, 700 + 400 + 200),
    ("self_service_terminal_coverage", 1, 8),
    ("township_social_work_station_coverage", 1, 1),
    ("home_care_facility_coverage", 2, 8),
    ("civilization_practice_coverage", 2, 29),
    ("relocation_community_facility_coverage", 1, 2),
    ("new_urban_facility_area_compliance", 1, 2),
    ("facility_opening_hours_compliance", 2, 3),
])
def test_it_computes_each_share_of_a_township_as_worked_out_by_hand(hedong: None, code: str, num: float, den: float) -> None:
    got_num, got_den, value = selectors.share(code, HEDONG, END)
    assert (got_num, got_den) == pytest.approx((num, den))
    assert value == pytest.approx(num / den)


def test_it_answers_as_of_any_date(hedong: None) -> None:
    # Mid-2023: 城东's old station was still open and 南门外's had just opened.
    assert selectors.share("urban_facility_coverage", HEDONG, dt.date(2023, 6, 30))[:2] == (3, 8)
    assert selectors.share("urban_facility_coverage", HEDONG, dt.date(2023, 5, 31))[:2] == (2, 8)
    # 北仁街 opens in March 2026.
    assert selectors.share("rural_facility_coverage", HEDONG, dt.date(2026, 3, 1))[:2] == (2, 20)


def test_it_answers_for_a_single_community(hedong: None) -> None:
    assert selectors.measure("facility_area_per_100_households", U1, END) == {U1: (70000.0, 50.0)}
    assert selectors.share("commercial_service_area_share", U2, END)[2] == pytest.approx(0.08)


def test_it_provides_every_facilities_indicator_city_wide_per_lowest_unit(hedong: None) -> None:
    assert set(PROVIDES) == EXPECTED_CODES
    rural = PROVIDES["rural_facility_coverage"](dt.date(2025, 1, 1), END)
    assert rural[R1] == (1.0, 1.0) and rural[R2] == (0.0, 1.0)
    assert all(len(code) == 12 for code in rural)
    townships = PROVIDES["township_social_work_station_coverage"](dt.date(2025, 1, 1), END)
    assert townships["131102002000"] == (1.0, 1.0) and townships["131102001000"] == (0.0, 1.0)
    assert all(code.endswith("000") for code in townships)
    per_100 = PROVIDES["facility_area_per_100_households"](dt.date(2025, 1, 1), END)
    assert per_100[U2] == (40000.0, 20.0)


def test_it_reads_every_indicator_with_a_handful_of_queries(hedong: None, django_assert_max_num_queries) -> None:
    for code, provide in PROVIDES.items():
        with django_assert_max_num_queries(4, info=code):
            provide(dt.date(2025, 1, 1), END)


def test_each_provider_answers_for_one_community_without_the_rest_of_the_city(hedong: None) -> None:
    start = dt.date(2025, 1, 1)
    for code, provide in PROVIDES.items():
        city_wide = provide(start, END)
        if code == "township_social_work_station_coverage":
            assert provide(start, END, prefix=HEDONG) == {"131102002000": city_wide["131102002000"]}  # type: ignore[call-arg]  # providers take prefix= (held by a contract test); the registry's Callable type does not say so
            continue
        expected = {k: v for k, v in city_wide.items() if k == U1}  # rural measures have no row for an urban community
        assert provide(start, END, prefix=U1) == expected, code  # type: ignore[call-arg]  # providers take prefix= (held by a contract test); the registry's Callable type does not say so
    assert PROVIDES["facility_area_per_100_households"](start, END, prefix=U1) == {U1: (70000.0, 50.0)}  # type: ignore[call-arg]  # providers take prefix= (held by a contract test); the registry's Callable type does not say so

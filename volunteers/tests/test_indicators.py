"""volunteer_service_point_coverage comes from the service-point records, not from the facility flag."""

import datetime as dt

import pytest

from facilities.tests.helpers import facility
from planning import providers
from shequ.testing.world import BOB_UNIT
from volunteers.indicators import volunteer_service_point_coverage
from volunteers.models import ServicePoint

HEDONG = "131102002"
U2, U3 = "131102002019", "131102002020"
END = dt.date(2025, 12, 31)


def _point(unit: str, opened: dt.date, closed: dt.date | None = None) -> None:
    ServicePoint.objects.create(unit_id=unit, name=f"站点{unit}", hours="周六 9:00-12:00", contact_name="王",
                                contact_phone="13900001234", opened_on=opened, closed_on=closed)


@pytest.mark.django_db
def test_it_counts_villages_with_a_service_point_open_at_the_end_of_the_period(tree: None) -> None:
    _point(BOB_UNIT, dt.date(2024, 1, 1))
    _point(U2, dt.date(2024, 1, 1), closed=dt.date(2025, 6, 1))  # closed before the end: not counted
    _point(U3, dt.date(2026, 2, 1))  # opened after the end: not counted
    facility(U2, "南门外综合服务站", services=("volunteer_station",))  # the facility flag alone counts for nothing
    values = volunteer_service_point_coverage(dt.date(2025, 1, 1), END, HEDONG)
    assert len(values) == 28 and all(den == 1 for _, den in values.values())
    assert {code for code, (num, _) in values.items() if num} == {BOB_UNIT}


@pytest.mark.django_db
def test_it_is_the_one_provider_of_the_indicator(tree: None) -> None:
    assert providers.discover()["volunteer_service_point_coverage"][0] == "volunteers"

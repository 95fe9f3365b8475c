"""The two indicators come from the records: incubation bases per county, full-time staff per 10,000 residents."""

import datetime as dt

import pytest

from people.tests.factories import resident
from planning import engine
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, CITY, JIZHOU, TAOCHENG
from socialorgs.indicators import social_org_incubation_base_county_coverage as coverage
from socialorgs.indicators import social_org_staff_per_10k_residents as staff
from socialorgs.models import IncubationBase, Organisation
from socialorgs.tests.factories import code

pytestmark = pytest.mark.django_db
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
JIZHOU_VILLAGE = "131103100201"


def _org(unit: str, full: int, *, status: str = "registered", dissolved: dt.date | None = None) -> Organisation:
    return Organisation.objects.create(unit_id=unit, name=f"组织{unit}{full}{status}", kind="service_agency",
                                       status=status, credit_code=code(unit[:6]) if status == "registered" else "",
                                       registered_on=dt.date(2020, 1, 1), dissolved_on=dissolved,
                                       full_time_staff=full)


def test_it_counts_counties_with_a_base_operating_on_the_period_end(tree) -> None:
    IncubationBase.objects.create(unit_id=TAOCHENG, name="桃城区基地", opened_on=dt.date(2023, 1, 1))
    IncubationBase.objects.create(unit_id=JIZHOU, name="冀州区基地", opened_on=dt.date(2023, 1, 1),
                                  closed_on=dt.date(2025, 6, 1))
    IncubationBase.objects.create(unit_id=CITY, name="市级基地", opened_on=dt.date(2023, 1, 1))
    found = coverage(START, END)
    assert found[TAOCHENG] == (1.0, 1.0) and found[JIZHOU] == (0.0, 1.0)
    assert CITY not in found and len(found) == sum(1 for c in found if c.endswith("000000"))
    city = engine.rollup(found)[CITY]
    assert city == [1.0, float(len(found))]
    assert coverage(START, dt.date(2025, 5, 31))[JIZHOU] == (1.0, 1.0)
    assert coverage(START, END, prefix=TAOCHENG[:6]) == {TAOCHENG: (1.0, 1.0)}


def test_it_divides_full_time_staff_of_active_registered_organisations_by_residents(world) -> None:
    for _ in range(4):
        resident(BOB_UNIT)
    resident(ALICE_UNIT)
    resident(JIZHOU_VILLAGE, area="131103")
    _org(BOB_UNIT, 6)
    _org(BOB_UNIT, 100, dissolved=dt.date(2025, 6, 30))  # dissolved before the period's end: not counted
    _org(BOB_UNIT, 50, status="filed")  # filed (备案), not registered: not counted
    _org("131102002000", 3)  # the township's own organisation counts on the township
    _org(JIZHOU_VILLAGE, 2)
    found = staff(START, END)
    assert found[BOB_UNIT] == (6.0, 4 / 10_000)
    assert found["131102002000"] == (3.0, 0.0)
    rolled = engine.rollup(found)
    taocheng_num, taocheng_den = rolled[TAOCHENG]
    assert (taocheng_num, taocheng_den * 10_000) == (9.0, pytest.approx(5))
    assert rolled[TAOCHENG][0] / rolled[TAOCHENG][1] == pytest.approx(9 / 5 * 10_000)
    assert rolled[CITY][0] == 11.0 and rolled[CITY][1] * 10_000 == pytest.approx(6)
    # Before the dissolution the dissolved organisation still counted.
    assert staff(START, dt.date(2025, 6, 29))[BOB_UNIT][0] == 106.0
    assert staff(START, END, prefix=BOB_UNIT) == {BOB_UNIT: found[BOB_UNIT]}

"""End to end with a real provider: places provides org_system_coverage (六位一体/五位一体)."""

from importlib.util import find_spec

import pytest

from places.models import OrgUnit, bodies_for
from planning import engine, periods, providers, services
from shequ.testing.world import BOB_UNIT, CITY, HEDONG, TAOCHENG

pytestmark = pytest.mark.skipif(find_spec("places.indicators") is None, reason="places provides no indicators yet")


@pytest.fixture
def real_providers():  # type: ignore[no-untyped-def]
    with providers.registered({}, exclusive=False):
        yield


def complete_bodies(world, code: str) -> None:  # type: ignore[no-untyped-def]
    from places.services import update_bodies

    unit = OrgUnit.objects.get(code=code)
    update_bodies(actor=world.cindy, unit=unit, rows={kind: {"exists": True} for kind in bodies_for(unit.kind)})


def org_value(code: str, *, fresh: bool = True) -> engine.Value:
    values = engine.unit_values(code, periods.parse("2025"), fresh=fresh)
    return next(v for v in values if v.indicator.code == "org_system_coverage")


def test_it_computes_org_system_coverage_from_the_recorded_bodies(tree, world, real_providers) -> None:  # type: ignore[no-untyped-def]
    services.load_plan()
    villages_in_hedong = OrgUnit.objects.filter(code__startswith=HEDONG[:9], level="village").count()
    villages_in_city = OrgUnit.objects.filter(level="village").count()
    assert org_value(BOB_UNIT).value == 0 and org_value(BOB_UNIT).source == "computed"
    complete_bodies(world, BOB_UNIT)
    bob = org_value(BOB_UNIT)
    assert (bob.numerator, bob.denominator, bob.status) == (1, 1, "achieved")
    township = org_value(HEDONG)
    assert (township.numerator, township.denominator) == (1, villages_in_hedong)
    assert org_value(CITY).value == pytest.approx(1 / villages_in_city)


def test_it_picks_up_a_new_record_through_the_audit_log(tree, world, real_providers) -> None:  # type: ignore[no-untyped-def]
    services.load_plan()
    before = org_value(TAOCHENG, fresh=True)  # fills the cache
    complete_bodies(world, BOB_UNIT)  # writes places.bodies_update to the audit log
    after = org_value(TAOCHENG, fresh=False)
    assert before.numerator is not None and after.numerator == before.numerator + 1
    assert after.denominator == before.denominator

"""End to end with a real provider: places provides org_system_coverage (六位一体/五位一体)."""

from importlib.util import find_spec

import pytest

from places.models import OrgUnit, bodies_for
from planning import engine, periods, providers, services
from shequ.testing.world import BOB_UNIT, CITY, HEDONG, TAOCHENG

pytestmark = pytest.mark.skipif(find_spec("places.indicators") is None, reason="places provides no indicators yet")


@pytest.fixture
def real_providers():
    with providers.registered({}, exclusive=False):
        yield


def complete_bodies(world, code: str) -> None:
    from places.services import update_bodies

    unit = OrgUnit.objects.get(code=code)
    update_bodies(actor=world.cindy, unit=unit, rows={kind: {"exists": True} for kind in bodies_for(unit.kind)})


def org_value(code: str, *, fresh: bool = True) -> engine.Value:
    values = engine.unit_values(code, periods.parse("2025"), fresh=fresh)
    return next(v for v in values if v.indicator.code == "org_system_coverage")


def test_it_computes_org_system_coverage_from_the_recorded_bodies(tree, world, real_providers) -> None:
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


def test_it_picks_up_a_new_record_through_the_audit_log(tree, world, real_providers) -> None:
    services.load_plan()
    before = org_value(TAOCHENG, fresh=True)  # fills the cache
    complete_bodies(world, BOB_UNIT)  # writes places.bodies_update to the audit log
    after = org_value(TAOCHENG, fresh=False)
    assert before.numerator is not None and after.numerator == before.numerator + 1
    assert after.denominator == before.denominator


def test_every_real_provider_answers_for_one_unit_as_it_does_city_wide(tree, world, real_providers) -> None:
    """The incremental update asks a provider for one unit (prefix=); it must not re-run the city-wide query."""
    import datetime as dt
    import inspect

    complete_bodies(world, BOB_UNIT)
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    found = providers.discover()
    assert found, "no real provider installed"
    for code, (app, function) in found.items():
        assert "prefix" in inspect.signature(function).parameters, f"{app}: {code} ignores prefix="
        city_wide = function(start, end)
        unit = HEDONG if all(k.endswith("000") for k in city_wide) else BOB_UNIT
        prefix = unit[:9] if unit == HEDONG else unit
        one = function(start, end, prefix=prefix)  # type: ignore[call-arg]  # providers take prefix= (held by a contract test); the registry's Callable type does not say so
        assert set(one) == ({unit} & set(city_wide)), code
        assert one.get(unit) == city_wide.get(unit), code

"""End to end with the planning engine: the monthly visit rate it shows follows visits and deaths."""

from datetime import date, datetime

import pytest
from django.apps import apps
from django.utils import timezone

from care import services
from care.tests.factories import resident
from shequ.testing.world import BOB_UNIT, HEDONG, TAOCHENG

pytestmark = pytest.mark.skipif(not apps.is_installed("planning"), reason="the planning module is not installed")
HARDSHIP = "special_hardship_elderly"


def rate_value(code: str, *, fresh: bool):
    from planning import engine, periods

    values = engine.unit_values(code, periods.parse("2025-03"), fresh=fresh)
    return next(v for v in values if v.indicator.code == "hardship_elderly_monthly_visit_rate")


def test_it_feeds_the_planning_engine(world) -> None:
    from planning import providers
    from planning import services as plan_services

    plan_services.load_plan()
    people = [resident(BOB_UNIT, HARDSHIP) for _ in range(4)]
    services.generate_visit_plans(month=date(2025, 3, 1))
    with providers.registered({}, exclusive=False):
        first = rate_value(HEDONG, fresh=True)
        assert (first.numerator, first.denominator) == (0, 4)
        moment = datetime(2025, 3, 5, 9, 0, tzinfo=timezone.get_current_timezone())
        services.record_visit(actor=world.bob, resident=people[0], visited_at=moment, method="home", health="good",
                              home_safety="good", living="good", mood="good")
        after = rate_value(TAOCHENG, fresh=False)  # incremental, through the audit log
        assert (after.numerator, after.denominator) == (1, 4)
        assert rate_value(BOB_UNIT, fresh=False).value == pytest.approx(0.25)
        from people import services as register

        register.set_status(actor=world.bob, resident=people[1], status="deceased", on=date(2025, 3, 10))
        died = rate_value(TAOCHENG, fresh=False)
        assert (died.numerator, died.denominator) == (1, 3)

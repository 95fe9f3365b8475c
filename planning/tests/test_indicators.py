import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from planning import engine, periods, providers, services
from planning.models import Indicator, IndicatorValue, ManualValue, PlanTask, SpecialAction
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, CITY, HEDONG, HEXI, JIZHOU, TAOCHENG

# Two communities in 桃城区 (two townships) and one village in 冀州区.
JIZHOU_VILLAGE = None


@pytest.fixture
def plan(tree):
    services.load_plan()


def jizhou_village() -> str:
    from places.models import OrgUnit

    return str(OrgUnit.objects.filter(code__startswith="131103", level="village").order_by("code").values_list("code", flat=True)[0])


def fake(figures):
    calls = []

    def provide(start, end):
        calls.append((start, end))
        return dict(figures)

    provide.calls = calls
    return provide


def run(unit: str, period: str) -> dict[str, dict]:
    out = StringIO()
    call_command("indicator_values", unit=unit, period=period, json=True, stdout=out)
    return {row["code"]: row for row in json.loads(out.getvalue())}


def test_it_loads_the_plan_idempotently(plan) -> None:
    services.load_plan()
    assert PlanTask.objects.count() == 78
    assert SpecialAction.objects.count() == 39
    assert Indicator.objects.count() == 28
    task = PlanTask.objects.get(number=15)
    assert [d.name for d in task.lead_departments.all()] == ["市卫生健康委"]
    assert "市民政局" in task.responsible_names


def test_it_sums_numerators_and_denominators_up_the_tree(plan) -> None:
    jv = jizhou_village()
    # Rates 1/1, 0/3 and 1/2: the county is 1/4 (not the mean of 1 and 0), the city 2/6.
    provide = fake({ALICE_UNIT: (1, 1), BOB_UNIT: (0, 3), jv: (1, 2)})
    with providers.registered({"rural_facility_coverage": provide}):
        village = run(ALICE_UNIT, "2025")["rural_facility_coverage"]
        township = run(HEDONG, "2025")["rural_facility_coverage"]
        county = run(TAOCHENG, "2025")["rural_facility_coverage"]
        city = run(CITY, "2025")["rural_facility_coverage"]
    assert (village["value"], village["source"], village["status"]) == (1.0, "computed", "achieved")
    assert (township["numerator"], township["denominator"], township["value"]) == (0, 3, 0)
    assert county["value"] == pytest.approx(0.25)
    assert (city["numerator"], city["denominator"]) == (2, 6)
    assert city["status"] == "at_risk" and city["target"] == 0.8
    assert provide.calls[0] == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_it_reports_on_track_against_the_straight_path_from_the_baseline() -> None:
    ind = Indicator(code="x", target=0.8, baseline_2020=0.65, direction="at_least", target_year=2025, period_type="year")
    # Halfway (end of 2023 is 3/5 of the way): path = 0.65 + 0.15 * 0.6 = 0.74
    assert engine.status_of(ind, 0.75, dt.date(2023, 12, 31)) == "on_track"
    assert engine.status_of(ind, 0.73, dt.date(2023, 12, 31)) == "at_risk"
    assert engine.status_of(ind, 0.8, dt.date(2023, 12, 31)) == "achieved"
    assert engine.status_of(ind, None, dt.date(2023, 12, 31)) == "no_data"
    at_most = Indicator(code="y", target=0.0, direction="at_most", target_year=2025, period_type="year")
    assert engine.status_of(at_most, 0.0, dt.date(2023, 1, 1)) == "achieved"
    assert engine.status_of(at_most, 0.1, dt.date(2023, 1, 1)) == "at_risk"
    gp = Indicator(code="z", target=2, target_max=3, direction="range", target_year=2025, period_type="year")
    assert engine.status_of(gp, 2.5, dt.date(2025, 12, 31)) == "achieved"
    assert engine.status_of(gp, 3.5, dt.date(2025, 12, 31)) != "achieved"


def test_it_parses_periods_and_refuses_bad_ones() -> None:
    assert periods.parse("2025-Q3").end == dt.date(2025, 9, 30)
    assert periods.parse("2025-02").end == dt.date(2025, 2, 28)
    assert periods.parse("2025").start == dt.date(2025, 1, 1)
    assert periods.parse("2025-Q3").as_type("month").label == "2025-09"
    for bad in ["2025-Q5", "25", "2025-13", "2025/07", ""]:
        with pytest.raises(ValidationError):
            periods.parse(bad)


def test_it_uses_the_last_month_for_a_monthly_indicator(plan) -> None:
    provide = fake({ALICE_UNIT: (3, 4)})
    with providers.registered({"hardship_elderly_monthly_visit_rate": provide}):
        row = run(HEXI, "2025-Q3")["hardship_elderly_monthly_visit_rate"]
    assert row["value"] == 0.75
    assert provide.calls == [(dt.date(2025, 9, 1), dt.date(2025, 9, 30))]


def test_it_switches_a_manual_indicator_to_computed_keeping_the_reports(plan, world) -> None:
    ind = Indicator.objects.get(code="volunteer_service_point_coverage")
    services.enter_manual_value(indicator=ind, unit_code=TAOCHENG, period="2025", numerator=30, denominator=40,
                                source="区民政局统计", source_date=dt.date(2025, 6, 30), actor=world.carl)
    row = run(TAOCHENG, "2025")["volunteer_service_point_coverage"]
    assert (row["value"], row["source"]) == (0.75, "reported")
    # The county figure was entered for the county itself; the city sums what is below it.
    assert run(CITY, "2025")["volunteer_service_point_coverage"]["value"] == 0.75
    with providers.registered({"volunteer_service_point_coverage": fake({ALICE_UNIT: (1, 1), BOB_UNIT: (1, 1)})}):
        row = run(TAOCHENG, "2025")["volunteer_service_point_coverage"]
    assert (row["value"], row["source"]) == (1.0, "computed")
    assert ManualValue.objects.filter(indicator=ind).count() == 1


def test_it_lets_an_entered_unit_override_the_sum_of_its_children(plan, world) -> None:
    ind = Indicator.objects.get(code="disabled_persons_association_coverage")
    for unit, num in [(ALICE_UNIT, 1), (BOB_UNIT, 0)]:
        services.enter_manual_value(indicator=ind, unit_code=unit, period="2025", numerator=num, denominator=1,
                                    source="残联台账", source_date=dt.date(2025, 3, 1), actor=world.carl)
    assert run(TAOCHENG, "2025")["disabled_persons_association_coverage"]["value"] == 0.5
    services.enter_manual_value(indicator=ind, unit_code=HEDONG, period="2025", numerator=8, denominator=10,
                                source="街道统计", source_date=dt.date(2025, 3, 1), actor=world.cindy)
    assert run(TAOCHENG, "2025")["disabled_persons_association_coverage"]["value"] == pytest.approx(9 / 11)


def test_it_refuses_manual_values_from_outsiders_and_bad_figures(plan, world) -> None:
    ind = Indicator.objects.get(code="villages_with_5g_share")
    kwargs: dict[str, Any] = {"indicator": ind, "period": "2025", "source": "运营商", "source_date": dt.date(2025, 1, 1)}
    for actor, unit in [(world.dave, TAOCHENG), (world.bob, BOB_UNIT), (world.tina, HEXI), (world.erin, TAOCHENG)]:
        with pytest.raises(ValidationError):
            services.enter_manual_value(unit_code=unit, numerator=1, denominator=2, actor=actor, **kwargs)
    for num, den in [(3, 2), (1, 0), (-1, 2)]:
        with pytest.raises(ValidationError):
            services.enter_manual_value(unit_code=TAOCHENG, numerator=num, denominator=den, actor=world.carl, **kwargs)
    with pytest.raises(ValidationError):
        services.enter_manual_value(unit_code=TAOCHENG, numerator=1, denominator=2, actor=world.carl, indicator=ind,
                                    period="2025", source=" ", source_date=dt.date(2025, 1, 1))
    assert not ManualValue.objects.exists()


def test_it_updates_only_the_path_of_a_changed_unit(plan) -> None:
    figures = {ALICE_UNIT: (1, 2), BOB_UNIT: (0, 2), jizhou_village(): (1, 1)}
    provide = fake(figures)
    period = periods.parse("2025")
    ind = Indicator.objects.get(code="rural_facility_coverage")
    with providers.registered({"rural_facility_coverage": provide}):
        engine.refresh(period, [ind])
        before = {r.unit_code: r.computed_at for r in IndicatorValue.objects.filter(indicator=ind)}
        figures[BOB_UNIT] = (2, 2)
        engine.invalidate(BOB_UNIT, ["rural_facility_coverage"])
        touched = engine.process_dirty()
        after = {r.unit_code: (r.numerator, r.denominator, r.computed_at) for r in IndicatorValue.objects.filter(indicator=ind)}
    assert touched == 4
    assert after[BOB_UNIT][:2] == (2, 2) and after[HEDONG][:2] == (2, 2)
    assert after[TAOCHENG][:2] == (3, 4) and after[CITY][:2] == (4, 5)
    assert after[ALICE_UNIT][2] == before[ALICE_UNIT] and after[JIZHOU][2] == before[JIZHOU]


def test_it_feeds_the_dirty_set_from_the_audit_log(plan) -> None:
    from accounts import audit

    figures = {ALICE_UNIT: (0, 1)}
    period = periods.parse("2025")
    ind = Indicator.objects.get(code="rural_facility_coverage")
    with providers.registered({"rural_facility_coverage": fake(figures)}, app="facilities"):
        engine.sync_audit()
        engine.refresh(period, [ind])
        figures[ALICE_UNIT] = (1, 1)
        audit.record(actor=None, action="facilities.create", unit_code=ALICE_UNIT, username="x")
        values = engine.unit_values(TAOCHENG, period)
    row = next(v for v in values if v.indicator.code == "rural_facility_coverage")
    assert row.value == 1.0


def test_it_freezes_period_end_values_and_shows_corrections(plan) -> None:
    figures = {ALICE_UNIT: (1, 2)}
    period = periods.parse("2024")
    with providers.registered({"rural_facility_coverage": fake(figures)}):
        assert engine.freeze(period)["corrections"] == 0
        figures[ALICE_UNIT] = (2, 2)
        assert engine.freeze(period)["corrections"] == 4
        value = next(v for v in engine.unit_values(ALICE_UNIT, period, fresh=True) if v.indicator.code == "rural_facility_coverage")
    assert value.value == 1.0 and value.frozen == 0.5
    assert len(engine.corrections(ALICE_UNIT, period)) == 1


def test_it_serves_values_only_inside_the_users_subtree(plan, world, login) -> None:
    with providers.registered({"rural_facility_coverage": fake({BOB_UNIT: (1, 1)})}):
        ok = login(world.carl).get(f"/api/plan/values?unit={BOB_UNIT}&period=2025")
        assert ok.status_code == 200
        assert {r["code"]: r for r in ok.json()}["rural_facility_coverage"]["value"] == 1.0
        assert login(world.dave).get(f"/api/plan/values?unit={BOB_UNIT}&period=2025").status_code == 404
        assert login(world.cindy).get(f"/api/plan/values?unit={CITY}&period=2025-Q5").status_code == 422


def test_it_publishes_the_tasks(plan, client) -> None:
    rows = client.get("/api/plan/tasks").json()
    assert len(rows) == 78 and rows[0]["lead_units"] == ["市委组织部"]
    one = client.get("/api/plan/tasks/15").json()
    assert one["lead_units"] == ["市卫生健康委"] and one["progress"] == []
    assert client.get("/api/plan/tasks/79").status_code == 404


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_refreshes_the_same_indicator_twice_at_once_without_conflict(tree) -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    services.load_plan()
    ind = Indicator.objects.get(code="rural_facility_coverage")
    barrier = threading.Barrier(2)
    errors: list[str] = []

    def run_refresh() -> None:
        try:
            barrier.wait()
            engine.refresh(periods.parse("2025"), [ind])
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(repr(exc))
        finally:
            connection.close()

    with providers.registered({"rural_facility_coverage": fake({ALICE_UNIT: (1, 2), BOB_UNIT: (1, 1)})}):
        threads = [threading.Thread(target=run_refresh) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    # 2 villages, their 2 townships, one county, the city.
    assert IndicatorValue.objects.filter(indicator=ind, period="2025").count() == 6


def test_it_runs_the_background_jobs_through_their_commands(plan, settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from planning.models import CachedPeriod, Snapshot

    with providers.registered({"rural_facility_coverage": fake({ALICE_UNIT: (1, 2)})}):
        out = StringIO()
        call_command("planning_refresh", stdout=out)
        assert "audit_entries" in out.getvalue()
        assert CachedPeriod.objects.filter(period=str(periods.today().year)).count() == Indicator.objects.count()
        call_command("planning_snapshot", period=["2024"], stdout=StringIO())
        assert Snapshot.objects.filter(period="2024", unit_code=ALICE_UNIT, indicator__code="rural_facility_coverage").exists()
        call_command("planning_deadlines", stdout=StringIO())
        call_command("planning_refresh", enqueue=True, stdout=StringIO())

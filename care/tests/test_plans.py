"""Visit plans, visits and the monthly rate on a scenario with hand-computed counts (March 2025)."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEntry
from care import indicators, services
from care.models import DueVisit, Visit, VisitRule
from care.reminders import send_reminders
from care.selectors import compliance, my_visits, pending_visits, visit_rates
from care.tests.factories import resident, worker
from places.models import OrgUnit
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, CITY, HEDONG, TAOCHENG
from web.models import Notification

MARCH = date(2025, 3, 1)
HARDSHIP = "special_hardship_elderly"


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=timezone.get_current_timezone())


def ok_checklist() -> dict[str, Any]:
    return {"method": "home", "health": "good", "home_safety": "good", "living": "fair", "mood": "good"}


@pytest.fixture
def scenario(world):
    """4 hardship elderly in bob's community (2 workers), 2 in alice's; one living-alone, one already moved out."""
    bob2 = worker(BOB_UNIT, "bob2")
    people = {
        "b1": resident(BOB_UNIT, HARDSHIP, "living_alone"), "b2": resident(BOB_UNIT, HARDSHIP),
        "b3": resident(BOB_UNIT, HARDSHIP), "b4": resident(BOB_UNIT, HARDSHIP),
        "a1": resident(ALICE_UNIT, HARDSHIP), "a2": resident(ALICE_UNIT, HARDSHIP),
        "lonely": resident(BOB_UNIT, "living_alone"),
        "gone": resident(BOB_UNIT, HARDSHIP, status="moved_out", status_date=date(2025, 2, 1)),
    }
    created = services.generate_visit_plans(month=MARCH)
    return {"bob2": bob2, "people": people, "created": created, "world": world}


def test_it_has_the_plans_default_rule(db) -> None:
    rule = VisitRule.objects.get(tag=HARDSHIP)
    assert rule.frequency == "month" and rule.active


def test_it_generates_one_due_visit_per_selected_resident_spread_evenly(scenario) -> None:
    assert scenario["created"] == {HARDSHIP: 6}
    rows = DueVisit.objects.filter(period_start=MARCH)
    assert rows.count() == 6
    assert {r.period_end for r in rows} == {date(2025, 3, 31)}
    w = scenario["world"]
    bob_rows = rows.filter(unit_id=BOB_UNIT)
    assert sorted(bob_rows.values_list("assignee_id", flat=True)) == sorted([w.bob.pk, w.bob.pk, scenario["bob2"].pk, scenario["bob2"].pk])
    assert set(rows.filter(unit_id=ALICE_UNIT).values_list("assignee_id", flat=True)) == {w.alice.pk}
    assert not rows.filter(resident=scenario["people"]["gone"]).exists()


def test_it_is_idempotent(scenario) -> None:
    again = services.generate_visit_plans(month=MARCH)
    assert again == {HARDSHIP: 0}
    call_command("generate_visit_plans", period="2025-03")
    assert DueVisit.objects.count() == 6


def test_it_rejects_a_bad_period_on_the_command() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("generate_visit_plans", period="2025-13")


def test_it_uses_each_rules_frequency(scenario) -> None:
    cindy = scenario["world"].cindy
    services.set_visit_rule(actor=cindy, tag="living_alone", frequency="week")
    created = services.generate_visit_plans(month=MARCH)
    # March 2025: weeks starting 24 Feb, 3, 10, 17, 24, 31 Mar → 6 weeks × 2 living-alone residents.
    assert created == {HARDSHIP: 0, "living_alone": 12}
    with pytest.raises(ValidationError):
        services.set_visit_rule(actor=scenario["world"].tom, tag="living_alone", frequency="month")
    with pytest.raises(ValidationError):
        services.set_visit_rule(actor=cindy, tag="living_alone", frequency="daily")
    assert VisitRule.objects.get(tag="living_alone").frequency == "week"


def test_it_computes_the_monthly_rate_at_every_level(scenario) -> None:
    w, p = scenario["world"], scenario["people"]
    services.record_visit(actor=w.bob, resident=p["b1"], visited_at=at(5), **ok_checklist())
    services.record_visit(actor=w.bob, resident=p["b2"], visited_at=at(6), **ok_checklist())
    services.record_visit(actor=w.bob, resident=p["b2"], visited_at=at(7), **ok_checklist())  # a second visit counts once
    services.record_visit(actor=w.alice, resident=p["a1"], visited_at=at(8), **ok_checklist())
    as_of = date(2025, 3, 20)
    assert visit_rates(BOB_UNIT, as_of) == {BOB_UNIT: (2, 4)}
    assert visit_rates(HEDONG[:9], as_of, length=9) == {HEDONG[:9]: (2, 4)}
    assert visit_rates(TAOCHENG[:6], as_of, length=6) == {TAOCHENG[:6]: (3, 6)}
    city = compliance(OrgUnit.objects.get(code=CITY), as_of)
    assert (city["visited"], city["due"]) == (3, 6)
    taocheng = next(c for c in city["children"] if c["unit"].code == TAOCHENG)
    assert (taocheng["visited"], taocheng["due"], taocheng["rate"]) == (3, 6, 0.5)
    # As of the 5th only b1 was visited.
    assert visit_rates(BOB_UNIT, date(2025, 3, 5)) == {BOB_UNIT: (1, 4)}
    assert [r.resident_id for r in pending_visits(BOB_UNIT, as_of)] == sorted([p["b3"].pk, p["b4"].pk])


def test_it_drops_a_death_and_a_move_mid_month_from_that_date(scenario) -> None:
    w, p = scenario["world"], scenario["people"]
    services.record_visit(actor=w.bob, resident=p["b1"], visited_at=at(5), **ok_checklist())
    services.record_visit(actor=w.bob, resident=p["b2"], visited_at=at(6), **ok_checklist())
    # b3 dies on the 10th unvisited: due until the 9th, gone from the 10th.
    p["b3"].status, p["b3"].status_date = "deceased", date(2025, 3, 10)
    p["b3"].save()
    # b2 (visited on the 6th) moves to alice's community on the 15th: stays visited and due in bob's.
    p["b2"].unit_id = ALICE_UNIT
    p["b2"].save()
    assert visit_rates(BOB_UNIT, date(2025, 3, 9)) == {BOB_UNIT: (2, 4)}
    assert visit_rates(BOB_UNIT, date(2025, 3, 20)) == {BOB_UNIT: (2, 3)}
    # The daily job persists the drop-out with its date; the rate does not change.
    assert services.reconcile_due_visits(on=date(2025, 3, 20)) == 1
    row = DueVisit.objects.get(resident=p["b3"], period_start=MARCH)
    assert (row.removed_on, row.removed_reason) == (date(2025, 3, 10), "deceased")
    assert visit_rates(BOB_UNIT, date(2025, 3, 20)) == {BOB_UNIT: (2, 3)}
    assert visit_rates(BOB_UNIT, date(2025, 3, 9)) == {BOB_UNIT: (2, 4)}
    # Next month: b3 is gone, b2 is planned in alice's community.
    services.generate_visit_plans(month=date(2025, 4, 1))
    april = DueVisit.objects.filter(period_start=date(2025, 4, 1))
    assert not april.filter(resident=p["b3"]).exists()
    assert april.get(resident=p["b2"]).unit_id == ALICE_UNIT
    assert april.count() == 5


def test_it_drops_someone_who_leaves_the_group(scenario) -> None:
    p = scenario["people"]
    p["b4"].tags.filter(tag=HARDSHIP).delete()
    assert visit_rates(BOB_UNIT, date(2025, 3, 20)) == {BOB_UNIT: (0, 3)}
    services.generate_visit_plans(month=date(2025, 4, 1))
    assert not DueVisit.objects.filter(resident=p["b4"], period_start=date(2025, 4, 1)).exists()


def test_it_refuses_a_visit_in_the_future_or_outside_scope(scenario) -> None:
    w, p = scenario["world"], scenario["people"]
    with pytest.raises(ValidationError, match="晚于当前时间"):
        services.record_visit(actor=w.bob, resident=p["b1"], visited_at=timezone.now() + timedelta(hours=2), **ok_checklist())
    with pytest.raises(ValidationError, match="管辖范围"):
        services.record_visit(actor=w.alice, resident=p["b1"], visited_at=at(5), **ok_checklist())
    with pytest.raises(ValidationError, match="管辖范围"):
        services.record_visit(actor=w.carl, resident=p["b1"], visited_at=at(5), **ok_checklist())
    with pytest.raises(ValidationError, match="身体状况"):
        services.record_visit(actor=w.bob, resident=p["b1"], visited_at=at(5), **{**ok_checklist(), "health": "great"})
    assert not Visit.objects.exists()
    assert not DueVisit.objects.filter(visited_on__isnull=False).exists()


def test_it_refuses_a_visit_after_death_but_takes_one_before(scenario) -> None:
    w, p = scenario["world"], scenario["people"]
    p["b3"].status, p["b3"].status_date = "deceased", date(2025, 3, 10)
    p["b3"].save()
    services.reconcile_due_visits(on=date(2025, 3, 20))
    with pytest.raises(ValidationError, match="已故"):
        services.record_visit(actor=w.bob, resident=p["b3"], visited_at=at(12), **ok_checklist())
    services.record_visit(actor=w.bob, resident=p["b3"], visited_at=at(8), **ok_checklist())  # recorded late
    assert visit_rates(BOB_UNIT, date(2025, 3, 20)) == {BOB_UNIT: (1, 4)}


def test_it_reassigns_and_carries_the_assignment_to_next_month(scenario) -> None:
    w, p = scenario["world"], scenario["people"]
    row = DueVisit.objects.get(resident=p["b1"], period_start=MARCH)
    services.assign_due_visit(actor=w.bob, due=row, volunteer_name="志愿者王芳")
    with pytest.raises(ValidationError, match="本村（社区）"):
        services.assign_due_visit(actor=w.bob, due=row, worker=w.alice)
    with pytest.raises(ValidationError, match="管辖范围"):
        services.assign_due_visit(actor=w.alice, due=row, worker=w.alice)
    row.refresh_from_db()
    assert (row.assignee_id, row.volunteer_name) == (None, "志愿者王芳")
    services.generate_visit_plans(month=date(2025, 4, 1))
    april = DueVisit.objects.get(resident=p["b1"], period_start=date(2025, 4, 1))
    assert april.volunteer_name == "志愿者王芳"
    assert AuditEntry.objects.filter(action="care.due_assigned").count() == 1


def test_it_lists_my_visits_this_month(scenario) -> None:
    w = scenario["world"]
    mine = my_visits(w.bob, date(2025, 3, 20))
    assert len(mine) == 2 and all(r.days_left == 12 for r in mine)
    assert my_visits(w.alice, date(2025, 3, 20))[0].unit_id == ALICE_UNIT


def test_it_reminds_workers_and_the_township_before_month_end(scenario) -> None:
    w, p = scenario["world"], scenario["people"]
    services.record_visit(actor=w.alice, resident=p["a1"], visited_at=at(5), **ok_checklist())
    services.record_visit(actor=w.alice, resident=p["a2"], visited_at=at(5), **ok_checklist())
    assert send_reminders(on=date(2025, 3, 10)) == {"worker_reminders": 0, "township_alerts": 0}
    sent = send_reminders(on=date(2025, 3, 28))
    assert sent == {"worker_reminders": 2, "township_alerts": 1}
    assert Notification.objects.get(user=w.bob, kind="care.reminder").title == "探访提醒：还有 2 人未探访"
    alert = Notification.objects.get(user=w.tom, kind="care.lagging")
    assert "桥东社区" in alert.body
    assert not Notification.objects.filter(user=w.tina).exists()  # alice's community is done


def test_it_provides_the_planning_indicators(scenario) -> None:
    w, p = scenario["world"], scenario["people"]
    services.record_visit(actor=w.bob, resident=p["b1"], visited_at=at(5), **ok_checklist())
    services.record_visit(actor=w.alice, resident=p["a1"], visited_at=at(5), **ok_checklist())
    values = indicators.PROVIDES["hardship_elderly_monthly_visit_rate"](date(2025, 1, 1), date(2025, 3, 31))
    assert values[BOB_UNIT] == (1.0, 4.0)
    assert values[ALICE_UNIT] == (1.0, 2.0)
    assert values["131102001046"] == (0.0, 0.0)
    assert len(values) == OrgUnit.objects.filter(level="village").count()
    # February had no plan at all.
    assert indicators.hardship_elderly_monthly_visit_rate(date(2025, 1, 1), date(2025, 2, 28))[BOB_UNIT] == (0.0, 0.0)
    services.add_disaster_officer(actor=w.bob, unit_code=BOB_UNIT, name="张伟", phone="13800138000",
                                  appointed_on=date(2025, 1, 1))
    coverage = indicators.PROVIDES["disaster_officer_coverage"](date(2025, 1, 1), date(2025, 12, 31))
    assert coverage[BOB_UNIT] == (1.0, 1.0)
    assert coverage[ALICE_UNIT] == (0.0, 1.0)
    assert len(coverage) == OrgUnit.objects.filter(level="village").count()
    assert indicators.disaster_officer_coverage(date(2024, 1, 1), date(2024, 12, 31))[BOB_UNIT] == (0.0, 1.0)
    # Narrowed to one village (how the planning engine updates incrementally).
    assert indicators.hardship_elderly_monthly_visit_rate(date(2025, 1, 1), date(2025, 3, 31), prefix=BOB_UNIT) == {BOB_UNIT: (1.0, 4.0)}
    assert indicators.disaster_officer_coverage(date(2025, 1, 1), date(2025, 12, 31), prefix=BOB_UNIT) == {BOB_UNIT: (1.0, 1.0)}


def test_it_runs_the_daily_job_as_a_task(scenario) -> None:
    from care.tasks import care_daily, generate_visit_plans_task

    p = scenario["people"]
    p["b4"].status, p["b4"].status_date = "deceased", date(2025, 3, 3)
    p["b4"].save()
    result = care_daily.enqueue("2025-03-05")
    assert result.return_value == {"dropped": 1, "assigned": 0, "worker_reminders": 0, "township_alerts": 0}
    assert generate_visit_plans_task.enqueue("2025-04-01").return_value == {HARDSHIP: 5}


def test_it_assigns_visits_of_a_community_that_had_no_worker_yet(world) -> None:
    for _ in range(3):
        resident("131102002019", HARDSHIP)
    services.generate_visit_plans(month=MARCH)
    assert set(DueVisit.objects.values_list("assignee_id", flat=True)) == {None}
    carol, dan = worker("131102002019", "carol"), worker("131102002019", "dan")
    assert services.assign_unassigned(on=date(2025, 3, 3)) == 3
    counts = sorted(DueVisit.objects.filter(assignee__in=[carol, dan]).values_list("assignee_id", flat=True))
    assert counts.count(carol.pk) in (1, 2) and len(counts) == 3
    assert services.assign_unassigned(on=date(2025, 3, 3)) == 0


def test_it_uses_the_registers_dates_for_a_move_and_a_death(scenario) -> None:
    from people import services as register

    w, p = scenario["world"], scenario["people"]
    services.record_visit(actor=w.bob, resident=p["b1"], visited_at=at(2), **ok_checklist())
    register.set_status(actor=w.bob, resident=p["b3"], status="deceased", on=date(2025, 3, 10))
    register.move_resident(actor=w.bob, resident=p["b4"], to_unit_code=ALICE_UNIT, moved_on=date(2025, 3, 15))
    assert visit_rates(BOB_UNIT, date(2025, 3, 9)) == {BOB_UNIT: (1, 4)}
    assert visit_rates(BOB_UNIT, date(2025, 3, 12)) == {BOB_UNIT: (1, 3)}
    assert visit_rates(BOB_UNIT, date(2025, 3, 14)) == {BOB_UNIT: (1, 3)}
    assert visit_rates(BOB_UNIT, date(2025, 3, 15)) == {BOB_UNIT: (1, 2)}
    assert visit_rates(TAOCHENG[:6], date(2025, 3, 20), length=6) == {TAOCHENG[:6]: (1, 4)}
    assert services.reconcile_due_visits(on=date(2025, 3, 20)) == 2
    removed = dict(DueVisit.objects.filter(removed_on__isnull=False).values_list("resident_id", "removed_on"))
    assert removed == {p["b3"].pk: date(2025, 3, 10), p["b4"].pk: date(2025, 3, 15)}
    assert visit_rates(BOB_UNIT, date(2025, 3, 14)) == {BOB_UNIT: (1, 3)}
    # b4 cannot be visited by bob any more; alice may (her community now), and it counts from next month's plan.
    with pytest.raises(ValidationError, match="管辖范围"):
        services.record_visit(actor=w.bob, resident=p["b4"], visited_at=at(18), **ok_checklist())
    services.record_visit(actor=w.alice, resident=p["b4"], visited_at=at(18), **ok_checklist())
    assert visit_rates(BOB_UNIT, date(2025, 3, 20)) == {BOB_UNIT: (1, 2)}


def test_it_writes_due_rows_with_the_models_defaults(world, monkeypatch) -> None:
    """A default given to a due-row field reaches the generated rows without a change to the plan generator."""
    field = DueVisit._meta.get_field("removed_reason")
    monkeypatch.setattr(field, "default", "fresh")
    monkeypatch.setitem(field.__dict__, "_get_default", lambda: "fresh")  # Field caches its default
    resident(BOB_UNIT, HARDSHIP)
    assert services.generate_visit_plans(month=MARCH) == {HARDSHIP: 1}
    assert list(DueVisit.objects.values_list("removed_reason", flat=True)) == ["fresh"]

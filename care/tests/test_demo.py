"""seed_care: idempotent, with or without a register."""

from django.core.management import call_command
from django.utils import timezone

from care.models import DisasterOfficer, DueVisit, EmergencyShelter, Visit
from care.tests.factories import resident
from shequ.testing.world import ALICE_UNIT, BOB_UNIT


def test_it_seeds_readiness_with_an_empty_register(tree) -> None:
    call_command("seed_care")
    assert DisasterOfficer.objects.filter(unit_id=BOB_UNIT).exists()
    assert EmergencyShelter.objects.count() == 129
    assert not Visit.objects.exists()
    officers = DisasterOfficer.objects.count()
    call_command("seed_care")
    assert DisasterOfficer.objects.count() == officers
    assert all("*" in p for p in DisasterOfficer.objects.values_list("phone_masked", flat=True)[:50])


def test_it_seeds_plans_and_visits_once(world) -> None:
    for i in range(10):
        resident(BOB_UNIT if i % 2 else ALICE_UNIT, "special_hardship_elderly")
    call_command("seed_care")
    rows, visits = DueVisit.objects.count(), Visit.objects.count()
    assert rows == 20 and 0 < visits <= 20
    marked = DueVisit.objects.filter(visit__isnull=False).select_related("visit")
    assert marked.count() == visits  # every demo visit closes the due row it was made for, on its own day
    assert all(row.visited_on == timezone.localdate(row.visit.visited_at) for row in marked)
    assert not Visit.objects.filter(visited_at__gt=timezone.now()).exists()
    call_command("seed_care")
    assert (DueVisit.objects.count(), Visit.objects.count()) == (rows, visits)

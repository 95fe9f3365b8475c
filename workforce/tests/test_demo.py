"""seed_workforce: deterministic, idempotent, a secretary and a director everywhere, ~90% trained."""

import pytest
from django.core.management import call_command

from shequ.testing.world import ALICE_UNIT, BOB_UNIT
from workforce.models import DIRECTOR_POSITIONS, SECRETARY_POSITIONS, CommunityWorker, Training, TrainingAttendance
from workforce.tests.factories import residents


@pytest.mark.django_db
def test_it_seeds_workers_only_where_people_live_and_is_idempotent(tree: None) -> None:
    call_command("seed_workforce")  # empty register: trainings only
    assert not CommunityWorker.objects.exists() and Training.objects.exists()
    residents(ALICE_UNIT, 5)
    residents(BOB_UNIT, 5)
    call_command("seed_workforce")
    first = list(CommunityWorker.objects.order_by("unit_id", "name", "position").values_list("unit_id", "name", "position"))
    counts = (CommunityWorker.objects.count(), Training.objects.count(), TrainingAttendance.objects.count())
    call_command("seed_workforce")
    assert (CommunityWorker.objects.count(), Training.objects.count(), TrainingAttendance.objects.count()) == counts
    assert {code for code, _, _ in first} == {ALICE_UNIT, BOB_UNIT}
    for code in (ALICE_UNIT, BOB_UNIT):
        staff = CommunityWorker.objects.filter(unit_id=code)
        assert 3 <= staff.count() <= 9
        assert staff.filter(position__in=SECRETARY_POSITIONS).count() == 1
        assert staff.filter(position__in=DIRECTOR_POSITIONS).count() == 1
        assert all(w.phone_enc and "*" in w.phone_masked for w in staff)
    CommunityWorker.objects.all().delete()
    call_command("seed_workforce")
    again = list(CommunityWorker.objects.order_by("unit_id", "name", "position").values_list("unit_id", "name", "position"))
    assert again == first


@pytest.mark.django_db
def test_it_is_discovered_by_planning(tree: None) -> None:
    from planning.providers import discover

    found = discover()
    assert found["workers_per_10k_urban_residents"][0] == "workforce"
    assert found["secretary_director_training_rate"][0] == "workforce"


@pytest.mark.django_db
def test_it_seeds_filings_with_gaps_reserve_exams_and_an_election_under_review(tree: None) -> None:
    from workforce.models import Candidate, ReviewDepartment, ReviewRequest, SecretaryFiling

    residents(ALICE_UNIT, 5)
    residents(BOB_UNIT, 5)
    call_command("seed_workforce")
    assert ReviewDepartment.objects.filter(department__code="civil_affairs").exists()
    assert SecretaryFiling.objects.count() <= CommunityWorker.objects.filter(position__in=SECRETARY_POSITIONS).count()
    assert Candidate.objects.exists() and ReviewRequest.objects.filter(answer="pending").exists()
    assert TrainingAttendance.objects.filter(training__kind="online", hours__isnull=False).exists()
    counts = (SecretaryFiling.objects.count(), Candidate.objects.count(), ReviewRequest.objects.count())
    call_command("seed_workforce")
    assert (SecretaryFiling.objects.count(), Candidate.objects.count(), ReviewRequest.objects.count()) == counts

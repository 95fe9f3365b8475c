"""One visit per due row and submission (F21): a double-clicked or resent visit form stores one visit."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from care.models import DueVisit, Visit, VisitRule
from care.services import generate_visit_plans, record_visit
from care.tests.factories import resident
from shequ.testing.world import BOB_UNIT

HARDSHIP = "special_hardship_elderly"


def _form(key: str) -> dict[str, str]:
    at = timezone.localtime(timezone.now() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    return {"visited_at": at, "method": "home", "health": "good", "home_safety": "good", "living": "fair", "mood": "good",
            "submission_key": key}


def _post_together(users: list, path: str, bodies: list[dict[str, str]]) -> list[int]:
    """POST each body at the same moment, each from its own signed-in browser; the response codes in order."""
    barrier = threading.Barrier(len(bodies))
    codes: list[int] = [0] * len(bodies)

    def one(i: int) -> None:
        try:
            browser = Client()
            browser.force_login(users[i])
            barrier.wait()
            codes[i] = browser.post(path, bodies[i]).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


@pytest.fixture
def granny(world):
    # The migration's rule is gone after an earlier transactional test flushed the database.
    VisitRule.objects.get_or_create(tag=HARDSHIP, defaults={"frequency": "month"})
    person = resident(BOB_UNIT, HARDSHIP)
    generate_visit_plans(month=timezone.localdate().replace(day=1))
    return person


def test_it_gives_each_visit_form_its_own_submission_key(world, granny, login) -> None:
    browser = login(world.bob)
    first = browser.get(f"/care/residents/{granny.pk}/visit/").context["form"].initial["submission_key"]
    second = browser.get(f"/care/residents/{granny.pk}/visit/").context["form"].initial["submission_key"]
    assert first and second and first != second


def test_it_stores_one_visit_when_the_same_form_is_sent_twice(world, granny, login) -> None:
    browser = login(world.bob)
    for _ in range(2):
        response = browser.post(f"/care/residents/{granny.pk}/visit/", _form("k-once-1"))
        assert response.status_code == 302 and response["Location"] == f"/care/residents/{granny.pk}/"
    assert Visit.objects.filter(resident=granny).count() == 1
    due = DueVisit.objects.get(resident=granny)
    assert due.visit_id == Visit.objects.get(resident=granny).pk
    # A new form (a new key) later in the period is a second visit, as before.
    assert browser.post(f"/care/residents/{granny.pk}/visit/", _form("k-once-2")).status_code == 302
    assert Visit.objects.filter(resident=granny).count() == 2


def test_it_refuses_a_malformed_submission_key_and_stores_nothing(world, granny, login) -> None:
    response = login(world.bob).post(f"/care/residents/{granny.pk}/visit/", _form("<script>"))
    assert response.status_code == 400
    assert "提交标识无效" in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the in-memory SQLite test database refuses a second writer (table locked) instead of waiting; "
                           "SQLite serialises writers anyway, the case the sequential test above covers")
@pytest.mark.django_db(transaction=True)
def test_it_stores_one_visit_for_a_double_click_sent_at_the_same_moment(world, granny) -> None:
    codes = _post_together([world.bob] * 4, f"/care/residents/{granny.pk}/visit/", [_form("k-double")] * 4)
    assert codes == [302] * 4
    assert Visit.objects.filter(resident=granny).count() == 1
    assert DueVisit.objects.get(resident=granny).visit_id == Visit.objects.get(resident=granny).pk


def test_it_refuses_a_second_form_that_raced_to_complete_the_same_due_row(world, granny, login) -> None:
    """The loser of a race read the due row as open before the winner committed: the database keeps one visit per due row."""
    browser = login(world.bob)
    assert browser.post(f"/care/residents/{granny.pk}/visit/", _form("k-race-1")).status_code == 302
    due = DueVisit.objects.get(resident=granny)
    winner = Visit.objects.get(resident=granny)
    DueVisit.objects.filter(pk=due.pk).update(visited_on=None, visit=None)  # what the loser saw
    response = browser.post(f"/care/residents/{granny.pk}/visit/", _form("k-race-2"))
    assert response.status_code == 400 and "刚刚已有人记录" in response.content.decode()
    assert list(Visit.objects.filter(resident=granny)) == [winner]
    assert Visit.objects.get(completes=due) == winner


def test_it_returns_the_stored_visit_for_a_resent_api_submission(world, granny) -> None:
    kwargs = {"actor": world.bob, "resident": granny, "visited_at": timezone.now() - timedelta(hours=1), "method": "phone",
              "health": "good", "home_safety": "good", "living": "good", "mood": "good", "submission_key": "api-1"}
    first = record_visit(**kwargs)
    assert record_visit(**kwargs).pk == first.pk
    assert Visit.objects.filter(resident=granny).count() == 1


def test_it_stores_one_visit_when_the_api_gets_the_same_submission_twice(world, granny, login) -> None:
    browser = login(world.bob)
    body = {"visited_at": (timezone.now() - timedelta(hours=1)).isoformat(), "method": "phone", "health": "good",
            "home_safety": "good", "living": "good", "mood": "good", "submission_key": "app-7f3a"}
    first = browser.post(f"/api/care/residents/{granny.pk}/visits", body, content_type="application/json")
    again = browser.post(f"/api/care/residents/{granny.pk}/visits", body, content_type="application/json")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Visit.objects.filter(resident=granny).count() == 1
    too_long = browser.post(f"/api/care/residents/{granny.pk}/visits", {**body, "submission_key": "k" * 41},
                            content_type="application/json")
    assert too_long.status_code in (400, 422) and Visit.objects.filter(resident=granny).count() == 1

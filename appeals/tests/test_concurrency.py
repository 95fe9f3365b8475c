import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accounts.models import User
from accounts.roles import Role
from appeals import services
from appeals.models import Appeal, Event
from appeals.tests.helpers import file
from shequ.testing.world import BOB_UNIT


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_accepts_win(tree) -> None:
    staff = [User.objects.create(username=f"worker{n}", role=Role.COMMUNITY_WORKER, unit_id=BOB_UNIT) for n in range(8)]
    for _ in range(5):
        appeal = file(None)
        barrier = threading.Barrier(len(staff))
        outcomes: list[str] = []

        def attempt(user: User, pk: int = appeal.pk, gate: threading.Barrier = barrier, out: list[str] = outcomes) -> None:
            try:
                mine = Appeal.objects.get(pk=pk)
                gate.wait()
                services.accept(appeal=mine, actor=user)
                out.append("ok")
            except ValidationError as exc:
                out.append(exc.messages[0])
            finally:
                connections.close_all()

        threads = [threading.Thread(target=attempt, args=(user,)) for user in staff]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("ok") == 1, outcomes
        assert all("已被他人签收" in o for o in outcomes if o != "ok")
        assert Event.objects.filter(appeal_id=appeal.pk, action="accept").count() == 1
        assert Appeal.objects.get(pk=appeal.pk).state == "accepted"


@pytest.mark.django_db(transaction=True)
def test_it_gives_unique_tracking_numbers_under_concurrent_filing(tree) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers anyway")
    numbers: list[str] = []
    barrier = threading.Barrier(8)

    def one(n: int) -> None:
        try:
            barrier.wait()
            numbers.append(file(None, phone=f"1390000{n:04d}").tracking_no)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == len(set(numbers)) == 8

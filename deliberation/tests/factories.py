"""Make registers, topics and meetings for the deliberation tests (bulk rows: the register may be empty)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from deliberation import services
from deliberation.models import Attendance, Meeting, MeetingKind, Representative, Topic
from people.models import Household, Resident
from shequ.testing.world import BOB_UNIT

ADULT = dt.date(1970, 5, 1)
CHILD = dt.date(2015, 5, 1)


def register(unit: str = BOB_UNIT, *, households: int, per_household: int = 1, children: int = 0) -> list[Resident]:
    """households × per_household adults (one household each group) and some children; returns the adults."""
    made = Household.objects.bulk_create([Household(unit_id=unit, number=f"T{unit[-4:]}-{i}") for i in range(households)])
    people = [Resident(unit_id=unit, household=h, name=f"居民{i}-{j}", gender="M", birth_date=ADULT)
              for i, h in enumerate(made) for j in range(per_household)]
    people += [Resident(unit_id=unit, household=made[0], name=f"孩子{k}", gender="F", birth_date=CHILD)
               for k in range(children)]
    Resident.objects.bulk_create(people)
    return list(Resident.objects.filter(unit_id=unit, birth_date=ADULT).order_by("pk"))


def resident_user(person: Resident, username: str = "") -> User:
    user = User.objects.create(username=username or f"r{person.pk}", role=Role.RESIDENT, unit_id=person.unit_id)
    Resident.objects.filter(pk=person.pk).update(account=user)
    return user


def topic(world: Any, *, actor: Any = None, unit: str = BOB_UNIT, title: str = "桥东小区加装电梯", major: bool = False,
          procedure: str = MeetingKind.RESIDENTS) -> Topic:
    actor = actor or world.bob
    t = services.propose_topic(actor=actor, data={"unit_code": unit, "title": title, "body": "老楼加装电梯的费用分摊",
                                                      "origin": "staff"})
    return services.accept_topic(actor=actor, topic=t, procedure=procedure, major_matter=major)


def meeting(world: Any, t: Topic, *, actor: Any = None, kind: str = MeetingKind.RESIDENTS, basis: str = "adults") -> Meeting:
    start = timezone.now() + dt.timedelta(days=6)
    return services.schedule_meeting(actor=actor or world.bob, topic=t, data={
        "kind": kind, "basis": basis, "starts_at": start, "place": "桥东社区议事厅", "agenda": "加装电梯方案"})


def attend(m: Meeting, people: list[Resident]) -> None:
    Attendance.objects.bulk_create([Attendance(meeting=m, resident=p, household_id=p.household_id) for p in people])


def representatives(people: list[Resident]) -> None:
    Representative.objects.bulk_create([Representative(unit_id=p.unit_id, resident=p, since=dt.date(2024, 1, 1))
                                        for p in people])

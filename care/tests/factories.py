"""Rows the care tests need, created directly (the register's own services are not required)."""

from datetime import date
from itertools import count

from accounts.models import User
from accounts.roles import Role
from people.models import Resident, ResidentTag
from places.models import OrgUnit

_seq = count(1)


def resident(unit: str, *tags: str, name: str = "", status: str = "present", status_date: date | None = None,
             born: date = date(1940, 5, 1)) -> Resident:
    n = next(_seq)
    person = Resident.objects.create(unit_id=unit, name=name or f"居民{n}", gender="F", birth_date=born, status=status,
                                     status_date=status_date)
    for tag in tags:
        ResidentTag.objects.create(resident=person, tag=tag)
    return person


def worker(unit: str, username: str) -> User:
    return User.objects.create(username=username, role=Role.COMMUNITY_WORKER, unit=OrgUnit.objects.get(code=unit),
                               display_name=username)

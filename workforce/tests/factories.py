"""Small builders for workforce tests (residents created directly as register rows)."""

import datetime as dt
from typing import Any

from people.models import Resident
from workforce.models import CommunityWorker, Training, TrainingAttendance


def residents(unit_code: str, count: int, status: str = Resident.Status.PRESENT) -> None:
    Resident.objects.bulk_create([
        Resident(unit_id=unit_code, name=f"居民{i}", gender="M" if i % 2 else "F", birth_date=dt.date(1980, 1, 1),
                 status=status)
        for i in range(count)
    ])


def worker(unit_code: str, position: str, *, name: str = "王建国", started: dt.date = dt.date(2020, 1, 1),
           ended: dt.date | None = None, **extra: Any) -> CommunityWorker:
    return CommunityWorker.objects.create(unit_id=unit_code, name=name, gender="M", position=position,
                                          started_on=started, ended_on=ended, **extra)


def training(unit_code: str, *, kind: str = "rotation", starts: dt.date = dt.date(2026, 3, 1),
             ends: dt.date = dt.date(2026, 3, 5), title: str = "社区书记主任轮训班") -> Training:
    return Training.objects.create(unit_id=unit_code, title=title, level="municipal", kind=kind, starts_on=starts,
                                   ends_on=ends, organiser="市委组织部")


def attend(w: CommunityWorker, t: Training, completed: bool = True) -> TrainingAttendance:
    return TrainingAttendance.objects.create(worker=w, training=t, completed=completed)

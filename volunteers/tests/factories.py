"""Small helpers to put volunteers and activities into the database in tests."""

import datetime as dt
from typing import Any

from django.utils import timezone

from people.tests.factories import id_number
from shequ.testing.world import BOB_UNIT
from volunteers import services
from volunteers.models import Activity, ServiceRecord, Volunteer


def volunteer(actor: Any, unit: str = BOB_UNIT, **data: Any) -> Volunteer:
    values = {"name": "李志愿", "id_type": "id_card", "id_number": id_number(dt.date(1990, 1, 2)), "phone": "13900001111",
              "unit_code": unit, "consent": True, "categories": ["community"]}
    values.update(data)
    return services.register_volunteer(actor=actor, data=values)


def activity(actor: Any, unit: str = BOB_UNIT, *, starts_at: dt.datetime | None = None, hours: float = 2,
             capacity: int = 10, **data: Any) -> Activity:
    start = starts_at or (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    values = {"unit_code": unit, "title": "桥东助老活动", "category": "elderly_disabled", "target_group": "empty_nest",
              "place": "桥东社区服务中心", "starts_at": start, "ends_at": start + dt.timedelta(hours=hours),
              "capacity": capacity}
    values.update(data)
    return services.create_activity(actor=actor, data=values)


def past_activity(unit: str = BOB_UNIT, *, days_ago: int = 3, hours: float = 2, title: str = "往期活动") -> Activity:
    """An activity that already took place (services refuse to publish one in the past only through sign-up)."""
    start = (timezone.now() - dt.timedelta(days=days_ago)).replace(microsecond=0)
    return Activity.objects.create(unit_id=unit, title=title, category="community", target_group="all", place="广场",
                                   starts_at=start, ends_at=start + dt.timedelta(hours=hours), capacity=5)


def imported_hours(person: Volunteer, hours: float, *, days_ago: int = 30) -> ServiceRecord:
    start = timezone.now() - dt.timedelta(days=days_ago)
    return ServiceRecord.objects.create(volunteer=person, activity_name="历史服务", unit_id=person.unit_id,
                                        started_at=start, ended_at=start + dt.timedelta(hours=hours),
                                        confirmed=True, imported=True)

"""Small builders for the activities tests."""

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from activities import services
from activities.models import CommunityActivity, Participation
from shequ.testing.world import BOB_UNIT, World


def resident_user(username: str = "ruth", unit: str = BOB_UNIT, birth: dt.date | None = dt.date(1950, 3, 4)) -> User:
    """A resident account of `unit`, linked to a register record born on `birth` (None: no record)."""
    user = User.objects.create(username=username, role=Role.RESIDENT, unit_id=unit, display_name=username.title())
    if birth is not None:
        from people.models import Resident
        from people.tests.factories import resident

        record = resident(unit, birth=birth, name="李秀英")
        Resident.objects.filter(pk=record.pk).update(account=user)
    return User.objects.get(pk=user.pk)


def activity(world: World, *, title: str = "桥东科普讲座", days: float = 2, hours: float = 2, capacity: int = 30,
             unit: str = BOB_UNIT, actor: Any = None, **extra: Any) -> CommunityActivity:
    start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    data = {"unit_code": unit, "kind": "science", "title": title, "audience": "all", "organiser": "桥东社区居委会",
            "place": "桥东社区服务中心", "starts_at": start, "ends_at": start + dt.timedelta(hours=hours),
            "capacity": capacity}
    data.update(extra)
    return services.publish_activity(actor=actor or world.bob, data=data)


def held(world: World, *, title: str = "桥东往期普法讲座", kind: str = "law", unit: str = BOB_UNIT) -> CommunityActivity:
    """An activity that has already started (written directly: publishing refuses a past start)."""
    start = timezone.now() - dt.timedelta(hours=1)
    return CommunityActivity.objects.create(unit_id=unit, kind=kind, title=title, audience="elderly", organiser="桥东社区",
                                            place="活动室", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                            capacity=20, action_number=27 if kind == "law" else None)


def joined(activity: CommunityActivity, user: User, *, attended: bool = False, age: int | None = 70) -> Participation:
    return Participation.objects.create(activity=activity, unit_id=activity.unit_id, account=user, age=age,
                                        attended=attended)

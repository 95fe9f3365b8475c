"""Demo requests (seed_appeals): deterministic, idempotent, and independent of the register (works when it is empty)."""

import random
from datetime import datetime, timedelta
from unittest import mock

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from appeals import services
from appeals.models import Appeal
from appeals.services import common

# A few communities of 桃城区: the demo worker's own (游园社区) first.
UNITS = ["131102001045", "131102002018", "131102001046", "131102003012", "131102004001", "131102100201"]
TEXTS = {
    "property": ["小区电梯又坏了，老人上下楼太难", "物业不管楼道灯，晚上黑乎乎的", "地下车库漏水好几天没人修"],
    "sanitation": ["垃圾桶满了三天没人清运，味道很大", "楼下小广告贴得到处都是", "公厕没人打扫，太脏了"],
    "municipal": ["路口的路灯坏了，晚上看不清", "人行道砖松动，老人差点绊倒", "下水道堵了，一下雨就积水"],
    "noise": ["楼上每天晚上十一点还在装修", "广场舞音响太响，孩子没法写作业", "门口商铺喇叭一直循环播放"],
    "fire_safety": ["楼道里有人给电动车充电，很危险", "消防通道被私家车堵死了"],
    "elderly_care": ["想给独居的母亲申请老年助餐", "社区能不能提供上门助浴服务"],
    "utilities": ["我们楼停水一天了也没通知", "暖气不热，屋里只有十五度"],
    "dispute": ["邻居把杂物堆在公共楼道，协商不成", "和房东因为押金闹矛盾，想找人调解"],
    "employment": ["失业了想登记，去哪里办", "工地拖欠工资三个月了"],
    "other": ["建议小区门口增加一个快递柜"],
}
# What happened to each request: how far it got.
PATHS = ["submitted", "accepted", "in_progress", "replied", "closed_good", "closed_good", "closed_good", "closed_bad", "transferred"]
POINTS = {"131102001045": (37.7381, 115.6712), "131102002018": (37.7402, 115.7013)}


def _handler(unit_code: str) -> User:
    """A demo handler per community (cannot sign in) so the timeline has a real actor."""
    user, created = User.objects.get_or_create(
        username=f"demo-handler-{unit_code}",
        defaults={"role": Role.COMMUNITY_WORKER, "unit_id": unit_code, "display_name": "社区值班员"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _township_handler(unit_code: str) -> User:
    code = unit_code[:9] + "000"
    user, created = User.objects.get_or_create(
        username=f"demo-handler-{code}", defaults={"role": Role.TOWNSHIP_STAFF, "unit_id": code, "display_name": "街道值班员"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def seed(count: int = 60) -> int:
    """Create the demo requests that do not exist yet; returns how many were created."""
    from places.models import OrgUnit

    units = [u for u in UNITS if OrgUnit.objects.filter(code=u).exists()]
    if not units:
        return 0
    rng = random.Random(20261128)  # noqa: S311
    created = 0
    now = timezone.now()
    categories = sorted(TEXTS)
    for n in range(count):
        unit = units[n % len(units)]
        category = categories[rng.randrange(len(categories))]
        text = rng.choice(TEXTS[category])
        path = PATHS[rng.randrange(len(PATHS))]
        days_ago = rng.randrange(1, 75)
        lat, lng = POINTS.get(unit, (37.73 + rng.random() * 0.02, 115.66 + rng.random() * 0.05))
        lat, lng = lat + rng.uniform(-0.002, 0.002), lng + rng.uniform(-0.002, 0.002)
        marker = f"demo{n:04d}".ljust(32, "0")
        if Appeal.objects.filter(token=marker).exists():
            continue
        _one(n, unit, category, text, path, now - timedelta(days=days_ago, hours=rng.randrange(0, 8)), lat, lng, marker)
        created += 1
    return created


@transaction.atomic
def _one(n: int, unit: str, category: str, text: str, path: str, at: datetime, lat: float, lng: float, marker: str) -> None:
    clock = [at]

    def tick(hours: float) -> None:
        clock[0] = clock[0] + timedelta(hours=hours)

    with mock.patch.object(common, "now", lambda: clock[0]):
        appeal = services.file_appeal(actor=None, category_code=category, description=text, unit_code=unit,
                                      phone=f"1380000{n:04d}", contact_name="", location_kind="point", lat=lat, lng=lng,
                                      rate_limit=False)
        Appeal.objects.filter(pk=appeal.pk).update(token=marker)
        staff = _handler(unit)
        if path == "submitted":
            return
        if path == "transferred":
            tick(1)
            services.transfer(appeal=appeal, actor=staff, note="需街道协调相关单位")
            tick(2)
            services.accept(appeal=appeal, actor=_township_handler(unit))
            return
        tick(0.5 + (n % 5))
        services.accept(appeal=appeal, actor=staff, note="已签收")
        if path == "accepted":
            return
        tick(2)
        services.record_contact(appeal=appeal, actor=staff, note="已电话联系居民，约定上门时间")
        services.start(appeal=appeal, actor=staff)
        if path == "in_progress":
            return
        tick(24 + (n % 3) * 20)
        services.reply(appeal=appeal, actor=staff, text="已现场处理，问题已解决。如有反复请再联系我们。")
        if path == "replied":
            return
        tick(6)
        services.record_phone_rating(appeal=appeal, actor=_township_handler(unit),
                                     level=[5, 4, 4, 3][n % 4] if path == "closed_good" else 2, comment="电话回访")

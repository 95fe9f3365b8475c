"""The matching engine of the three lists: for an open need, resources ranked with the reason for each score.

score = 0.45 × category fit + 0.15 × nearness + 0.25 × time fit + 0.15 × remaining capacity, each in [0, 1]:
category fit 1 for the same category, 0.3 for a general one (其他/便民生活), else 0; nearness 1 / (1 + km) from the
need's and the resource's coordinates (same community 0.8, same township 0.5, else 0.2 when either has none);
time fit 1 when the resource is open on the day the need wants (or either says any day), else 0; remaining capacity
the share of the resource's capacity not yet taken. A resource with no capacity left is not proposed.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from deliberation.models import Category, Need, Resource
from places.codes import within

WEIGHTS = {"category": 0.45, "distance": 0.15, "time": 0.25, "capacity": 0.15}
GENERAL = {Category.OTHER, Category.DAILY}


@dataclass
class Proposal:
    resource: Any
    score: float
    reasons: list[str] = field(default_factory=list)


def km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def score(need: Any, resource: Any, taken: int) -> Proposal | None:
    remaining = resource.capacity - taken
    if remaining <= 0:
        return None
    reasons: list[str] = []
    if resource.category == need.category:
        cat = 1.0
        reasons.append("类别一致")
    elif resource.category in GENERAL:
        cat = 0.3
        reasons.append("通用类资源")
    else:
        cat = 0.0
        reasons.append("类别不同")
    if None not in (need.lat, need.lng, resource.lat, resource.lng):
        d = km(need.lat, need.lng, resource.lat, resource.lng)
        near = 1 / (1 + d)
        reasons.append(f"距离约 {d:.1f} 公里")
    elif resource.unit_id == need.unit_id:
        near = 0.8
        reasons.append("同一村（社区）")
    elif resource.unit_id[:9] == need.unit_id[:9]:
        near = 0.5
        reasons.append("同一乡镇（街道）")
    else:
        near = 0.2
        reasons.append("不在同一乡镇（街道）")
    days = [d for d in resource.days.split(",") if d]
    if not need.wanted_day or not days or need.wanted_day in days:
        when = 1.0
        reasons.append("时间可满足")
    else:
        when = 0.0
        reasons.append("开放时间不符")
    cap = remaining / resource.capacity
    reasons.append(f"剩余承接能力 {remaining}/{resource.capacity}")
    total = (WEIGHTS["category"] * cat + WEIGHTS["distance"] * near + WEIGHTS["time"] * when
             + WEIGHTS["capacity"] * cap)
    return Proposal(resource=resource, score=round(total, 4), reasons=reasons)


def taken_counts(resources: Any) -> dict[int, int]:
    return dict(Resource.objects.filter(pk__in=[r.pk for r in resources])
                .annotate(n=Count("needs", filter=Q(needs__status=Need.Status.MATCHED))).values_list("pk", "n"))


def propose(need: Any, resources: list[Any], taken: dict[int, int] | None = None, top: int = 5) -> list[Proposal]:
    taken = taken_counts(resources) if taken is None else taken
    found = [p for r in resources if (p := score(need, r, taken.get(r.pk, 0))) is not None]
    found.sort(key=lambda p: (-p.score, p.resource.pk))
    return found[:top]


def candidates(need: Any) -> list[Any]:
    """Resources of the need's county."""
    return list(Resource.objects.filter(within("unit_id", need.unit_id[:6])))


def match_all(needs: list[Any], resources: list[Any], top: int = 3) -> dict[int, list[Proposal]]:
    """Proposals for many needs in one run (the county bench): resources grouped by category first."""
    taken = {r.pk: 0 for r in resources}
    by_category: dict[str, list[Any]] = {}
    for r in resources:
        by_category.setdefault(r.category, []).append(r)
    general = [r for c in GENERAL for r in by_category.get(c, [])]
    out: dict[int, list[Proposal]] = {}
    for need in needs:
        pool = by_category.get(need.category, []) + [r for r in general if r.category != need.category]
        out[need.pk] = propose(need, pool, taken, top)
    return out

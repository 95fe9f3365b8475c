"""Demo rows for plan monitoring. Deterministic and idempotent; works on an empty population."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts import audit
from places.models import OrgUnit
from planning import periods, services
from planning.models import Assignment, Indicator, ManualValue, PlanTask, ProgressReport

NARRATIVES = [
    "已召开专题推进会，制定年度工作方案，明确责任分工和时间节点。",
    "组织开展实地督导，覆盖辖区乡镇（街道），问题清单已反馈责任单位整改。",
    "按计划推进，已完成阶段性目标，相关制度文件已印发。",
    "受资金到位时间影响，部分项目进度滞后，已协调加快实施。",
]
MILESTONES = ["印发实施方案", "完成摸底调查", "召开推进会", "开展督导检查", "形成阶段总结"]
# Manual figures that no module holds (source, date): city-wide statistics from departments.
MANUAL = [
    ("villages_with_5g_share", CITY := "131100000000", "2025", 3200, 4300, "市发展改革委通信行业统计"),
    ("villages_without_broadband", CITY, "2025", 0, 4300, "市发展改革委通信行业统计"),
    ("general_practitioners_per_10k_residents", CITY, "2025", 980, 421.0, "市卫生健康委卫生统计年报"),
    ("elderly_friendly_communities_per_year", CITY, "2025", 2, 1, "国家卫生健康委公布名单"),
    ("party_member_reporting_coverage", CITY, "2025", 41000, 45200, "市委组织部报到登记"),
]


@transaction.atomic
def seed() -> dict[str, int]:
    if not PlanTask.objects.exists():
        services.load_plan()
    today = periods.today()
    created_reports = created_values = 0
    for year in (2025, 2026):
        services.create_annual_assignments(year=year)
    existing = set(ProgressReport.objects.values_list("assignment_id", "period"))
    new = []
    assignments = Assignment.objects.filter(year__in=(2025, 2026), task__number__lte=40).select_related("task")
    for assignment in assignments:
        for period in services.report_periods(assignment):
            if period.end >= today or (assignment.pk, period.label) in existing:
                continue
            key = f"{assignment.task.number}-{assignment.department_id or assignment.unit_id}-{period.label}"
            rng = random.Random(key)  # the same decision on every run: idempotent
            if rng.random() < 0.15:  # not reported: shows as overdue in the ledger
                continue
            state = rng.choices(["accepted", "submitted", "returned"], weights=[70, 20, 10])[0]
            percent = min(100, 20 * period.index + rng.randint(-10, 10) + (0 if assignment.year == 2025 else 20))
            stamp = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=rng.randint(1, 9)), dt.time(10)))
            new.append(ProgressReport(
                assignment=assignment, period=period.label, unit_id=assignment.unit_id, narrative=rng.choice(NARRATIVES),
                percent=max(percent, 0), milestones="\n".join(rng.sample(MILESTONES, 2)), state=state, submitted_at=stamp,
                reviewed_at=stamp + dt.timedelta(days=3) if state != "submitted" else None,
                review_comment="请补充佐证材料并细化下一步措施。" if state == "returned" else "",
            ))
    ProgressReport.objects.bulk_create(new, batch_size=2000)
    created_reports = len(new)
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, unit_code, label, num, den, source in MANUAL:
        unit = OrgUnit.objects.get(code=unit_code)
        if code not in indicators or ManualValue.objects.filter(indicator__code=code, unit=unit, period=label).exists():
            continue
        ManualValue.objects.create(indicator=indicators[code], unit=unit, period=label,
                                   numerator=num, denominator=den, source=source, source_date=dt.date(2025, 12, 31))
        created_values += 1
    audit.record(actor=None, action="planning.seed", username="seed_planning",
                 detail={"reports": created_reports, "manual_values": created_values})
    return {"reports": created_reports, "manual_values": created_values}

"""Every write of the planning module: loading the plan, the ledger workflow, manual values."""

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import User
from accounts.roles import Role
from accounts.scoping import can_see_unit
from places.models import Department, OrgUnit
from planning import conf, engine, periods
from planning.models import (
    Assignment,
    Evidence,
    Indicator,
    MainIndicator,
    ManualValue,
    PlanTask,
    ProgressReport,
    ReportPeriod,
    SpecialAction,
    is_monitoring_lead,
)

DATA = Path(__file__).resolve().parent / "data"
# Named in every task's 责任单位; represented by one assignment per county-level unit instead.
COUNTY_BODIES = {"county_governments", "development_zones_admin"}
EVIDENCE_DIR = "planning/evidence"
MB = 1024 * 1024
EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".zip")


def _departments(names: list[str]) -> list[Department]:
    from places.importers import department_by_name

    found = []
    for name in names:
        dept = department_by_name(name)
        if dept is None:
            raise ValidationError(f"未知单位：{name}")
        found.append(dept)
    return found


@transaction.atomic
def load_plan(*, actor: User | None = None, plan_path: Path | None = None, indicators_path: Path | None = None) -> dict[str, int]:
    """Import plan.json and indicators.json; running it again changes nothing but what the files changed."""
    if not Department.objects.exists():
        raise ValidationError("尚未导入部门名录，请先运行 manage.py import_departments，再运行 load_plan。")
    plan = json.loads((plan_path or DATA / "plan.json").read_text(encoding="utf-8"))
    catalogue = json.loads((indicators_path or DATA / "indicators.json").read_text(encoding="utf-8"))
    for row in plan["tasks"]:
        task, _ = PlanTask.objects.update_or_create(number=row["number"], defaults={
            "theme": row["theme"], "heading": row["task"], "content": row["content"], "target_text": row["target"],
            "lead_names": row["lead_units"], "responsible_names": row["responsible_units"],
            "responsible_open_ended": row.get("responsible_open_ended", False),
        })
        task.lead_departments.set(_departments(row["lead_units"]))
        task.responsible_departments.set(_departments(row["responsible_units"]))
    for row in plan["special_actions"]:
        action, _ = SpecialAction.objects.update_or_create(number=row["number"], defaults={
            "action": row["action"], "requirement": row["requirement"], "content": row["content"],
            "target_text": row["target"], "lead_names": row["lead_units"],
        })
        action.lead_departments.set(_departments(row["lead_units"]))
    for order, row in enumerate(plan["main_indicators"], start=1):
        MainIndicator.objects.update_or_create(code=row["code"], defaults={
            "order": order, "name": row["name"], "baseline_text": row["baseline_2020"] or "",
            "target_text": row["target_2025"], "property": row["property"],
        })
    for order, row in enumerate(catalogue, start=1):
        Indicator.objects.update_or_create(code=row["code"], defaults={
            "order": order, "name": row["name"], "name_en": row.get("name_en", ""), "section": row["section"],
            "also_in": row.get("also_in", []), "unit": row["unit"], "period_type": row["period_type"],
            "baseline_2020": row.get("baseline_2020"), "target": row["target"], "target_max": row.get("target_max"),
            "target_year": row.get("target_year", 2025), "target_text": row["target_text"], "direction": row["direction"],
            "source_module": row["source_module"], "numerator": row.get("numerator") or "",
            "denominator": row.get("denominator") or "", "level": row["level"], "note": row.get("note", ""),
        })
    counts = {"tasks": PlanTask.objects.count(), "special_actions": SpecialAction.objects.count(),
              "main_indicators": MainIndicator.objects.count(), "indicators": Indicator.objects.count()}
    audit.record(actor=actor, action="planning.load_plan", detail=counts, username="system")
    return counts


# ---------------------------------------------------------------- ledger


@transaction.atomic
def create_annual_assignments(*, year: int, actor: User | None = None) -> int:
    """年度任务清单: every task to its lead and responsible departments and to each county-level unit."""
    if not 2021 <= year <= 2035:
        raise ValidationError(f"年度超出范围：{year}")
    counties = list(OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY))
    rows = []
    for task in PlanTask.objects.prefetch_related("lead_departments", "responsible_departments"):
        leads = list(task.lead_departments.all())
        lead_ids = {d.pk for d in leads}
        rows += [Assignment(task=task, year=year, role=Assignment.Role.LEAD, department=d) for d in leads]
        rows += [Assignment(task=task, year=year, role=Assignment.Role.RESPONSIBLE, department=d)
                 for d in task.responsible_departments.all() if d.pk not in lead_ids and d.code not in COUNTY_BODIES]
        rows += [Assignment(task=task, year=year, role=Assignment.Role.COUNTY, unit=u) for u in counties]
    before = Assignment.objects.filter(year=year).count()
    Assignment.objects.bulk_create(rows, ignore_conflicts=True)
    created = Assignment.objects.filter(year=year).count() - before
    audit.record(actor=actor, action="planning.assign_year", detail={"year": year, "created": created}, username="system")
    return created


@transaction.atomic
def set_report_period(*, task: PlanTask, report_period: str, actor: User) -> PlanTask:
    if actor.role != Role.CITY_STAFF and not is_monitoring_lead(actor):
        raise ValidationError("只有市级工作人员或监测牵头部门可以设置报送周期。")
    if report_period not in ReportPeriod.values:
        raise ValidationError(f"报送周期无效：{report_period}")
    task.report_period = report_period
    task.save(update_fields=["report_period"])
    audit.record(actor=actor, action="planning.set_report_period", obj=task, detail={"report_period": report_period})
    return task


def can_report(user: Any, assignment: Assignment) -> bool:
    """The assignee reports: county staff of that county, or staff of that department."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if assignment.unit_id:
        return bool(user.role == Role.COUNTY_STAFF and user.unit_id == assignment.unit_id)
    return bool(user.role == Role.DEPARTMENT_STAFF and user.department_id == assignment.department_id)


def report_periods(assignment: Assignment) -> list[periods.Period]:
    return periods.periods_of_year(assignment.task.report_period, assignment.year)


def due_date(period: periods.Period) -> dt.date:
    from planning.conf import report_due_days

    return period.end + dt.timedelta(days=report_due_days())


@transaction.atomic
def save_report(*, assignment: Assignment, period: str, narrative: str, percent: int, milestones: str = "",
                submit: bool = True, actor: User, files: list[UploadedFile] | None = None,
                remove_evidence: Sequence[int] = ()) -> ProgressReport:
    """Write (or rewrite, while draft or returned) the progress report of one period, optionally submitting it.

    remove_evidence: ids of this report's evidence to drop (replaced files); their files go when the write commits.
    Limits per file, per report (count and total size) come from planning.conf.
    """
    if not can_report(actor, assignment):
        raise ValidationError("您不是该任务的承担单位，不能报送进展。")
    parsed = periods.parse(period)
    if parsed.label not in {p.label for p in report_periods(assignment)}:
        raise ValidationError(f"报送期 {period} 不属于该任务 {assignment.year} 年的报送周期。")
    if not narrative.strip():
        raise ValidationError("请填写工作进展。")
    if not 0 <= int(percent) <= 100:
        raise ValidationError("完成进度应在 0 到 100 之间。")
    files = list(files or [])
    per_file = conf.evidence_max_file_mb()
    for upload in files:
        if upload.size and upload.size > per_file * MB:
            raise ValidationError(f"附件 {upload.name} 超过 {per_file}MB。")
        if not str(upload.name).lower().endswith(EVIDENCE_TYPES):
            raise ValidationError(f"附件 {upload.name} 的类型不受支持。")
    report = ProgressReport.objects.select_for_update().filter(assignment=assignment, period=parsed.label).first()
    if report is not None and report.state in (ProgressReport.State.SUBMITTED, ProgressReport.State.ACCEPTED):
        raise ValidationError("该期进展已报送，审核退回后方可修改。")
    kept = list(report.evidence.values_list("id", "size")) if report is not None else []
    removed = {int(pk) for pk in remove_evidence}
    if removed - {pk for pk, _ in kept}:
        raise ValidationError("所选附件不属于该期进展报告。")
    kept = [(pk, size) for pk, size in kept if pk not in removed]
    if len(kept) + len(files) > conf.evidence_max_files():
        raise ValidationError(f"每期进展报告最多 {conf.evidence_max_files()} 个附件（已有 {len(kept)} 个）。")
    if sum(size for _, size in kept) + sum(u.size or 0 for u in files) > conf.evidence_max_report_mb() * MB:
        raise ValidationError(f"每期进展报告的附件合计不能超过 {conf.evidence_max_report_mb()}MB。")
    if report is None:
        report = ProgressReport(assignment=assignment, period=parsed.label, unit_id=assignment.unit_id, author=actor)
    report.narrative, report.percent, report.milestones = narrative.strip(), int(percent), milestones.strip()
    report.author = actor
    if submit:
        report.state, report.submitted_at = ProgressReport.State.SUBMITTED, timezone.now()
    elif report.state != ProgressReport.State.RETURNED:
        report.state = ProgressReport.State.DRAFT
    if report.pk is None:
        report.save()
    else:
        report.save(update_fields=["narrative", "percent", "milestones", "author", "state", "submitted_at", "updated_at"])
    if removed:
        _drop_evidence(Evidence.objects.filter(report=report, pk__in=removed))
    for upload in files:
        Evidence.objects.create(report=report, file=upload, name=str(upload.name)[:200], size=upload.size or 0, uploaded_by=actor)
    audit.record(actor=actor, action="planning.submit_report" if submit else "planning.save_report", obj=report,
                 detail={"period": report.period, "percent": report.percent, "files": len(files), "removed": len(removed)})
    return report


def _drop_evidence(rows: Any) -> None:
    """Delete evidence rows now and their files once the deletion has committed (a rollback keeps both)."""
    names = [name for name in rows.values_list("file", flat=True) if name]
    rows.delete()
    storage = Evidence._meta.get_field("file").storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)


@transaction.atomic
def clean_orphaned_evidence(*, older_than: dt.timedelta | None = None, actor: User | None = None) -> dict[str, int]:
    """Delete evidence files no report refers to (a replaced file whose deletion did not happen, an upload whose
    report write rolled back), once they are older than the grace period (uploads still in flight are younger)."""
    storage = Evidence._meta.get_field("file").storage
    cutoff = timezone.now() - (older_than if older_than is not None else dt.timedelta(hours=conf.evidence_orphan_hours()))
    referenced = set(Evidence.objects.values_list("file", flat=True))
    deleted = kept = 0
    for name in _stored_files(storage, EVIDENCE_DIR):
        if name in referenced:
            continue
        if storage.get_modified_time(name) > cutoff:
            kept += 1
            continue
        storage.delete(name)
        deleted += 1
    if deleted:
        audit.record(actor=actor, action="planning.evidence_cleaned", detail={"deleted": deleted}, username="system")
    return {"deleted": deleted, "kept_recent": kept}


def _stored_files(storage: Any, folder: str) -> list[str]:
    if not storage.exists(folder):
        return []
    folders, files = storage.listdir(folder)
    out = [f"{folder}/{name}" for name in files]
    for sub in folders:
        out += _stored_files(storage, f"{folder}/{sub}")
    return out


@transaction.atomic
def review_report(*, report: ProgressReport, accept: bool, comment: str = "", actor: User) -> ProgressReport:
    """监测牵头部门 accept or return a submitted report (a return needs a comment)."""
    if not is_monitoring_lead(actor):
        raise ValidationError("只有市民政局、市发展改革委可以审核进展报告。")
    locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if locked.state != ProgressReport.State.SUBMITTED:
        raise ValidationError("只能审核已报送的进展报告。")
    if not accept and not comment.strip():
        raise ValidationError("退回时请填写审核意见。")
    locked.state = ProgressReport.State.ACCEPTED if accept else ProgressReport.State.RETURNED
    locked.reviewer, locked.reviewed_at, locked.review_comment = actor, timezone.now(), comment.strip()
    locked.save(update_fields=["state", "reviewer", "reviewed_at", "review_comment", "updated_at"])
    audit.record(actor=actor, action="planning.accept_report" if accept else "planning.return_report", obj=locked)
    from web.notify import notify_user

    verb = "已通过" if accept else "被退回"
    if locked.author is not None and locked.author.is_active:
        notify_user(locked.author, f"任务{locked.assignment.task.number}（{locked.period}）进展报告{verb}",
                    comment.strip() or verb, url=f"/plan/assignments/{locked.assignment_id}/", kind="planning")
    return locked


# ---------------------------------------------------------------- manual values


def can_enter_manual(user: Any, indicator: Indicator, unit_code: str) -> bool:
    """City staff for any unit, county staff inside their county, lead-department staff for the city figure."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in (Role.CITY_STAFF, Role.COUNTY_STAFF):
        return can_see_unit(user, unit_code)
    if user.role == Role.DEPARTMENT_STAFF and user.department_id and engine.level_of(unit_code) == "city":
        return user.department_id in lead_department_ids(indicator)
    return False


def lead_department_ids(indicator: Indicator) -> set[int]:
    """The departments leading the plan rows an indicator comes from (附件2#n / 附件1#n)."""
    ids: set[int] = set()
    for ref in indicator.also_in:
        if ref.startswith("附件2#"):
            action = SpecialAction.objects.filter(number=int(ref.split("#")[1])).first()
            if action:
                ids |= set(action.lead_departments.values_list("pk", flat=True))
        elif ref.startswith("附件1#"):
            task = PlanTask.objects.filter(number=int(ref.split("#")[1])).first()
            if task:
                ids |= set(task.lead_departments.values_list("pk", flat=True))
    return ids


@transaction.atomic
def enter_manual_value(*, indicator: Indicator, unit_code: str, period: str, numerator: float, denominator: float,
                       source: str, source_date: dt.date, actor: User) -> ManualValue:
    """填报 a value with its source; kept alongside every earlier entry, shown as reported."""
    if not can_enter_manual(actor, indicator, unit_code):
        raise ValidationError("您无权为该单位填报此指标。")
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise ValidationError(f"单位不存在：{unit_code}")
    own = periods.parse(period).as_type(indicator.period_type)
    if denominator is None or denominator <= 0:
        raise ValidationError("分母必须大于 0。")
    if numerator is None or numerator < 0:
        raise ValidationError("分子不能为负数。")
    if indicator.is_rate and numerator > denominator:
        raise ValidationError("比率类指标的分子不能大于分母。")
    if not source.strip():
        raise ValidationError("请填写数据来源。")
    if source_date > periods.today():
        raise ValidationError("数据日期不能晚于今天。")
    row = ManualValue.objects.create(indicator=indicator, unit=unit, period=own.label, numerator=numerator,
                                     denominator=denominator, source=source.strip()[:200], source_date=source_date,
                                     entered_by=actor)
    audit.record(actor=actor, action="planning.enter_value", obj=row,
                 detail={"indicator": indicator.code, "period": own.label, "value": row.value})
    engine.invalidate(unit_code, [indicator.code])
    return row


# ---------------------------------------------------------------- deadlines


def assignees(assignment: Assignment) -> list[User]:
    users = User.objects.filter(is_active=True)
    if assignment.unit_id:
        return list(users.filter(role=Role.COUNTY_STAFF, unit=assignment.unit))
    return list(users.filter(role=Role.DEPARTMENT_STAFF, department=assignment.department))


def monitoring_staff() -> list[User]:
    from planning.models import MONITORING_LEADS

    return list(User.objects.filter(is_active=True, role=Role.DEPARTMENT_STAFF, department__code__in=MONITORING_LEADS))


@transaction.atomic
def check_deadlines(*, today: dt.date | None = None) -> dict[str, int]:
    """Remind assignees before a report is due and escalate to the monitoring leads after; each at most once."""
    from planning.conf import remind_days
    from planning.models import LedgerNotice
    from web.notify import notify_users

    today = today or periods.today()
    sent = {(n.assignment_id, n.period, n.kind) for n in LedgerNotice.objects.filter(assignment__year__gte=today.year - 1)}
    reminders = escalations = 0
    leads = monitoring_staff()
    assignments = (Assignment.objects.filter(year__in=[today.year - 1, today.year])
                   .select_related("task", "department", "unit").prefetch_related("reports"))
    notices = []
    for assignment in assignments:
        done = {r.period for r in assignment.reports.all() if r.state in (ProgressReport.State.SUBMITTED, ProgressReport.State.ACCEPTED)}
        for period in report_periods(assignment):
            if period.label in done:
                continue
            due = due_date(period)
            title = f"任务{assignment.task.number}「{assignment.task.heading}」{period.label} 进展"
            url = f"/plan/assignments/{assignment.pk}/"
            if due - dt.timedelta(days=remind_days()) <= today <= due and (assignment.pk, period.label, "reminder") not in sent:
                notify_users(assignees(assignment), f"{title}请于 {due:%Y-%m-%d} 前报送", "工作台账到期提醒", url=url, kind="planning")
                notices.append(LedgerNotice(assignment=assignment, period=period.label, kind="reminder"))
                reminders += 1
            elif today > due and (assignment.pk, period.label, "escalation") not in sent:
                body = f"{assignment.assignee_name}未按期（{due:%Y-%m-%d}）报送，请督办。"
                notify_users(assignees(assignment), f"{title}已逾期", body, url=url, kind="planning")
                notify_users(leads, f"{title}逾期：{assignment.assignee_name}", body, url=url, kind="planning")
                notices.append(LedgerNotice(assignment=assignment, period=period.label, kind="escalation"))
                escalations += 1
    LedgerNotice.objects.bulk_create(notices, ignore_conflicts=True)
    if reminders or escalations:
        audit.record(actor=None, action="planning.deadline_check", username="system",
                     detail={"reminders": reminders, "escalations": escalations, "on": today.isoformat()})
    return {"reminders": reminders, "escalations": escalations}


def can_enter_any(user: Any, unit_code: str) -> bool:
    """May the user enter a manual value for this unit for at least one indicator?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in (Role.CITY_STAFF, Role.COUNTY_STAFF):
        return can_see_unit(user, unit_code)
    if user.role == Role.DEPARTMENT_STAFF and user.department_id and engine.level_of(unit_code) == "city" and len(unit_code) == 12:
        return any(user.department_id in lead_department_ids(i) for i in Indicator.objects.all())
    return False

"""The plan is a published document: its tasks and indicator catalogue are public; values are scoped."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from planning import engine, periods, selectors
from planning.models import Indicator, PlanTask

router = Router(tags=["plan"])


class TaskOut(Schema):
    number: int
    theme: str
    task: str
    content: str
    lead_units: list[str]
    responsible_units: list[str]
    target: str
    report_period: str


class YearProgress(Schema):
    year: int
    assignments: int
    submitted: int
    accepted: int
    returned: int
    average_percent: float | None


class TaskDetailOut(TaskOut):
    progress: list[YearProgress]


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    period_type: str
    baseline_2020: float | None
    target: float
    target_max: float | None
    target_year: int
    direction: str
    source_module: str
    source: str
    numerator: str
    denominator: str


class ValueOut(Schema):
    code: str
    name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    target: float
    source: str
    status: str


class PeriodOut(Schema):
    period: str
    state: str
    state_label: str
    percent: int | None
    due: str


class AssignmentOut(Schema):
    id: int
    year: int
    task_number: int
    task: str
    role: str
    department: str | None
    unit_code: str | None
    unit: str | None
    overdue: int
    periods: list[PeriodOut]


def _task(task: PlanTask) -> dict[str, Any]:
    return {
        "number": task.number, "theme": task.theme, "task": task.heading, "content": task.content,
        "lead_units": task.lead_names, "responsible_units": task.responsible_names, "target": task.target_text,
        "report_period": task.report_period,
    }


@router.get("/tasks", auth=None, response=list[TaskOut], summary="附件1: the 78 tasks with their lead and responsible units")
def task_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_task(t) for t in PlanTask.objects.all()]


@router.get("/tasks/{number}", auth=None, response=TaskDetailOut, summary="One task with its progress summary per year")
def task_detail(request: HttpRequest, number: int) -> dict[str, Any]:
    task = get_object_or_404(PlanTask, number=number)
    return {**_task(task), "progress": selectors.task_progress(task)}


@router.get("/indicators", auth=None, response=list[IndicatorOut], summary="The indicator catalogue with definitions and targets")
def indicator_list(request: HttpRequest) -> list[dict[str, Any]]:
    found = engine.providers.discover()
    return [{
        "code": i.code, "name": i.name, "unit": i.unit, "period_type": i.period_type, "baseline_2020": i.baseline_2020,
        "target": i.target, "target_max": i.target_max, "target_year": i.target_year, "direction": i.direction,
        "source_module": found[i.code][0] if i.code in found else i.source_module,
        "source": engine.source_of(i, found), "numerator": i.numerator, "denominator": i.denominator,
    } for i in Indicator.objects.all()]


@router.get("/values", response=list[ValueOut], summary="Every indicator for one unit and period (your subtree only)")
def indicator_values(request: HttpRequest, unit: str, period: str) -> list[dict[str, Any]]:
    selectors.unit_for_values(request.user, unit)
    try:
        parsed = periods.parse(period)
    except ValidationError as exc:
        raise HttpError(422, exc.messages[0]) from exc
    return [v.as_dict() for v in engine.unit_values(unit, parsed)]


@router.get("/ledger", response=list[AssignmentOut],
            summary="工作台账: the year's assignments you may see, with each report period's state")
def ledger(request: HttpRequest, year: int) -> list[dict[str, Any]]:
    if not 2021 <= year <= 2030:
        raise HttpError(422, "年度应在 2021–2030 之间")
    return [{
        "id": row["assignment"].pk, "year": row["assignment"].year, "task_number": row["task"].number, "task": row["task"].heading,
        "role": row["assignment"].role,
        "department": row["assignment"].department.name if row["assignment"].department_id else None,
        "unit_code": row["assignment"].unit_id, "unit": row["assignment"].unit.name if row["assignment"].unit_id else None,
        "overdue": row["overdue"],
        "periods": [{"period": c.period, "state": c.state, "state_label": c.label, "percent": c.percent, "due": c.due.isoformat()}
                    for c in row["cells"]],
    } for row in selectors.ledger_rows(request.user, year)]

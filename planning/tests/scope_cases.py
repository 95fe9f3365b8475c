"""Every planning route: the plan's text is public; values, ledger and reports are scoped.

Ledger objects live at county level: the probe is 桃城区's assignment (bob's county) with a
draft report; drafts are seen only by the assignee (carl) and the city (cindy), so no
outsider — not bob or his township, not even the monitoring leads' department (erin,
市民政局) — may see it. A submitted report is what erin reviews: she is its insider.
"""

import datetime as dt
from typing import Any

from shequ.testing.media import pdf
from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, OUTSIDERS, TAOCHENG, World

MARKER = "桥东进展报告-探针"
SUBMITTED_MARKER = "桃城区已报送进展-探针"
EVIDENCE_MARKER = "QD-EVIDENCE-MARK"
BOB_NAME = "桥东社区"
# A county's assignment: its county and the city see it; bob and his township do not.
COUNTY_OBJECT: dict[str, Any] = {"insiders": ("carl", "cindy"), "outsiders": (*OUTSIDERS, "bob", "tom")}
# Manual values are entered by county and city staff.
ENTERERS = ("carl", "cindy")
# Submitted reports are reviewed by the monitoring leads (市民政局: erin).
REVIEWERS: dict[str, Any] = {"insiders": ("erin",), "outsiders": tuple(u for u in (*OUTSIDERS, "bob", "tom", "carl") if u != "erin")}


def _setup(world: World) -> Any:
    from planning.models import Assignment, Evidence, PlanTask, ProgressReport
    from planning.services import load_plan

    if not PlanTask.objects.exists():
        load_plan()
    task = PlanTask.objects.get(number=22)  # led by 市委政法委: erin's department is not on it
    assignment, _ = Assignment.objects.get_or_create(task=task, year=2025, role=Assignment.Role.COUNTY, unit_id=TAOCHENG)
    report, _ = ProgressReport.objects.get_or_create(
        assignment=assignment, period="2025-Q1",
        defaults={"unit_id": TAOCHENG, "narrative": MARKER, "percent": 30, "author": world.carl},
    )
    evidence = Evidence.objects.filter(report=report).first()
    if evidence is None:
        from django.core.files.base import ContentFile

        evidence = Evidence(report=report, name="证明.pdf", uploaded_by=world.carl)
        evidence.file.save("probe.pdf", ContentFile(pdf(EVIDENCE_MARKER)), save=True)
    return assignment, report, evidence


def _submitted(world: World) -> Any:
    """A report 桃城区 has sent in (another period), waiting for the monitoring leads' review."""
    from django.utils import timezone

    from planning.models import ProgressReport

    assignment, _, _ = _setup(world)
    report, _ = ProgressReport.objects.get_or_create(
        assignment=assignment, period="2025-Q2",
        defaults={"unit_id": TAOCHENG, "narrative": SUBMITTED_MARKER, "percent": 50, "author": world.carl,
                  "state": ProgressReport.State.SUBMITTED, "submitted_at": timezone.now()},
    )
    return report


def _unchanged_report(world: World) -> Any:
    def check() -> bool:
        from planning.models import ProgressReport

        return ProgressReport.objects.filter(narrative=MARKER, state="draft", percent=30).exists()

    return check


def _manual_unchanged() -> bool:
    from planning.models import ManualValue

    return not ManualValue.objects.filter(unit_id=BOB_UNIT).exists()


def _assignment(world: World) -> Probe:
    assignment, report, _ = _setup(world)
    return Probe(url=f"/plan/assignments/{assignment.pk}/", marker=f'href="/plan/reports/{report.pk}/"')


def _submit(world: World) -> Probe:
    assignment, _, _ = _setup(world)
    return Probe(url=f"/plan/assignments/{assignment.pk}/report/", method="post", kind="write",
                 data={"period": "2025-Q1", "narrative": "篡改", "percent": "99"}, unchanged=_unchanged_report(world))


def _report(world: World) -> Probe:
    _, report, _ = _setup(world)
    return Probe(url=f"/plan/reports/{report.pk}/", marker=MARKER)


def _review(world: World) -> Probe:
    from planning.models import ProgressReport

    report = _submitted(world)
    return Probe(url=f"/plan/reports/{report.pk}/review/", method="post", kind="write",
                 data={"decision": "return", "comment": "请补充材料"},
                 unchanged=lambda: ProgressReport.objects.get(pk=report.pk).state == ProgressReport.State.SUBMITTED)


def _evidence(world: World) -> Probe:
    _, _, evidence = _setup(world)
    return Probe(url=f"/plan/evidence/{evidence.pk}/", marker=EVIDENCE_MARKER)


def _ledger(world: World) -> Probe:
    _setup(world)
    return Probe(url="/plan/ledger/?year=2025", kind="list", marker=f"/plan/assignments/{_setup(world)[0].pk}/")


def _ledger_api(world: World) -> Probe:
    assignment, _, _ = _setup(world)
    return Probe(url="/api/plan/ledger?year=2025", kind="list", marker=f'"id": {assignment.pk}, ')


def _ledger_export(world: World) -> Probe:
    _setup(world)
    return Probe(url="/plan/ledger/export.xlsx?year=2025", kind="list", marker="桃城区")


def _reviews(world: World) -> Probe:
    report = _submitted(world)
    return Probe(url="/plan/reviews/", kind="list", marker=f'href="/plan/reports/{report.pk}/"')


def _manual_indicator() -> Any:
    """An indicator no module computes: since every one of the plan's 28 is computed, the probe adds its own,
    shaped like the plan's satisfaction coverage, so manual entry still has something to enter."""
    from planning.models import Indicator

    plan_row = Indicator.objects.get(code="satisfaction_survey_coverage")
    fields = {f.name: getattr(plan_row, f.name) for f in Indicator._meta.concrete_fields if f.name not in ("id", "code")}
    fields.update(name="探针手工指标", source_module="manual", order=999)
    return Indicator.objects.get_or_create(code="probe_manual_indicator", defaults=fields)[0]


def _manual_post(world: World) -> Probe:
    _load(world)
    _manual_indicator()
    return Probe(url=f"/plan/units/{BOB_UNIT}/manual/", method="post", kind="write",
                 data={"indicator": "probe_manual_indicator", "period": "2025", "numerator": "1", "denominator": "1",
                       "source": "x", "source_date": "2025-01-01"}, unchanged=_manual_unchanged)


def _load(world: World) -> None:
    from planning.models import PlanTask
    from planning.services import load_plan

    if not PlanTask.objects.exists():
        load_plan()


def _values(world: World) -> Probe:
    """A manual value the city entered for bob's community (an indicator no module computes yet): its figures come back in the unit's values."""
    from planning.services import enter_manual_value

    _load(world)
    enter_manual_value(indicator=_manual_indicator(), unit_code=BOB_UNIT, period="2025",
                       numerator=7, denominator=9, source="探针", source_date=dt.date(2025, 1, 2), actor=world.cindy)
    return Probe(url=f"/api/plan/values?unit={BOB_UNIT}&period=2025", marker='"numerator": 7.0, "denominator": 9.0')


def _unit_page(path: str, marker: str = BOB_NAME) -> Any:
    def make(world: World) -> Probe:
        _load(world)
        return Probe(url=path, marker=marker)

    return make


CASES = [
    ScopeCase("api/plan/values", _values),
    ScopeCase("plan/units/<str:code>/", _unit_page(f"/plan/units/{BOB_UNIT}/")),
    ScopeCase("plan/units/<str:code>/indicators/<str:indicator>/",
              _unit_page(f"/plan/units/{BOB_UNIT}/indicators/rural_facility_coverage/")),
    ScopeCase("plan/units/<str:code>/manual/", _unit_page(f"/plan/units/{BOB_UNIT}/manual/"), insiders=ENTERERS),
    ScopeCase("plan/units/<str:code>/manual/", _manual_post, methods=("post",), insiders=ENTERERS),
    ScopeCase("plan/units/<str:code>/evaluation.pdf", _unit_page(f"/plan/units/{BOB_UNIT}/evaluation.pdf?year=2025")),
    ScopeCase("plan/units/<str:code>/evaluation.xlsx", _unit_page(f"/plan/units/{BOB_UNIT}/evaluation.xlsx?year=2025")),
    ScopeCase("plan/assignments/<int:pk>/", _assignment, **COUNTY_OBJECT),
    ScopeCase("plan/assignments/<int:pk>/report/", _submit, methods=("post",), **COUNTY_OBJECT),
    ScopeCase("plan/reports/<int:pk>/", _report, **COUNTY_OBJECT),
    ScopeCase("plan/reports/<int:pk>/review/", _review, methods=("post",), **REVIEWERS),
    ScopeCase("plan/evidence/<int:pk>/", _evidence, **COUNTY_OBJECT),
    ScopeCase("plan/ledger/", _ledger, **COUNTY_OBJECT),
    ScopeCase("api/plan/ledger", _ledger_api, **COUNTY_OBJECT),
    ScopeCase("plan/ledger/export.xlsx", _ledger_export, **COUNTY_OBJECT),
    ScopeCase("plan/reviews/", _reviews, **REVIEWERS),
]

OPEN_ROUTES = {
    "api/plan/tasks": "附件1 is a published document (the task list, no place data)",
    "api/plan/tasks/<number>": "one published task with a citywide progress summary (counts only)",
    "api/plan/indicators": "the published indicator catalogue",
    "plan/": "redirects to the user's own unit dashboard or ledger",
    "plan/tasks/": "附件1 as a page: the published task list",
    "plan/tasks/<int:number>/period/": "sets a task's report period (plan-wide, no place data); city staff and monitoring leads only",
}

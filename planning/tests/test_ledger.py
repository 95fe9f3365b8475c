import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from planning import services
from planning.models import Assignment, LedgerNotice, PlanTask, ProgressReport
from shequ.testing.world import JIZHOU, TAOCHENG
from web.models import Notification


@pytest.fixture
def year(tree):
    services.load_plan()
    services.create_annual_assignments(year=2025)
    return 2025


def county_assignment(number: int, unit: str = TAOCHENG) -> Assignment:
    return Assignment.objects.get(task__number=number, year=2025, unit_id=unit)


def test_it_assigns_every_task_to_its_departments_and_every_county(year) -> None:
    assert Assignment.objects.filter(year=2025, role="county").count() == 78 * 13
    task = PlanTask.objects.get(number=15)
    leads = Assignment.objects.filter(task=task, year=2025, role="lead")
    assert [a.department.name for a in leads] == ["市卫生健康委"]
    responsible = {a.department.name for a in Assignment.objects.filter(task=task, year=2025, role="responsible")}
    assert "市民政局" in responsible and "各县市区人民政府" not in responsible
    before = Assignment.objects.count()
    services.create_annual_assignments(year=2025)
    assert Assignment.objects.count() == before


def test_it_takes_a_report_through_review(year, world, login) -> None:
    assignment = county_assignment(22)
    client = login(world.carl)
    page = client.get(f"/plan/assignments/{assignment.pk}/")
    assert page.status_code == 200 and "报送进展" in page.content.decode()
    upload = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    response = client.post(f"/plan/assignments/{assignment.pk}/report/", {
        "period": "2025-Q1", "narrative": "召开联席会议2次", "percent": "25", "milestones": "制定方案", "evidence": upload,
    })
    assert response.status_code == 302
    report = ProgressReport.objects.get(assignment=assignment, period="2025-Q1")
    assert report.state == "submitted" and report.evidence.count() == 1

    # erin (市民政局) is a monitoring lead: she sees it in her queue and returns it with a comment.
    reviewer = login(world.erin)
    assert "召开联席会议2次" not in reviewer.get("/plan/reviews/").content.decode()  # list shows task, not narrative
    assert f"/plan/reports/{report.pk}/" in reviewer.get("/plan/reviews/").content.decode()
    reviewer.post(f"/plan/reports/{report.pk}/review/", {"decision": "return", "comment": ""})
    assert ProgressReport.objects.get(pk=report.pk).state == "submitted"  # a return needs a comment
    reviewer.post(f"/plan/reports/{report.pk}/review/", {"decision": "return", "comment": "请补充佐证"})
    report.refresh_from_db()
    assert report.state == "returned" and report.review_comment == "请补充佐证"
    assert Notification.objects.filter(user=world.carl).exists()

    client = login(world.carl)
    client.post(f"/plan/assignments/{assignment.pk}/report/", {"period": "2025-Q1", "narrative": "已补充", "percent": "30"})
    report.refresh_from_db()
    assert report.state == "submitted" and report.percent == 30
    services.review_report(report=report, accept=True, actor=world.erin)
    report.refresh_from_db()
    assert report.state == "accepted"
    with pytest.raises(ValidationError):
        services.save_report(assignment=assignment, period="2025-Q1", narrative="改", percent=40, actor=world.carl)


def test_it_refuses_reports_from_others_and_bad_input(year, world) -> None:
    assignment = county_assignment(22)
    for actor in [world.dave, world.tina, world.erin, world.cindy]:
        with pytest.raises(ValidationError):
            services.save_report(assignment=assignment, period="2025-Q1", narrative="x", percent=10, actor=actor)
    for period, narrative, percent in [("2024-Q1", "x", 10), ("2025-Q1", " ", 10), ("2025-Q1", "x", 101), ("2025-13", "x", 1)]:
        with pytest.raises(ValidationError):
            services.save_report(assignment=assignment, period=period, narrative=narrative, percent=percent, actor=world.carl)
    with pytest.raises(ValidationError):
        services.review_report(report=ProgressReport.objects.create(assignment=assignment, period="2025-Q2", narrative="x",
                                                                    author=world.carl, state="submitted"),
                               accept=True, actor=world.cindy)
    assert not ProgressReport.objects.exclude(period="2025-Q2").exists()


def test_it_shows_each_user_their_own_ledger(year, world, login) -> None:
    carl = login(world.carl).get("/plan/ledger/?year=2025").content.decode()
    assert "桃城区" in carl and "冀州区" not in carl
    erin = login(world.erin).get("/plan/ledger/?year=2025").content.decode()
    assert "市民政局" in erin and "桃城区" not in erin
    assert login(world.alice).get("/plan/ledger/?year=2025").content.decode().count("/plan/assignments/") == 0


def test_it_serves_each_user_their_own_ledger_over_the_api(year, world, login) -> None:
    mine = county_assignment(22)
    response = login(world.carl).get("/api/plan/ledger?year=2025")
    rows = response.json()
    assert response.status_code == 200 and len(rows) == 78
    assert {r["unit_code"] for r in rows} == {TAOCHENG} and f'"id": {mine.pk}, ' in response.content.decode()
    row = next(r for r in rows if r["id"] == mine.pk)
    assert row["task_number"] == 22 and [p["period"] for p in row["periods"]] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert row["periods"][0]["state"] == "overdue" and row["overdue"] == 4
    erin = login(world.erin).get("/api/plan/ledger?year=2025").json()
    assert erin and {r["department"] for r in erin} == {"市民政局"}
    assert login(world.alice).get("/api/plan/ledger?year=2025").json() == []
    assert login(world.carl).get("/api/plan/ledger?year=1999").status_code == 422


def test_it_exports_the_ledger_with_the_seed_columns(year, world, login) -> None:
    response = login(world.dave).get("/plan/ledger/export.xlsx?year=2025")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "主题")
    assert list(header[:7]) == ["主题", "任务", "序号", "具体工作内容", "牵头单位", "责任单位", "工作目标"]
    assert "2025-Q1 进度/状态" in header
    data = [r for r in rows[rows.index(header) + 1:] if r and r[0]]
    assert len(data) == 78 and {r[7] for r in data} == {"冀州区"}


def test_it_reminds_before_the_deadline_and_escalates_after(year, world, settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    services.save_report(assignment=county_assignment(1), period="2025-Q1", narrative="x", percent=10, actor=world.carl)
    # Q1 is due on 2025-04-10; reminders go out from 04-05.
    first = services.check_deadlines(today=dt.date(2025, 4, 6))
    assert first["reminders"] > 0 and first["escalations"] == 0
    assert not LedgerNotice.objects.filter(assignment=county_assignment(1), period="2025-Q1").exists()
    assert services.check_deadlines(today=dt.date(2025, 4, 7)) == {"reminders": 0, "escalations": 0}
    late = services.check_deadlines(today=dt.date(2025, 4, 11))
    assert late["escalations"] == first["reminders"]
    assert Notification.objects.filter(user=world.dave, title__contains="已逾期").exists()
    assert Notification.objects.filter(user=world.erin, title__contains="逾期：冀州区").exists()
    assert LedgerNotice.objects.filter(assignment=county_assignment(2, JIZHOU), kind="escalation").count() == 1


def test_it_flags_overdue_periods_in_the_ledger(year, world, login) -> None:
    page = login(world.carl).get("/plan/ledger/?year=2025&state=overdue").content.decode()
    # Today is after 2025 (or not): either every Q1 is overdue or the page says none are.
    assert "逾期未报" in page or "共 0 项" in page


def test_it_lets_the_city_change_a_tasks_report_period(year, world, login) -> None:
    login(world.carl).post("/plan/tasks/22/period/", {"report_period": "month"})
    assert PlanTask.objects.get(number=22).report_period == "quarter"
    login(world.cindy).post("/plan/tasks/22/period/", {"report_period": "weekly"})
    assert PlanTask.objects.get(number=22).report_period == "quarter"
    login(world.erin).post("/plan/tasks/22/period/", {"report_period": "month"})
    assert PlanTask.objects.get(number=22).report_period == "month"
    cells = login(world.carl).get(f"/plan/assignments/{county_assignment(22).pk}/").content.decode()
    assert "2025-12" in cells


def test_it_keeps_the_ledger_page_to_a_fixed_number_of_queries(year, world, login, django_assert_max_num_queries) -> None:
    client = login(world.cindy)
    client.get("/plan/ledger/?year=2025")
    with django_assert_max_num_queries(20):
        page = client.get("/plan/ledger/?year=2025&page=3")
    assert page.status_code == 200

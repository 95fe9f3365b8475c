"""The work-item list and the admission gate: what a department may send to communities, and what it may not."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from duties import selectors, services
from duties.demo import ensure_lists
from duties.models import AdmissionRequest, DutyTask, ListVersion, WorkItem
from shequ.testing.world import BOB_UNIT, HEDONG, World

SOON = (timezone.localdate() + dt.timedelta(days=20)).isoformat()


def _task(client, **data):
    base = {"title": "入户核查", "kind": "inspection", "item_code": "", "admission": "", "unit_codes": BOB_UNIT,
            "deadline": SOON, "hours": "2", "funding": ""}
    return client.post("/duties/tasks/new/", {**base, **data})


@pytest.mark.django_db
def test_it_refuses_a_task_without_an_item_or_on_the_negative_list_and_writes_nothing(world: World, login) -> None:
    ensure_lists()
    client = login(world.erin)
    page = _task(client).content.decode()
    assert "任务必须引用社区工作事项清单中的事项" in page
    page = _task(client, item_code="FM01").content.decode()
    assert "属于负面清单事项，不得交由社区承担" in page
    page = _task(client, item_code="NOPE").content.decode()
    assert "现行社区工作事项清单中没有编码为 NOPE 的事项" in page
    assert not DutyTask.objects.exists()
    # The refusals are counted in the figures of the department.
    assert AuditEntry.objects.filter(action="duties.task_refused").count() == 3
    figures = selectors.task_figures(world.cindy, timezone.localdate().year)
    assert [(r["department__name"], r["refused"], r["sent"]) for r in figures] == [("市民政局", 3, 0)]
    assert selectors.task_figures(world.erin, timezone.localdate().year) == figures  # the department its own
    assert selectors.task_figures(world.carl, timezone.localdate().year) == []  # no community's data


@pytest.mark.django_db
def test_it_lets_a_listed_item_through_to_every_community_of_a_township(world: World, login) -> None:
    ensure_lists()
    response = _task(login(world.erin), item_code="XZ01", unit_codes=HEDONG)
    assert response.status_code == 302
    tasks = DutyTask.objects.all()
    assert tasks.count() > 5 and {t.unit_id[:9] for t in tasks} == {HEDONG[:9]}
    assert tasks.filter(unit_id=BOB_UNIT, funding__contains="20元").exists()
    page = login(world.bob).get("/duties/").content.decode()
    assert "入户核查" in page and "每户核查补助20元" in page
    assert "入户核查" not in login(world.alice).get("/duties/").content.decode()


@pytest.mark.django_db
def test_it_refuses_an_assistance_item_without_funding_and_another_departments_item(world: World) -> None:
    ensure_lists()
    WorkItem.objects.filter(code="XZ01").update(funding="")
    with pytest.raises(ValidationError, match="须写明部门提供的经费"):
        services.admit(department=world.erin.department, item_code="XZ01")
    item, _ = services.admit(department=world.erin.department, item_code="XZ01", funding="每户20元")
    assert item is not None and item.code == "XZ01"
    with pytest.raises(ValidationError, match="责任部门是市人力资源社会保障局"):
        services.admit(department=world.erin.department, item_code="XZ02")


@pytest.mark.django_db
def test_it_lets_a_task_through_only_with_an_approved_admission_request(world: World, login) -> None:
    ensure_lists()
    client = login(world.erin)
    client.post("/duties/admissions/", {"title": "清单外调查", "kind": "collection", "reason": "省里布置",
                                        "funding": "每社区500元", "hours": "3"})
    req = AdmissionRequest.objects.get()
    assert "尚未获准" in _task(client, admission=str(req.pk)).content.decode()
    # Only the city reviews; a community worker cannot.
    assert login(world.bob).post(f"/duties/admissions/{req.pk}/", {"decision": "approve"}).status_code == 404
    refused = login(world.cindy).post(f"/duties/admissions/{req.pk}/", {"decision": "approve", "conditions": ""})
    assert "请填写准入条件" in refused.content.decode()
    login(world.cindy).post(f"/duties/admissions/{req.pk}/", {"decision": "approve", "conditions": "每年一次",
                                                               "reason": ""})
    req.refresh_from_db()
    assert req.status == "approved" and req.conditions == "每年一次"
    assert _task(login(world.erin), admission=str(req.pk)).status_code == 302
    assert DutyTask.objects.get().admission == req


@pytest.mark.django_db
def test_it_keeps_old_versions_of_the_list_readable(world: World, login) -> None:
    ensure_lists()
    client = login(world.cindy)
    refused = client.post("/duties/list/publish/", {"effective_on": "2025-06-01", "reason": "调整",
                                                    "items": "XZ09|协助调查|协助政府事项|市民政局||"})
    assert "须写明责任部门和部门提供的经费" in refused.content.decode()
    assert ListVersion.objects.count() == 1
    client.post("/duties/list/publish/", {"effective_on": "2025-06-01", "reason": "新增调查事项",
                                          "items": "XZ09|协助调查|协助政府事项|市民政局|每户10元|"})
    assert ListVersion.objects.count() == 2
    assert "协助调查" in login(world.rita).get("/duties/list/").content.decode()
    old = login(world.cindy).get("/duties/list/?version=1").content.decode()
    assert "历史版本" in old and "最低生活保障对象入户核查" in old and "协助调查" not in old
    assert login(world.bob).post("/duties/list/publish/", {}).status_code == 404
    with pytest.raises(ValidationError, match="现行社区工作事项清单中没有编码为 XZ01"):
        services.admit(department=world.erin.department, item_code="XZ01")


@pytest.mark.django_db
def test_it_lets_a_community_object_and_the_city_withdraw_the_task(world: World, login) -> None:
    ensure_lists()
    services.send_task(actor=world.erin, data={"unit_codes": [BOB_UNIT], "item_code": "XZ01", "title": "核查",
                                               "kind": "inspection", "deadline": timezone.localdate(), "hours": 2})
    task = DutyTask.objects.get()
    login(world.bob).post(f"/duties/tasks/{task.pk}/object/", {"text": "本社区无低保户"})
    login(world.cindy).post(f"/duties/tasks/{task.pk}/answer/", {"answer": "同意撤回", "upheld": "1"})
    task.refresh_from_db()
    assert task.objection == "upheld" and task.withdrawn
    page = login(world.erin).get("/duties/report/").content.decode()
    assert "市民政局" in page
    xlsx = login(world.cindy).get("/duties/report/?format=xlsx")
    from shequ.testing.content import content_text

    assert "市民政局" in content_text(xlsx) and "下派任务数" in content_text(xlsx)


@pytest.mark.django_db
def test_it_answers_a_bad_api_task_with_a_chinese_422(world: World) -> None:
    from django.test import Client

    from accounts.services import issue_token

    ensure_lists()
    _, raw = issue_token(actor=world.erin, name="t")
    response = Client().post("/api/duties/tasks", {"unit_codes": [BOB_UNIT], "title": "x", "kind": "form",
                                                   "item_code": "FM02", "deadline": SOON, "hours": 1},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422 and "负面清单" in response.json()["detail"]
    assert not DutyTask.objects.exists()


@pytest.mark.django_db
def test_it_seeds_the_demo_lists_and_tasks_once(tree: None) -> None:
    from django.core.management import call_command

    call_command("seed_duties")
    tasks, versions = DutyTask.objects.count(), ListVersion.objects.count()
    call_command("seed_duties")
    assert tasks > 0 and versions == 1
    assert (DutyTask.objects.count(), ListVersion.objects.count()) == (tasks, versions)
    assert all(t.item and t.item.kind == "assist" and t.funding for t in DutyTask.objects.all())

"""Department staff upload and push batches of their own datasets, and nobody else's."""

import datetime as dt
import json
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import ApiToken
from accounts.services import issue_token
from exchange.models import Batch, Dataset, Fact
from exchange.tests.helpers import csv_bytes, department_user, villages
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

HEADER = ["村（社区）代码", "成立日期", "主席姓名"]


def push(token: str, code: str, rows: list[dict[str, Any]], **extra: Any) -> Any:
    return Client().post(f"/api/exchange/datasets/{code}/batches", data=json.dumps({"rows": rows, **extra}),
                         content_type="application/json", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def fred(datasets: dict[str, Dataset]) -> Any:
    return department_user("disabled_persons_federation", "fred")


@pytest.mark.django_db
def test_it_lands_an_uploaded_file_and_shows_the_batch_with_its_diff(fred: Any, login: Any) -> None:
    client = login(fred)
    page = client.get("/exchange/")
    assert "村（社区）残疾人协会" in page.content.decode() and "全科医生" not in page.content.decode()
    upload = SimpleUploadedFile("协会2025.csv", csv_bytes([HEADER, [BOB_UNIT, "2020-05-01", "张三"], [ALICE_UNIT, "2021-03-01", "李四"]]))
    response = client.post("/exchange/datasets/disabled_persons_associations/upload/", {"file": upload})
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exchange/batches/{batch.pk}/"
    shown = client.get(f"/exchange/batches/{batch.pk}/").content.decode()
    assert "协会2025.csv" in shown and "新增 2" in shown and "桥东社区居民委员会" in shown
    assert (batch.sender, batch.channel, batch.row_count) == (fred, "upload", 2)
    listing = client.get("/exchange/datasets/disabled_persons_associations/").content.decode()
    assert "协会2025.csv" in listing
    template = client.get("/exchange/datasets/disabled_persons_associations/template/")
    sheet = load_workbook(BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER


@pytest.mark.django_db
def test_it_refuses_a_bad_upload_whole_and_offers_the_error_report(fred: Any, login: Any) -> None:
    client = login(fred)
    upload = SimpleUploadedFile("bad.csv", csv_bytes([HEADER, [BOB_UNIT, "2020-05-01", "张三"], [BOB_UNIT, "2021-13-01", "李四"]]))
    response = client.post("/exchange/datasets/disabled_persons_associations/upload/", {"file": upload})
    batch = Batch.objects.get()
    assert batch.status == "rejected" and not Fact.objects.exists()
    shown = client.get(response["Location"]).content.decode()
    assert "整批未入库" in shown and "与第2行是同一单位" in shown
    report = client.get(f"/exchange/batches/{batch.pk}/errors/")
    cells = [c.value for row in load_workbook(BytesIO(report.content)).worksheets[0].iter_rows() for c in row]
    assert "日期格式应为 YYYY-MM-DD" in cells or "不是有效的日期" in cells
    wrong = SimpleUploadedFile("x.csv", csv_bytes([["代码", "成立日期", "主席姓名"], [BOB_UNIT, "2020-05-01", "张三"]]))
    page = client.post("/exchange/datasets/disabled_persons_associations/upload/", {"file": wrong})
    assert page.status_code == 400 and "第1列应为「村（社区）代码」" in page.content.decode()
    assert Batch.objects.count() == 1 and not Fact.objects.exists()


@pytest.mark.django_db
def test_it_shows_a_department_only_its_own_datasets_and_batches(fred: Any, world: Any, login: Any) -> None:
    upload = SimpleUploadedFile("a.csv", csv_bytes([HEADER, [BOB_UNIT, "2020-05-01", "张三"]]))
    login(fred).post("/exchange/datasets/disabled_persons_associations/upload/", {"file": upload})
    batch = Batch.objects.get()
    for user in (world.erin, world.cindy, world.bob, department_user("health_commission", "hank")):
        client = login(user)
        assert client.get("/exchange/datasets/disabled_persons_associations/").status_code == 404
        assert client.get(f"/exchange/batches/{batch.pk}/").status_code == 404
        again = SimpleUploadedFile("b.csv", csv_bytes([HEADER, [ALICE_UNIT, "2020-05-01", "王五"]]))
        assert client.post("/exchange/datasets/disabled_persons_associations/upload/", {"file": again}).status_code == 404
    assert Batch.objects.count() == 1 and Fact.objects.count() == 1


@pytest.mark.django_db
def test_it_takes_a_pushed_batch_through_the_api_with_the_departments_token(fred: Any, world: Any) -> None:
    _, token = issue_token(actor=fred, name="残联系统")
    rows = [{"村（社区）代码": BOB_UNIT, "成立日期": "2020-05-01", "主席姓名": "张三"}]
    dry = push(token, "disabled_persons_associations", rows, dry_run=True)
    assert dry.status_code == 200 and dry.json()["added"] == [BOB_UNIT] and not Batch.objects.exists()
    landed = push(token, "disabled_persons_associations", rows, source_name="残联管理系统")
    assert landed.status_code == 201 and landed.json()["diff"]["added"] == [BOB_UNIT]
    village = villages("131103", "rural", 1)[0]
    second = push(token, "disabled_persons_associations", [{"村（社区）代码": village, "成立日期": "2021-01-01", "主席姓名": "李四"}])
    assert second.json()["diff"] == {"added": [village], "changed": [], "removed": [BOB_UNIT]}
    listed = Client().get("/api/exchange/datasets/disabled_persons_associations/batches",
                          headers={"Authorization": f"Bearer {token}"}).json()
    assert listed["count"] == 2 and listed["results"][0]["source_name"] == ""
    # Another department's dataset is not there for it; nor is this one for another department.
    assert push(token, "general_practitioners", [{"单位代码": BOB_UNIT, "全科医生数": 1, "统计日期": "2025-01-01"}]).status_code == 404
    _, erins = issue_token(actor=world.erin, name="民政")
    assert push(erins, "disabled_persons_associations", rows).status_code == 404
    assert Batch.objects.count() == 2


@pytest.mark.django_db
def test_it_refuses_a_pushed_batch_with_one_bad_row_and_an_expired_token(fred: Any) -> None:
    record, token = issue_token(actor=fred, name="残联系统")
    bad = push(token, "disabled_persons_associations", [
        {"村（社区）代码": BOB_UNIT, "成立日期": "2020-05-01", "主席姓名": "张三"},
        {"村（社区）代码": "131102002999", "成立日期": "2020-05-01", "主席姓名": "李四"}])
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"第2行「村（社区）代码」": "区划代码不存在"}
    assert not Fact.objects.exists()
    ApiToken.objects.filter(pk=record.pk).update(created_at=timezone.now() - dt.timedelta(days=40),
                                                last_used_at=timezone.now() - dt.timedelta(days=39))
    late = push(token, "disabled_persons_associations", [{"村（社区）代码": BOB_UNIT, "成立日期": "2020-05-01", "主席姓名": "张三"}])
    assert late.status_code == 401 and not Fact.objects.exists()


@pytest.mark.django_db
def test_it_warns_when_a_feed_is_older_than_its_expected_frequency(fred: Any, login: Any) -> None:
    client = login(fred)
    assert "已超过更新周期" in client.get("/exchange/").content.decode()  # never fed
    upload = SimpleUploadedFile("a.csv", csv_bytes([HEADER, [BOB_UNIT, "2020-05-01", "张三"], [ALICE_UNIT, "2022-03-01", "李四"]]))
    client.post("/exchange/datasets/disabled_persons_associations/upload/", {"file": upload})
    page = client.get("/exchange/").content.decode()
    assert "已超过更新周期" not in page and "2022-03-01" in page
    Batch.objects.update(sent_at=timezone.now() - dt.timedelta(days=400))  # yearly dataset, fed 400 days ago
    assert "已超过更新周期" in client.get("/exchange/").content.decode()

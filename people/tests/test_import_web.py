import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from people.models import Household, Resident
from people.tests.io_helpers import ALICE_UNIT, BOB_UNIT, book, jobs_inline, person, read_book  # noqa: F401
from web.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jobs_inline")]


def upload(client, rows, dry_run=False, name="居民.xlsx"):
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, book(rows))}
    if dry_run:
        data["dry_run"] = "1"
    return client.post("/people/import/", data)


def test_it_imports_an_upload_and_shows_the_result(world, login) -> None:
    client = login(world.alice)
    page = client.get("/people/import/")
    assert page.status_code == 200 and "下载 Excel 模板" in page.content.decode()
    response = upload(client, [person(1, household="A"), person(2, household="A", relation="配偶", gender="女")])
    job = Job.objects.get(owner=world.alice)
    assert response.status_code == 302 and response["Location"] == f"/people/jobs/{job.pk}/"
    assert job.status == "done" and job.written == 2 and job.checked == 2
    assert Resident.objects.filter(unit_id=ALICE_UNIT).count() == 2
    body = client.get(f"/people/jobs/{job.pk}/").content.decode()
    assert "导入完成：新增居民 2 人，新建户 1 户。" in body
    assert "hx-get" not in body  # finished: no more polling
    assert not job.input_file  # the upload (plaintext ID numbers) is gone
    listing = client.get("/people/jobs/").content.decode()
    assert f"/people/jobs/{job.pk}/" in listing


def test_it_reports_bad_rows_on_screen_and_as_a_workbook(world, login) -> None:
    client = login(world.alice)
    upload(client, [person(1), person(2, unit=BOB_UNIT), person(3, **{"联系电话": "12"})])
    job = Job.objects.get(owner=world.alice)
    assert job.status == "rejected" and job.error_count == 2
    assert Resident.objects.count() == 0 and Household.objects.count() == 0
    body = client.get(f"/people/jobs/{job.pk}/").content.decode()
    assert "该村（社区）不在您的管辖范围内" in body and "校验未通过" in body
    report = client.get(f"/people/jobs/{job.pk}/errors.xlsx")
    rows = read_book(b"".join(report.streaming_content))
    assert rows[0] == ["行号", "列", "值", "原因"]
    assert rows[1][:3] == [3, "所属村（社区）代码", BOB_UNIT]
    assert rows[2][:2] == [4, "联系电话"]


def test_it_writes_nothing_in_a_dry_run(world, login) -> None:
    client = login(world.alice)
    upload(client, [person(1)], dry_run=True)
    job = Job.objects.get(owner=world.alice)
    assert job.dry_run and job.status == "done" and "仅校验" in job.message
    assert Resident.objects.count() == 0


def test_it_shows_a_job_only_to_its_owner(world, login) -> None:
    upload(login(world.alice), [person(1), person(2, **{"联系电话": "12"})])
    job = Job.objects.get(owner=world.alice)
    client = login(world.tina)  # alice's own township staff
    for url in (f"/people/jobs/{job.pk}/", f"/people/jobs/{job.pk}/progress/", f"/people/jobs/{job.pk}/errors.xlsx",
                f"/people/jobs/{job.pk}/result.xlsx"):
        assert client.get(url).status_code == 404, url
    assert f"/people/jobs/{job.pk}/" not in client.get("/people/jobs/").content.decode()


def test_it_polls_progress_while_a_job_runs(world, login) -> None:
    job = Job.objects.create(kind="people.import", owner=world.alice, status="running", total=1000, checked=400)
    fragment = login(world.alice).get(f"/people/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "400" in fragment and "13%" in fragment


def test_it_refuses_roles_without_a_scope(world, login) -> None:
    assert login(world.erin).get("/people/import/").status_code == 404
    assert login(world.sam).post("/people/import/", {"file": SimpleUploadedFile("a.xlsx", book([person(1)]))}).status_code == 404
    assert login(world.rita).get("/people/export/").status_code == 404
    assert Job.objects.count() == 0


def test_it_rejects_a_file_that_is_not_a_workbook(world, login) -> None:
    client = login(world.alice)
    response = client.post("/people/import/", {"file": SimpleUploadedFile("a.csv", b"a,b")})
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    response = client.post("/people/import/", {"file": SimpleUploadedFile("a.xlsx", b"not a zip")})
    job = Job.objects.get(owner=world.alice)
    assert job.status == "rejected" and "无法读取该文件" in job.message + str(job.params["errors"])


def test_it_downloads_the_template(world, login) -> None:
    response = login(world.alice).get("/people/import/template.xlsx")
    assert response.status_code == 200
    assert read_book(b"".join(response.streaming_content))[0][:3] == ["姓名", "性别", "出生日期"]


@pytest.mark.django_db(transaction=True)
def test_it_leaves_no_plaintext_id_or_phone_in_the_database_file(world, login, tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite file")
    rows = [person(1, phone="13912345678"), person(2, household="H0001", relation="子女", phone="0318-7654321")]
    upload(login(world.alice), rows)
    assert Resident.objects.count() == 2
    copy = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(copy)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    raw = copy.read_bytes()
    assert b"131102********" in raw  # the masked form is there, so the search would see the data
    for row in rows:
        for secret in (row["证件号码"], row["联系电话"], row["联系电话"].replace("-", "")):
            assert secret.encode() not in raw, secret
            assert secret.encode("utf-16-le") not in raw

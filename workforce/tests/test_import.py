"""Excel import and export of community workers: template, all-or-nothing import, re-import, CLI, web scope."""

import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from accounts.models import AuditEntry
from people.crypto import decrypt, search_hash
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, HEXI, World
from workforce.importers import HEADERS, export, import_workers, write_import_template
from workforce.models import CommunityWorker, Position
from workforce.tests.factories import worker


def book(rows: list[list[object]], headers: list[str] = HEADERS) -> BytesIO:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    stream = BytesIO()
    wb.save(stream)
    stream.seek(0)
    stream.name = "workers.xlsx"
    return stream


def row(**over: object) -> list[object]:
    """One data row; keywords: unit, name, gender, position, phone, started, ended."""
    base: dict[str, object] = {"unit": ALICE_UNIT, "name": "李秀英", "gender": "女", "position": "党组织书记",
                               "phone": "13912345678", "started": "2021-06-01", "ended": ""}
    base.update(over)
    return [base[k] for k in ("unit", "name", "gender", "position", "phone", "started", "ended")]


GOOD = [
    row(),
    row(name="王建国", gender="男", position="居（村）委会主任", phone="0318-2123456"),
    row(name="赵敏", position="专职社区工作者", phone="", started=dt.date(2023, 3, 1)),
    row(name="孙强", gender="男", position="两委委员", phone="15800001111", ended="2024-12-31"),
]


def test_it_writes_a_template_with_the_headers_in_order_and_drop_downs() -> None:
    stream = BytesIO()
    write_import_template(stream)
    stream.seek(0)
    wb = load_workbook(stream)
    sheet = wb.worksheets[0]
    assert [c.value for c in sheet[1]] == ["所属村（社区）代码", "姓名", "性别", "职务", "联系电话", "任职日期", "离任日期"]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["C2"] == '"男,女"'
    assert all(label in lists["D2"] for label in Position.labels)
    assert "说明" in wb.sheetnames


@pytest.mark.django_db
def test_it_imports_a_valid_file_with_phones_encrypted_and_audited(tree: None) -> None:
    result = import_workers(book(GOOD))
    assert result.ok and (result.created, result.updated, result.unchanged) == (4, 0, 0)
    li = CommunityWorker.objects.get(name="李秀英")
    assert li.unit_id == ALICE_UNIT and li.gender == "F" and li.position == "secretary"
    assert li.phone_masked == "139****5678" and decrypt(li.phone_enc) == "13912345678"
    assert li.phone_hash == search_hash("13912345678")
    assert CommunityWorker.objects.get(name="赵敏").started_on == dt.date(2023, 3, 1)
    assert CommunityWorker.objects.get(name="孙强").ended_on == dt.date(2024, 12, 31)
    assert "13912345678" not in str(list(CommunityWorker.objects.values()))
    entry = AuditEntry.objects.get(action="workforce.import_workers")
    assert entry.detail["created"] == 4 and "1391234" not in str(entry.detail)


@pytest.mark.django_db
def test_it_re_imports_the_same_file_without_duplicates_and_updates_changes(tree: None) -> None:
    assert import_workers(book(GOOD)).created == 4
    again = import_workers(book(GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    changed = [GOOD[0], GOOD[1], row(name="赵敏", position="网格员", phone="", started="2023-03-01"), GOOD[3]]
    third = import_workers(book(changed))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    assert CommunityWorker.objects.count() == 4 and CommunityWorker.objects.get(name="赵敏").position == "grid_worker"


@pytest.mark.django_db
def test_it_counts_without_writing_on_a_dry_run(tree: None) -> None:
    result = import_workers(book(GOOD), dry_run=True)
    assert result.ok and result.dry_run and result.created == 4
    assert not CommunityWorker.objects.exists() and not AuditEntry.objects.filter(action__startswith="workforce").exists()


BAD_ROWS = [
    (row(unit=""), "所属村（社区）代码", "必填"),
    (row(unit="131102999999"), "所属村（社区）代码", "不存在"),
    (row(unit=HEXI), "所属村（社区）代码", "只能登记在村（社区）"),
    (row(name=""), "姓名", "必填"),
    (row(gender="M"), "性别", "男"),
    (row(position="主任"), "职务", "不在可选职务中"),
    (row(phone="12345678901"), "联系电话", "11位手机号码"),
    (row(phone="8888"), "联系电话", "11位手机号码"),
    (row(started=""), "任职日期", "必填"),
    (row(started="2021-02-30"), "任职日期", "不是有效的日期"),
    (row(started="去年"), "任职日期", "YYYY-MM-DD"),
    (row(started="2099-01-01"), "任职日期", "不能晚于今天"),
    (row(ended="2020-01-01"), "离任日期", "不能早于任职日期"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("bad", "column", "reason"), BAD_ROWS)
def test_it_rejects_the_whole_file_for_one_bad_row(tree: None, bad: list[object], column: str, reason: str) -> None:
    result = import_workers(book([GOOD[1], GOOD[2], bad]))
    assert not result.ok and len(result.errors) == 1
    error = result.errors[0]
    assert error.line == 4 and error.column == column and reason in error.reason
    assert str(error).startswith(f"第4行「{column}」")
    assert not CommunityWorker.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_second_serving_secretary_in_the_file(tree: None) -> None:
    result = import_workers(book([row(), row(name="周涛", position="书记兼主任（一人兼）", phone="13700000000")]))
    assert not result.ok
    reasons = [(e.line, e.reason) for e in result.errors]
    assert any(line == 3 and "与第2行同为该村（社区）在任党组织书记" in r for line, r in reasons)
    assert not CommunityWorker.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_secretary_when_the_register_already_has_one(tree: None) -> None:
    worker(ALICE_UNIT, "secretary", name="原书记")
    result = import_workers(book([GOOD[2], row()]))
    assert [(e.line, e.column) for e in result.errors] == [(3, "职务")]
    assert "已有在任党组织书记（原书记）" in result.errors[0].reason
    assert CommunityWorker.objects.count() == 1


@pytest.mark.django_db
def test_it_accepts_a_new_secretary_when_the_file_ends_the_old_one(tree: None) -> None:
    import_workers(book([row(name="原书记", phone="13600000000")]))
    result = import_workers(book([row(name="原书记", phone="13600000000", ended="2025-01-01"), row()]))
    assert result.ok and (result.created, result.updated) == (1, 1)


@pytest.mark.django_db
def test_it_rejects_duplicate_rows_inside_the_file(tree: None) -> None:
    result = import_workers(book([GOOD[2], GOOD[1], GOOD[2]]))
    assert [(e.line, e.column, e.value) for e in result.errors] == [(4, "姓名", "赵敏")]
    assert "与第2行重复" in result.errors[0].reason
    assert not CommunityWorker.objects.exists()


@pytest.mark.django_db
def test_it_reports_a_wrong_header_and_an_empty_file(tree: None) -> None:
    wrong = import_workers(book([row()], headers=["代码", *HEADERS[1:]]))
    assert wrong.errors[0].line == 1 and "所属村（社区）代码" in wrong.errors[0].reason
    assert import_workers(book([])).errors[0].reason == "表格中没有数据行"
    assert not CommunityWorker.objects.exists()


@pytest.mark.django_db
def test_it_exits_non_zero_from_the_command_when_rejected(tree: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(book([GOOD[0], row(name="张三", phone="123")]).getvalue())
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_workers", str(bad))
    assert "第3行「联系电话」（123）：请填写11位手机号码" in capsys.readouterr().err
    assert not CommunityWorker.objects.exists()
    good = tmp_path / "good.xlsx"
    good.write_bytes(book(GOOD).getvalue())
    call_command("import_workers", str(good), "--dry-run")
    assert "试导入" in capsys.readouterr().out and not CommunityWorker.objects.exists()
    call_command("import_workers", str(good))
    assert "新增 4" in capsys.readouterr().out and CommunityWorker.objects.count() == 4


@pytest.mark.django_db
def test_it_exports_with_phones_masked(tree: None, tmp_path: Path) -> None:
    import_workers(book([*GOOD, row(unit=BOB_UNIT, name="桥东人", phone="13811112222")]))
    path = tmp_path / "out.xlsx"
    call_command("export_workers", "--unit", ALICE_UNIT, str(path))
    sheet = load_workbook(path).worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == HEADERS and len(values) == 5
    text = str(values)
    assert "139****5678" in text and "13912345678" not in text and "桥东人" not in text
    stream = BytesIO()
    assert export(stream, CommunityWorker.objects.filter(name="李秀英")) == 1


# ---------------------------------------------------------------- web


@pytest.mark.django_db
def test_it_imports_through_the_page_and_exports_the_filtered_list(world: World, login) -> None:
    client = login(world.alice)
    page = client.get(f"/workforce/units/{ALICE_UNIT}/")
    assert f"/workforce/units/{ALICE_UNIT}/import/" in page.content.decode()
    assert f"/workforce/units/{ALICE_UNIT}/export/" in page.content.decode()
    template = client.get("/workforce/import/template/")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    dry = client.post(f"/workforce/units/{ALICE_UNIT}/import/", {"file": book(GOOD), "dry_run": "on"})
    assert dry.status_code == 200 and "试导入通过" in dry.content.decode() and not CommunityWorker.objects.exists()
    done = client.post(f"/workforce/units/{ALICE_UNIT}/import/", {"file": book(GOOD)})
    assert done.status_code == 302 and CommunityWorker.objects.count() == 4
    out = client.get(f"/workforce/units/{ALICE_UNIT}/export/?position=secretary&status=all")
    rows = [[c.value for c in r] for r in load_workbook(BytesIO(out.content)).worksheets[0].iter_rows()]
    assert rows[1:] == [[ALICE_UNIT, "李秀英", "女", "党组织书记", "139****5678", "2021-06-01", None]]
    assert AuditEntry.objects.filter(action="workforce.export_workers", actor=world.alice).exists()


@pytest.mark.django_db
def test_it_shows_errors_and_offers_the_report_download(world: World, login) -> None:
    client = login(world.alice)
    response = client.post(f"/workforce/units/{ALICE_UNIT}/import/", {"file": book([row(gender="X")])})
    body = response.content.decode()
    assert response.status_code == 400 and "发现 1 处错误" in body and "应填“男”或“女”" in body
    errors = response.context["report"]
    report = client.post("/workforce/import/report/", {"errors": errors})
    rows = [[c.value for c in r] for r in load_workbook(BytesIO(report.content)).worksheets[0].iter_rows()]
    assert rows[0] == ["行号", "列", "值", "原因"] and rows[1][:3] == [2, "性别", "X"]
    assert client.post("/workforce/import/report/", {"errors": "not json"}).status_code == 400


@pytest.mark.django_db
def test_it_refuses_an_upload_into_another_community(world: World, login) -> None:
    client = login(world.alice)
    file = book([row(unit=BOB_UNIT, name="外来写入"), GOOD[2]])
    response = client.post(f"/workforce/units/{ALICE_UNIT}/import/", {"file": file})
    assert response.status_code == 400 and "不在您的管辖范围内" in response.content.decode()
    assert client.post(f"/workforce/units/{BOB_UNIT}/import/", {"file": book([GOOD[2]])}).status_code == 404
    assert not CommunityWorker.objects.exists()


@pytest.mark.django_db
def test_it_keeps_a_county_upload_inside_the_unit_of_the_page(world: World, login) -> None:
    client = login(world.carl)  # 桃城区 staff: bob's community is in scope, but not on alice's page
    response = client.post(f"/workforce/units/{ALICE_UNIT}/import/", {"file": book([row(unit=BOB_UNIT)])})
    assert response.status_code == 400 and "不在游园社区居民委员会范围内" in response.content.decode()
    assert not CommunityWorker.objects.exists()


@pytest.mark.django_db
def test_it_exports_nothing_of_another_community(world: World, login) -> None:
    worker(BOB_UNIT, "full_time", name="桥东人", phone_masked="138****2222")
    assert login(world.alice).get(f"/workforce/units/{BOB_UNIT}/export/").status_code == 404
    out = login(world.alice).get(f"/workforce/units/{ALICE_UNIT}/export/?status=all")
    assert "桥东人" not in str([[c.value for c in r] for r in load_workbook(BytesIO(out.content)).worksheets[0].iter_rows()])

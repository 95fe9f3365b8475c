"""Excel files: volunteers and historical service records imported whole or not at all; the export's hours and stars."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from accounts.models import AuditEntry
from people.crypto import decrypt
from people.tests.factories import id_number
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, World
from volunteers.importers import EXPORT_HEADERS, RECORD_COLUMNS, VOLUNTEER_COLUMNS, import_service_records, import_volunteers
from volunteers.models import ServiceRecord, Volunteer

V_HEAD = [c.header for c in VOLUNTEER_COLUMNS]
R_HEAD = [c.header for c in RECORD_COLUMNS]


def _book(path: Path, header: list[str], rows: list[list[Any]]) -> str:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def _people(n: int = 3) -> list[str]:
    return [id_number(dt.date(1980 + i, 1, 1)) for i in range(n)]


def _volunteer_rows(ids: list[str]) -> list[list[Any]]:
    return [["张一", "居民身份证", ids[0], "13900000001", BOB_UNIT, "社区服务、助老助残", "中共党员"],
            ["李二", "", ids[1], "", BOB_UNIT, "", ""],
            ["王三", "居民身份证", ids[2], "0318-2123456", ALICE_UNIT, "关爱儿童", "共青团员"]]


@pytest.mark.django_db
def test_it_imports_volunteers_encrypted_and_a_second_time_changes_nothing(world: World, tmp_path: Path) -> None:
    ids = _people()
    path = _book(tmp_path / "v.xlsx", V_HEAD, _volunteer_rows(ids))
    result = import_volunteers(path)
    assert (result.ok, result.created) == (True, 3)
    first = Volunteer.objects.get(name="张一")
    assert decrypt(first.id_number_enc) == ids[0] and first.id_number_masked == ids[0][:6] + "*" * 12
    assert (first.categories, first.political_status, first.phone_masked) == (["community", "elderly_disabled"], "01",
                                                                              "139****0001")
    again = import_volunteers(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3) and Volunteer.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "column", "reason"), [
    (["赵四", "居民身份证", "131102199001020000", "", BOB_UNIT, "", ""], "证件号码", "校验位"),
    (["赵四", "居民身份证", "@", "", "131102002000", "", ""], "证件号码", "身份证号码应为18位"),
    (["赵四", "居民身份证", None, "", "131102002000", "", ""], "证件号码", "请填写证件号码"),
    (["赵四", "驾驶证", "X", "", BOB_UNIT, "", ""], "证件类型", "证件类型应为"),
    (["赵四", "", "ID", "", "131102002000", "", ""], "所属村（社区）代码", "村（社区）一级"),
    (["赵四", "", "ID", "12", BOB_UNIT, "", ""], "联系电话", "11位手机号码"),
    (["赵四", "", "ID", "", BOB_UNIT, "飞行", ""], "服务类别", "服务类别应为"),
    (["赵四", "", "ID", "", BOB_UNIT, "", "党员吧"], "政治面貌", "GB/T 4762"),
    (["赵四", "", "DUP", "", BOB_UNIT, "", ""], "证件号码", "与第2行重复"),
])
def test_it_refuses_a_volunteers_file_with_one_bad_row_and_names_it(world: World, tmp_path: Path, row: list[Any],
                                                                    column: str, reason: str) -> None:
    ids = _people()
    row = [ids[2] if v == "ID" else ids[0] if v == "DUP" else v for v in row]
    path = _book(tmp_path / "v.xlsx", V_HEAD, [_volunteer_rows(ids)[0], row])
    result = import_volunteers(path)
    assert not result.ok and not Volunteer.objects.exists() and not AuditEntry.objects.exists()
    error = result.errors[0]
    assert (error.line, error.column) == (3, column) and reason in error.reason, result.errors


@pytest.mark.django_db
def test_it_dry_runs_a_volunteers_file_without_writing(world: World, tmp_path: Path) -> None:
    path = _book(tmp_path / "v.xlsx", V_HEAD, _volunteer_rows(_people()))
    result = import_volunteers(path, dry_run=True)
    assert result.ok and result.created == 3 and not Volunteer.objects.exists()


def _records(ids: list[str]) -> list[list[str]]:
    day = dt.date(2025, 3, 1)
    rows = [[ids[0], "助老", "2025-03-01 09:00", "2025-03-01 11:00", BOB_UNIT],
            [ids[0], "清洁", "2025-03-01 10:00", "2025-03-01 12:00", BOB_UNIT]]
    # ids[1]: exactly 100 hours (5 days of 20 h); ids[2]: 99.5 hours.
    for i in range(5):
        d = day + dt.timedelta(days=i)
        rows.append([ids[1], "值守", f"{d} 02:00", f"{d} 22:00", BOB_UNIT])
        rows.append([ids[2], "值守", f"{d} 02:00", f"{d} 21:54", ALICE_UNIT])
    return rows


@pytest.mark.django_db
def test_it_imports_service_records_and_exports_hours_counted_once_with_stars(world: World, tmp_path: Path) -> None:
    ids = _people()
    assert import_volunteers(_book(tmp_path / "v.xlsx", V_HEAD, _volunteer_rows(ids))).ok
    result = import_service_records(_book(tmp_path / "r.xlsx", R_HEAD, _records(ids)))
    assert result.ok and result.created == 12 and ServiceRecord.objects.filter(confirmed=True, imported=True).count() == 12
    out = tmp_path / "out.xlsx"
    call_command("export_volunteers", "--unit", "131102000000", str(out))
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["张一"][1:] == (ids[0][:6] + "*" * 12, BOB_UNIT, "3.00", None)
    assert by_name["李二"][3:] == ("100.00", "一星")
    assert by_name["王三"][3:] == ("99.50", None)
    assert all(ids[0] not in str(r) for r in rows)
    assert import_service_records(_book(tmp_path / "r.xlsx", R_HEAD, _records(ids))).unchanged == 12


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "column", "reason"), [
    (["OTHER", "助老", "2025-03-01 09:00", "2025-03-01 11:00", BOB_UNIT], "证件号码", "未注册为志愿者"),
    (["ID", "助老", "2025-03-01 09:00", "2025-03-01 08:00", BOB_UNIT], "结束时间", "应晚于开始时间"),
    (["ID", "助老", "2099-03-01 09:00", "2099-03-01 11:00", BOB_UNIT], "开始时间", "不能晚于现在"),
    (["ID", "助老", "2025-03-01", "2025-03-01 11:00", BOB_UNIT], "开始时间", "YYYY-MM-DD HH:MM"),
    (["ID", "助老", "2025-02-30 09:00", "2025-03-01 11:00", BOB_UNIT], "开始时间", "不是有效的时间"),
    (["ID", "助老", "2025-03-01 09:00", "2025-03-01 11:00", ALICE_UNIT], "所属村（社区）代码", "不在您的管辖范围内"),
])
def test_it_refuses_a_service_records_file_with_one_bad_row_and_names_it(world: World, tmp_path: Path, row: list[Any],
                                                                         column: str, reason: str) -> None:
    ids = _people()
    assert import_volunteers(_book(tmp_path / "v.xlsx", V_HEAD, _volunteer_rows(ids))).ok
    row = [ids[0] if v == "ID" else id_number() if v == "OTHER" else v for v in row]
    good = [ids[0], "助老", "2025-03-01 09:00", "2025-03-01 11:00", BOB_UNIT]
    result = import_service_records(_book(tmp_path / "r.xlsx", R_HEAD, [good, row]), actor=world.tom)
    assert not result.ok and not ServiceRecord.objects.exists()
    error = result.errors[0]
    assert (error.line, error.column) == (3, column) and reason in error.reason, result.errors


@pytest.mark.django_db
def test_it_refuses_a_bad_file_on_the_command_line_and_writes_nothing(world: World, tmp_path: Path) -> None:
    ids = _people()
    rows = _volunteer_rows(ids)
    rows[1][2] = "131102199001020000"
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_volunteers", _book(tmp_path / "v.xlsx", V_HEAD, rows))
    assert not Volunteer.objects.exists()
    call_command("import_volunteers", "--dry-run", _book(tmp_path / "ok.xlsx", V_HEAD, _volunteer_rows(ids)))
    assert not Volunteer.objects.exists()

"""Households with their coordinates come in from a spreadsheet: all rows or none."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from people.household_import import COLUMNS, import_households, write_household_template
from people.models import Household
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, World

HEADERS = [c.header for c in COLUMNS]


def workbook(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def row(unit: str, number: str, lng: object = "115.68", lat: object = "37.73", registered: str = "是") -> list[object]:
    return [unit, number, registered, "3", "1", "201", "", "", "游园小区3号楼", lng, lat]


def test_the_template_has_the_columns_in_order() -> None:
    stream = io.BytesIO()
    write_household_template(stream)
    stream.seek(0)
    sheet = load_workbook(stream).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS


def test_it_creates_then_updates_households_with_coordinates(tree: None) -> None:
    result = import_households(workbook([row(ALICE_UNIT, "H-1"), row(BOB_UNIT, "H-2", "115.70", "37.74", "否")]))
    assert (result.created, result.updated) == (2, 0)
    first = Household.objects.get(unit_id=ALICE_UNIT, number="H-1")
    assert (first.lat, first.lng, first.is_registered, first.room) == (37.73, 115.68, True, "201")
    assert Household.objects.get(number="H-2").is_registered is False
    again = import_households(workbook([row(ALICE_UNIT, "H-1"), row(BOB_UNIT, "H-2", "115.71", "37.74", "否")]))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Household.objects.get(number="H-2").lng == 115.71


BAD_ROWS = {
    "unknown unit": (row("131102999999", "H-9"), "所属村（社区）代码"),
    "township, not a village": (row("131102001000", "H-9"), "所属村（社区）代码"),
    "longitude outside the city": (row(ALICE_UNIT, "H-9", "120.5", "37.73"), "经度"),
    "latitude not a number": (row(ALICE_UNIT, "H-9", "115.68", "北纬"), "纬度"),
    "only one coordinate": (row(ALICE_UNIT, "H-9", "115.68", ""), "纬度"),
    "registered is neither 是 nor 否": (row(ALICE_UNIT, "H-9", registered="也许"), "户籍户"),
    "no household number": (row(ALICE_UNIT, ""), "户编号"),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_one_bad_row_rejects_the_whole_file(case: str, tree: None) -> None:
    bad, column = BAD_ROWS[case]
    result = import_households(workbook([row(ALICE_UNIT, "H-ok"), bad]))
    assert not result.ok and result.errors[0].line == 3 and result.errors[0].column == column, result.errors
    assert not Household.objects.filter(number__in=["H-ok", "H-9"]).exists()


def test_duplicate_numbers_in_the_file_are_named(tree: None) -> None:
    result = import_households(workbook([row(ALICE_UNIT, "H-1"), row(ALICE_UNIT, "H-1")]))
    assert [(e.line, "第2行" in e.reason) for e in result.errors] == [(3, True)]
    assert not Household.objects.exists()


def test_a_worker_imports_only_into_their_own_community(world: World) -> None:
    result = import_households(workbook([row(BOB_UNIT, "H-1")]), actor=world.alice)
    assert "管辖范围" in result.errors[0].reason and not Household.objects.exists()


def test_the_command_checks_writes_and_exits_non_zero_on_a_bad_file(tree: None, tmp_path: Path, capsys) -> None:
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook([row(ALICE_UNIT, "H-1")]).getvalue())
    bad.write_bytes(workbook([row(ALICE_UNIT, "H-1", "999", "37.7")]).getvalue())
    call_command("import_households", str(good), "--dry-run")
    assert not Household.objects.exists()
    call_command("import_households", str(good))
    assert "新增 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_households", str(bad))
    assert "第2行「经度」" in capsys.readouterr().err

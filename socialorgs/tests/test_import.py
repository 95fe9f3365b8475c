"""import_social_orgs: all rows or none; the export reads back by cells."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from shequ.testing.world import ALICE_UNIT, BOB_UNIT
from socialorgs.importers import COLUMNS, export, subtree
from socialorgs.models import Organisation
from socialorgs.tests.factories import code

pytestmark = pytest.mark.django_db


def _file(tmp_path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "orgs.xlsx"
    book.save(path)
    return path


GOOD: list[list[object]] = [
    ["桥东社工服务中心", "社会服务机构（民办非企业单位）", "", code(), "登记", "2022-03-01", BOB_UNIT, 6, 2],
    ["桥东邻里互助会", "社会团体", "居民互助性", "", "备案", "2023-05-01", BOB_UNIT, 0, 8],
]


def test_it_imports_every_row_or_none_naming_the_bad_credit_code(tree, tmp_path, capsys) -> None:
    good = str(GOOD[0][3])
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    path = _file(tmp_path, [*GOOD, ["河西为老协会", "社会团体", "", bad, "登记", "2022-01-01", ALICE_UNIT, 3, 0]])
    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command("import_social_orgs", str(path))
    assert "第4行「统一社会信用代码」" in capsys.readouterr().err
    assert not Organisation.objects.exists()
    call_command("import_social_orgs", str(_file(tmp_path, GOOD)), "--dry-run")
    assert not Organisation.objects.exists()
    call_command("import_social_orgs", str(_file(tmp_path, GOOD)))
    assert Organisation.objects.count() == 2
    call_command("import_social_orgs", str(_file(tmp_path, GOOD)))  # the same file again changes nothing
    assert "未变 2" in capsys.readouterr().out


def test_it_refuses_duplicates_and_bad_counts_in_the_file(tree, tmp_path, capsys) -> None:
    rows = [GOOD[0], [*GOOD[0][:3], code(), *GOOD[0][4:]], [*GOOD[1][:7], "很多", 1]]
    with pytest.raises(CommandError):
        call_command("import_social_orgs", str(_file(tmp_path, rows)))
    err = capsys.readouterr().err
    assert "与第2行重复" in err and "专职人员数应为" in err
    assert not Organisation.objects.exists()


def test_it_exports_the_register_columns(tree, tmp_path) -> None:
    call_command("import_social_orgs", str(_file(tmp_path, GOOD)))
    Organisation.objects.filter(name="桥东邻里互助会").update(dissolved_on=dt.date(2024, 1, 1))
    stream = BytesIO()
    assert export(stream, subtree(BOB_UNIT[:9])) == 2
    rows = list(load_workbook(BytesIO(stream.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][:9] == tuple(c.header for c in COLUMNS)
    assert rows[2][0] == "桥东邻里互助会" and rows[2][9] == "2024-01-01"
    assert rows[1][3] == GOOD[0][3] and rows[1][7] == 6

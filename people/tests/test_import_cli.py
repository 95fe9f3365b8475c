import io

import pytest
from django.core.management import CommandError, call_command

from people.models import Resident
from people.tests.io_helpers import book, person

pytestmark = pytest.mark.django_db


def write(tmp_path, rows):
    path = tmp_path / "residents.xlsx"
    path.write_bytes(book(rows))
    return str(path)


def test_it_imports_from_the_command_line_with_a_progress_bar(tree, tmp_path) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_residents", write(tmp_path, [person(1), person(2, unit="131103100201")]), stdout=out, stderr=err)
    assert "导入完成：新增居民 2 人" in out.getvalue()
    assert "已校验 2/2" in err.getvalue() and "100%" in err.getvalue()
    assert Resident.objects.count() == 2


def test_it_exits_non_zero_and_prints_the_errors_when_rejected(tree, tmp_path) -> None:
    out = io.StringIO()
    report = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("import_residents", write(tmp_path, [person(1), person(2, **{"性别": "女"})]),
                     "--errors", str(report), "--no-progress", stdout=out)
    assert "第3行「性别」（女）：性别与身份证号码不符" in out.getvalue()
    assert report.exists()
    assert Resident.objects.count() == 0


def test_it_writes_nothing_in_a_dry_run(tree, tmp_path) -> None:
    out = io.StringIO()
    call_command("import_residents", write(tmp_path, [person(1)]), "--dry-run", "--no-progress", stdout=out)
    assert "校验通过" in out.getvalue()
    assert Resident.objects.count() == 0


def test_it_exits_non_zero_for_a_missing_file(tree, tmp_path) -> None:
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_residents", str(tmp_path / "nope.xlsx"))

"""The division import: real counts, classification, idempotence, and every malformed-file case."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from places.importers import import_divisions
from places.models import OrgUnit

REAL = Path(__file__).resolve().parents[1] / "data" / "hengshui_divisions.csv"
HEADER = "code,name,level,parent_code\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "divisions.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_it_holds_the_real_hengshui_tree(tree: None) -> None:
    counts = {level: OrgUnit.objects.filter(level=level).count() for level in ("city", "county", "township", "village")}
    assert counts == {"city": 1, "county": 13, "township": 129, "village": 5118}
    assert OrgUnit.objects.get(code="131100000000").child_count == 13
    assert OrgUnit.objects.get(code="131102001045").parent_id == "131102001000"


def test_it_classifies_every_village_level_unit(tree: None) -> None:
    villages = OrgUnit.objects.filter(level="village")
    assert villages.filter(kind="rural").count() + villages.filter(kind="urban").count() == 5118
    assert OrgUnit.objects.get(code="131102001045").kind == "urban"  # 游园社区居民委员会
    assert OrgUnit.objects.get(code="131121100300").kind == "rural"  # 东滕村村民委员会
    # The three 管理区 of the Jizhou high-tech zone have no villagers' committee: urban.
    assert set(OrgUnit.objects.filter(name__endswith="管理区").values_list("kind", flat=True)) == {"urban"}
    assert not villages.exclude(kind__in=["urban", "rural"]).exists()


def test_it_changes_nothing_on_a_second_run_and_says_so(tree: None, capsys: pytest.CaptureFixture[str]) -> None:
    result = import_divisions(REAL)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5261)
    call_command("import_divisions", str(REAL))
    assert "无变化" in capsys.readouterr().out


def test_it_adds_new_units_and_updates_child_counts(tree: None, tmp_path: Path) -> None:
    path = write(tmp_path, "131102001999,测试社区居民委员会,village,131102001000\n")
    before = OrgUnit.objects.get(code="131102001000").child_count
    result = import_divisions(path)
    assert result.ok and result.created == 1
    assert OrgUnit.objects.get(code="131102001000").child_count == before + 1
    assert OrgUnit.objects.get(code="131102001999").prefix == "131102001999"


MALFORMED = {
    "unknown parent": ("131102001998,新社区,village,131102999000\n", 2, "上级代码不存在"),
    "malformed code": ("13110200199,新社区,village,131102001000\n", 2, "12位数字"),
    "letters in code": ("13110200199A,新社区,village,131102001000\n", 2, "12位数字"),
    "level does not fit parent": ("131102001998,新社区,village,131102000000\n", 2, "上级应为 township"),
    "unknown level": ("131102001998,新社区,hamlet,131102001000\n", 2, "层级"),
    "code outside its parent": ("131103001998,新社区,village,131102001000\n", 2, "前缀"),
    "digits after the significant prefix": ("131102001100,新镇,township,131102000000\n", 2, "全为0"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_it_imports_nothing_from_a_malformed_file(case: str, tree: None, tmp_path: Path) -> None:
    bad_row, line, reason = MALFORMED[case]
    good_row = "131102001997,好社区居民委员会,village,131102001000\n"
    path = write(tmp_path, good_row + bad_row)
    before = OrgUnit.objects.count()
    result = import_divisions(path)
    assert not result.ok
    assert any(e.line == line + 1 and reason in e.reason for e in result.errors), result.errors
    assert OrgUnit.objects.count() == before
    assert not OrgUnit.objects.filter(code="131102001997").exists()


def test_it_reports_duplicate_codes_with_both_lines(tree: None, tmp_path: Path) -> None:
    path = write(tmp_path, "131102001996,甲社区,village,131102001000\n131102001996,乙社区,village,131102001000\n")
    result = import_divisions(path)
    assert [(e.line, "重复" in e.reason, "第2行" in e.reason) for e in result.errors] == [(3, True, True)]
    assert not OrgUnit.objects.filter(code="131102001996").exists()


def test_it_rejects_a_file_with_a_missing_column(tree: None, tmp_path: Path) -> None:
    path = write(tmp_path, "131102001995,新社区,village\n", header="code,name,level\n")
    result = import_divisions(path)
    assert result.errors[0].line == 1 and "parent_code" in result.errors[0].reason


def test_the_command_names_the_line_and_exits_non_zero(tree: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "131102001998,新社区,village,131102999000\n")
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_divisions", str(path))
    assert "第2行" in capsys.readouterr().err


def test_it_loads_every_department_the_plan_names(tree: None) -> None:
    from places.importers import department_by_name
    from places.models import Department

    assert Department.objects.count() == 38
    for name in ("市委组织部", "市民政局", "人行衡水市中心支行", "各县市区人民政府", "衡水高新区和滨湖新区管委会"):
        assert department_by_name(name) is not None, name
    assert department_by_name("市团委") == Department.objects.get(name="团市委")

"""A delivery is checked whole, lands whole (only its changes) or not at all, and is diffed against the last one."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from exchange import importers, services
from exchange.models import Batch, Dataset, Fact
from exchange.selectors import values_on
from exchange.tests.helpers import csv_bytes, department_user, villages, xlsx_bytes
from places.models import Department, OrgUnit
from shequ.testing.world import BOB_UNIT, HEDONG, JIZHOU

CONNECTIVITY = ["行政村代码", "通5G", "通宽带", "统计日期"]
ASSOCIATIONS = ["村（社区）代码", "成立日期", "主席姓名"]


def rows(header: list[str], *lines: list[object]) -> list[tuple[int, dict[str, object]]]:
    return [(n, dict(zip(header, line, strict=False))) for n, line in enumerate(lines, start=2)]


def deliver(dataset: Dataset, data: list[tuple[int, dict[str, object]]], **kw: object) -> services.Delivery:
    return services.deliver(dataset=dataset, rows=data, actor=None, channel="command", source_name="t.csv", **kw)  # type: ignore[arg-type]  # **kw holds the optional keyword arguments of the service by name


@pytest.mark.django_db
def test_it_lands_a_batch_and_diffs_the_next_one_per_unit(datasets: dict[str, Dataset]) -> None:
    a, b, c = villages("131102", "rural", 3)
    ds = datasets["village_connectivity"]
    first = deliver(ds, rows(CONNECTIVITY, [a, "是", "是", "2024-12-31"], [b, "否", "是", "2024-12-31"],
                             [c, "否", "否", "2024-12-31"]))
    assert first.ok and first.added == sorted([a, b, c]) and first.batch is not None
    assert (first.batch.status, first.batch.row_count, first.batch.added) == ("landed", 3, 3)
    # Second batch: b gets 5G, c is no longer listed (removed), a unchanged, d new.
    d = villages("131103", "rural", 1)[0]
    second = deliver(ds, rows(CONNECTIVITY, [a, "是", "是", "2025-06-30"], [b, "是", "是", "2025-06-30"],
                              [d, "是", "否", "2025-06-30"]))
    assert (second.added, second.changed, second.removed, second.unchanged) == ([d], [b], [c], 1)
    batch = Batch.objects.get(pk=second.batch.pk)
    assert batch.diff == {"added": [d], "changed": [b], "removed": [c]}
    assert (batch.added, batch.changed, batch.removed, batch.unchanged) == (1, 1, 1, 1)
    # Only the changes are written: 3 + (d, b, c's removal).
    assert Fact.objects.count() == 6
    # A value holds from its date until a later batch changes it.
    before = values_on("village_connectivity", dt.date(2025, 3, 31))
    assert before[b]["has_5g"] is False and c in before and d not in before
    after = values_on("village_connectivity", dt.date(2025, 12, 31))
    assert after[b]["has_5g"] is True and c not in after and after[d]["has_broadband"] is False
    assert after[a] == {"has_5g": True, "has_broadband": True}


@pytest.mark.django_db
def test_it_lands_nothing_when_one_row_is_bad_and_says_which_row_and_why(datasets: dict[str, Dataset]) -> None:
    a, b = villages("131102", "rural", 2)
    urban = villages("131102", "urban", 1)[0]
    ds = datasets["village_connectivity"]
    result = deliver(ds, rows(CONNECTIVITY,
                              [a, "是", "是", "2025-06-30"],
                              ["131102999999", "是", "是", "2025-06-30"],   # unknown
                              [urban, "是", "是", "2025-06-30"],            # a community, not a 行政村
                              [HEDONG, "是", "是", "2025-06-30"],           # a township
                              [b, "有", "是", "2025-06-30"],                # not 是/否
                              [a, "否", "否", "2025-06-30"],                # duplicate
                              [b, "是", "是", "2025-02-30"]))               # no such day
    reasons = {(e.line, e.column): e.reason for e in result.errors}
    assert reasons[(3, "行政村代码")] == "区划代码不存在"
    assert "不是行政村" in reasons[(4, "行政村代码")]
    assert "村（社区）级" in reasons[(5, "行政村代码")]
    assert "是" in reasons[(6, "通5G")]
    assert reasons[(7, "行政村代码")] == "与第2行是同一单位，一个单位只能有一行"
    assert reasons[(8, "统计日期")] == "不是有效的日期"
    assert not Fact.objects.exists()
    assert Batch.objects.get().status == "rejected" and len(Batch.objects.get().errors) == 6


@pytest.mark.django_db
def test_it_refuses_a_row_outside_the_datasets_remit(datasets: dict[str, Dataset]) -> None:
    ds = datasets["disabled_persons_associations"]
    ds.remit = OrgUnit.objects.get(code="131102000000")  # a county federation's dataset: 桃城区 only
    ds.save(update_fields=["remit"])
    jizhou = villages(JIZHOU, "rural", 1)[0]
    result = deliver(ds, rows(ASSOCIATIONS, [BOB_UNIT, "2020-05-01", "张三"], [jizhou, "2021-01-01", "李四"]))
    assert [(e.line, e.reason) for e in result.errors] == [(3, "不在本部门该数据集的职责范围内")]
    assert not Fact.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_batch_for_another_departments_dataset(datasets: dict[str, Dataset], world) -> None:
    health = department_user("health_commission", "hank")
    data = rows(ASSOCIATIONS, [BOB_UNIT, "2020-05-01", "张三"])
    for actor in (health, world.erin, world.cindy, world.bob):
        with pytest.raises(ValidationError, match="市残联报送"):
            services.deliver(dataset=datasets["disabled_persons_associations"], rows=data, actor=actor, channel="api")
    assert not Batch.objects.exists() and not Fact.objects.exists()
    federation = department_user("disabled_persons_federation", "fred")
    done = services.deliver(dataset=datasets["disabled_persons_associations"], rows=data, actor=federation, channel="api")
    assert done.ok and done.batch is not None and done.batch.sender == federation


@pytest.mark.django_db
def test_it_refuses_an_older_value_over_a_newer_one(datasets: dict[str, Dataset]) -> None:
    a = villages("131102", "rural", 1)[0]
    ds = datasets["village_connectivity"]
    assert deliver(ds, rows(CONNECTIVITY, [a, "是", "是", "2025-06-30"])).ok
    late = deliver(ds, rows(CONNECTIVITY, [a, "否", "是", "2025-01-31"]))
    assert [e.line for e in late.errors] == [2] and "早于已入库的值" in late.errors[0].reason
    assert values_on("village_connectivity", dt.date(2025, 12, 31))[a]["has_5g"] is True


@pytest.mark.django_db
def test_it_reads_csv_and_xlsx_with_extra_columns_and_refuses_a_wrong_header(datasets: dict[str, Dataset]) -> None:
    spec = datasets["general_practitioners"].spec
    table: list[list[object]] = [["单位代码", "全科医生数", "统计日期", "备注"], [BOB_UNIT, 3, "2025-06-30", "新增1人"], [HEDONG, "2", "2025-06-30", ""]]
    for name, data in (("g.csv", csv_bytes(table)), ("g.xlsx", xlsx_bytes(table))):
        checked = importers.check(spec, importers.file_rows(name, data, spec))
        assert not checked.errors, name
        assert [(r.unit, r.values) for r in checked.rows] == [
            (BOB_UNIT, {"count": 3, "extra": {"备注": "新增1人"}}),
            (HEDONG, {"count": 2})]
        assert [r.as_of for r in checked.rows] == [dt.date(2025, 6, 30)] * 2
    with pytest.raises(importers.HeaderMismatch) as caught:
        importers.file_rows("g.csv", csv_bytes([["单位代码", "医生数", "统计日期"]]), spec)
    assert "第2列应为「全科医生数」" in str(caught.value)
    with pytest.raises(importers.HeaderMismatch):
        importers.file_rows("g.txt", b"x", spec)
    with pytest.raises(importers.HeaderMismatch) as control:
        importers.file_rows("g.csv", csv_bytes([table[0], [BOB_UNIT, "3", "2025-06-30", "备\x07注"]]), spec)
    assert control.value.errors[0].line == 2 and control.value.errors[0].column == "备注"


@pytest.mark.django_db
def test_it_imports_from_the_command_with_a_dry_run_first(datasets: dict[str, Dataset], tmp_path: Path) -> None:
    path = tmp_path / "friendly.csv"
    path.write_bytes(csv_bytes([["村（社区）代码", "命名年份", "命名机关"], [BOB_UNIT, "2024", "国家卫生健康委"]]))
    out = StringIO()
    call_command("import_dataset", "elderly_friendly_communities", str(path), "--dry-run", stdout=out)
    assert "校验通过（未写入）" in out.getvalue() and "新增 1" in out.getvalue()
    assert not Batch.objects.exists() and not Fact.objects.exists()
    call_command("import_dataset", "elderly_friendly_communities", str(path), stdout=StringIO())
    assert values_on("elderly_friendly_communities", dt.date(2024, 12, 31)) == {BOB_UNIT: {"year": 2024, "body": "国家卫生健康委"}}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["村（社区）代码", "命名年份", "命名机关"], [BOB_UNIT, "1999", "国家卫生健康委"]]))
    with pytest.raises(CommandError, match="第2行「命名年份」（1999）：应为 2000～"):
        call_command("import_dataset", "elderly_friendly_communities", str(bad), stdout=StringIO())
    with pytest.raises(CommandError, match="没有这个数据集"):
        call_command("import_dataset", "gps", str(path), stdout=StringIO())
    assert Fact.objects.count() == 1


@pytest.mark.django_db
def test_it_creates_the_four_datasets_once_and_keeps_a_configured_owner(tree: None) -> None:
    call_command("sync_datasets", stdout=StringIO())
    owners = dict(Dataset.objects.values_list("code", "department__code"))
    assert owners == {"general_practitioners": "health_commission", "village_connectivity": "development_reform",
                      "elderly_friendly_communities": "health_commission",
                      "disabled_persons_associations": "disabled_persons_federation"}
    Dataset.objects.filter(code="village_connectivity").update(department=Department.objects.get(code="civil_affairs"))
    out = StringIO()
    call_command("sync_datasets", stdout=out)
    assert "新建数据集 0 个" in out.getvalue() and Dataset.objects.count() == 4
    assert Dataset.objects.get(code="village_connectivity").department.code == "civil_affairs"

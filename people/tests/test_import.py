import io

import pytest
from openpyxl import load_workbook

from people.importers import HEADERS, ResidentImporter, write_resident_template
from people.models import Household, Resident, ResidentTag
from people.tests.io_helpers import ALICE_UNIT, BOB_UNIT, book, name_for, person

pytestmark = pytest.mark.django_db


def run(data: bytes, **kwargs):
    return ResidentImporter(**kwargs).import_file(io.BytesIO(data))


def test_it_offers_a_template_with_the_headers_in_order_and_drop_downs() -> None:
    out = io.BytesIO()
    write_resident_template(out)
    out.seek(0)
    sheet = load_workbook(out).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "姓名", "性别", "出生日期", "证件类型", "证件号码", "联系电话", "所属村（社区）代码", "户编号", "与户主关系", "现住址", "人员标签",
    ]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["B2"] == '"男,女"'
    assert "居民身份证" in lists["D2"]
    assert "户主" in lists["I2"]


def test_it_imports_valid_rows_with_households_heads_and_tags(tree: None) -> None:
    rows = [
        person(1, household="A1", relation="户主", tags="独居、残疾"),
        person(2, household="A1", relation="配偶", gender="女", **{"出生日期": ""}),
        person(3, unit=BOB_UNIT, household="B1", relation="户主", tags="退役军人,低保"),
    ]
    result = run(book(rows))
    assert result.ok, result.errors
    assert result.created == 3 and result.households_created == 2
    household = Household.objects.get(unit_id=ALICE_UNIT, number="A1")
    assert household.head is not None and household.head.name == name_for(1)
    assert household.members.count() == 2
    spouse = Resident.objects.get(name=name_for(2))
    assert spouse.gender == "F" and spouse.birth_date.isoformat() == "1950-03-07"
    assert set(ResidentTag.objects.filter(resident__name=name_for(1)).values_list("tag", flat=True)) == {"living_alone", "disabled"}
    assert spouse.id_number_masked == "131102" + "*" * 12
    assert spouse.phone_masked.startswith("139****")


def test_it_attaches_rows_to_an_existing_household(tree: None) -> None:
    assert run(book([person(1, household="A1")])).ok
    result = run(book([person(2, household="A1", relation="子女")]))
    assert result.ok and result.households_created == 0
    assert Household.objects.get(number="A1").members.count() == 2


BAD_ROWS = {
    "missing name": ({"姓名": ""}, "姓名", "请填写姓名"),
    "bad check digit": ({"证件号码": "131102195003070012"}, "证件号码", "校验位"),
    "short id": ({"证件号码": "13110219500307"}, "证件号码", "18位"),
    "gender disagrees": ({"性别": "女"}, "性别", "不符"),
    "birth disagrees": ({"出生日期": "1951-03-07"}, "出生日期", "不符"),
    "bad phone": ({"联系电话": "12345"}, "联系电话", "11位手机号码"),
    "unknown unit": ({"所属村（社区）代码": "131102999999"}, "所属村（社区）代码", "不存在"),
    "not a village": ({"所属村（社区）代码": "131102001000"}, "所属村（社区）代码", "村（社区）一级"),
    "unknown tag": ({"人员标签": "独居、外星人"}, "人员标签", "未知的人员标签"),
    "bad relation": ({"与户主关系": "邻居"}, "与户主关系", "与户主关系应为"),
    "bad date": ({"出生日期": "七月"}, "出生日期", "YYYY-MM-DD"),
    "missing household": ({"户编号": ""}, "户编号", "请填写户编号"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS), ids=list(BAD_ROWS))
def test_it_writes_nothing_when_any_row_is_bad(tree: None, case: str) -> None:
    change, column, reason = BAD_ROWS[case]
    rows = [person(1), person(2), person(3, **change)]
    before = (Resident.objects.count(), Household.objects.count())
    result = run(book(rows))
    assert not result.ok
    assert (Resident.objects.count(), Household.objects.count()) == before
    error = result.errors[0]
    assert error.line == 4 and error.column == column and reason in error.reason, result.errors


def test_it_rejects_duplicates_inside_the_file_and_against_the_register(tree: None) -> None:
    assert run(book([person(1)])).ok
    twice = person(2)
    result = run(book([twice, person(3), dict(twice, **{"户编号": "X"}), person(1, household="Z")]))
    assert not result.ok
    reasons = {(e.line, e.reason) for e in result.errors}
    assert (4, "证件号码在文件中重复（与第2行相同）") in reasons
    assert any(line == 5 and "已在本辖区登记" in reason for line, reason in reasons)  # the operator sees the city
    assert Resident.objects.count() == 1


def test_it_rejects_two_heads_for_one_household(tree: None) -> None:
    result = run(book([person(1, household="A"), person(2, household="A")]))
    assert [(e.line, e.column) for e in result.errors] == [(3, "与户主关系")]
    assert Resident.objects.count() == 0


def test_it_rejects_units_outside_the_importers_scope(world) -> None:
    result = run(book([person(1, unit=BOB_UNIT)]), actor=world.alice)
    assert [e.reason for e in result.errors] == ["该村（社区）不在您的管辖范围内"]
    assert Resident.objects.count() == 0


def test_it_masks_id_and_phone_values_in_the_error_report(tree: None) -> None:
    row = person(1, **{"联系电话": "238001380012"})
    row["证件号码"] = row["证件号码"][:-1] + ("0" if row["证件号码"][-1] != "0" else "1")
    result = run(book([row]))
    values = {e.column: e.value for e in result.errors}
    assert values["证件号码"] == row["证件号码"][:6] + "*" * 12
    assert "13800138" not in values["联系电话"]


def test_it_reports_a_wrong_header(tree: None) -> None:
    headers = list(HEADERS)
    headers[1], headers[2] = headers[2], headers[1]
    result = run(book([person(1)], headers=headers))
    assert not result.ok and result.errors[0].line == 1
    assert Resident.objects.count() == 0


def test_it_writes_nothing_in_a_dry_run(tree: None) -> None:
    result = run(book([person(1), person(2)]), dry_run=True)
    assert result.ok and result.checked == 2 and "仅校验" in result.summary()
    assert Resident.objects.count() == 0 and Household.objects.count() == 0


def test_it_refuses_restricted_tags_without_the_right(world) -> None:
    result = run(book([person(1, tags="社区矫正对象")]), actor=world.alice)
    assert [e.column for e in result.errors] == ["人员标签"]
    assert "受限标签" in result.errors[0].reason

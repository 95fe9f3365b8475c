from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from accounts.models import AuditEntry
from facilities.importers import (
    FACILITY_COLUMNS,
    POINT_COLUMNS,
    export,
    facility_row,
    import_facilities,
    import_profiles,
    import_service_points,
    write_import_template,
)
from facilities.models import CommunityProfile, Facility, ServicePoint
from facilities.tests.helpers import workbook

HEADER = [c.header for c in FACILITY_COLUMNS]
FIRST_TWELVE = ["所属村（社区）代码", "设施名称", "设施类型", "状态", "建成日期", "建筑面积（㎡）", "居民活动区域面积（㎡）",
                "办公面积（㎡）", "工作日开放时间", "周末开放时间", "经度", "纬度"]
ALICE_UNIT, BOB_UNIT, HEXI = "131102001045", "131102002018", "131102001000"


def row(**over: object) -> list[object]:
    base = {
        "所属村（社区）代码": ALICE_UNIT, "设施名称": "游园社区党群服务中心", "设施类型": "综合服务设施", "状态": "在用",
        "建成日期": "2022-05-01", "建筑面积（㎡）": 650, "居民活动区域面积（㎡）": 420, "办公面积（㎡）": 80,
        "工作日开放时间": "08:30-17:30", "周末开放时间": "09:00-12:00", "经度": 115.67, "纬度": 37.74,
        "入驻服务": "儿童之家、志愿服务站点", "无障碍坡道": "是",
    }
    base.update(over)
    return [base.get(h, "") for h in HEADER]


def test_it_starts_the_facility_template_with_the_twelve_headers_in_order() -> None:
    stream = BytesIO()
    write_import_template(stream, "facilities")
    stream.seek(0)
    sheet = load_workbook(stream).worksheets[0]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headers[:12] == FIRST_TWELVE
    assert HEADER[:12] == FIRST_TWELVE


def test_it_imports_a_good_file_and_reimporting_changes_nothing(tree: None) -> None:
    result = import_facilities(workbook(HEADER, [row(), row(**{"设施名称": "河西街道健身广场", "所属村（社区）代码": HEXI,
                                                           "设施类型": "健身场地", "建筑面积（㎡）": "",
                                                           "居民活动区域面积（㎡）": "", "办公面积（㎡）": ""})]))
    assert result.ok and result.created == 2
    hall = Facility.objects.get(name="游园社区党群服务中心")
    assert hall.kind == "comprehensive" and float(hall.building_area) == 650
    assert hall.opening_hours == ["08:30-17:30"] * 5 + ["09:00-12:00"] * 2
    assert hall.min_weekday_minutes == 540
    assert sorted(hall.services.values_list("service", flat=True)) == ["children_home", "volunteer_station"]
    assert hall.has_ramp and not hall.has_lift
    again = import_facilities(workbook(HEADER, [row()]))
    assert again.ok and again.unchanged == 1 and again.created == 0
    changed = import_facilities(workbook(HEADER, [row(**{"工作日开放时间": "09:00-12:00", "入驻服务": "儿童之家"})]))
    assert changed.updated == 1
    hall.refresh_from_db()
    assert hall.min_weekday_minutes == 180
    assert list(hall.services.values_list("service", flat=True)) == ["children_home"]


@pytest.mark.parametrize(("over", "column", "words"), [
    ({"所属村（社区）代码": "131102001999"}, "所属村（社区）代码", "不存在"),
    ({"设施类型": "游泳馆"}, "设施类型", "不在可选值中"),
    ({"状态": "使用中"}, "状态", "不在可选值中"),
    ({"建成日期": "2022/13/01"}, "建成日期", "YYYY-MM-DD"),
    ({"建筑面积（㎡）": "六百"}, "建筑面积（㎡）", "数字"),
    ({"居民活动区域面积（㎡）": 700}, "居民活动区域面积（㎡）", "不能大于建筑面积"),
    ({"工作日开放时间": "8点到5点"}, "工作日开放时间", "HH:MM-HH:MM"),
    ({"周末开放时间": "18:00-09:00"}, "周末开放时间", "晚于开始时间"),
    ({"经度": 37.74, "纬度": 115.67}, "经度", "填反"),
    ({"纬度": ""}, "纬度", "同时填写"),
    ({"所属村（社区）代码": HEXI}, "所属村（社区）代码", "只能属于村（社区）"),
    ({"状态": "停用"}, "停用日期", "应填写停用日期"),
    ({"入驻服务": "KTV"}, "入驻服务", "不在可选服务中"),
    ({"无障碍坡道": "也许"}, "无障碍坡道", "是"),
])
def test_it_rejects_a_bad_row_with_its_line_and_column_and_writes_nothing(tree: None, over: dict[str, object], column: str,
                                                                          words: str) -> None:
    good = row(**{"设施名称": "另一处设施"})
    result = import_facilities(workbook(HEADER, [good, row(**over)]))
    assert not result.ok
    assert Facility.objects.count() == 0
    error = result.errors[0]
    assert error.line == 3 and error.column == column and words in error.reason, str(error)


def test_it_reports_duplicate_rows_and_every_bad_line(tree: None) -> None:
    result = import_facilities(workbook(HEADER, [row(), row(), row(**{"设施类型": "X", "设施名称": "B"})]))
    assert [e.line for e in result.errors] == [3, 4]
    assert "与第2行重复" in result.errors[0].reason


def test_it_rejects_a_file_with_wrong_headers_or_no_workbook(tree: None) -> None:
    swapped = HEADER.copy()
    swapped[0], swapped[1] = swapped[1], swapped[0]
    result = import_facilities(workbook(swapped, [row()]))
    assert not result.ok and result.errors[0].line == 1 and "第1列应为「所属村（社区）代码」" in result.errors[0].reason
    assert not import_facilities(BytesIO(b"not a workbook")).ok
    assert Facility.objects.count() == 0


def test_it_refuses_units_outside_the_importing_users_scope(world) -> None:
    result = import_facilities(workbook(HEADER, [row(**{"所属村（社区）代码": BOB_UNIT})]), actor=world.alice)
    assert not result.ok and "管辖范围" in result.errors[0].reason
    assert import_facilities(workbook(HEADER, [row()]), actor=world.alice).ok


def test_it_exports_facilities_in_a_form_that_imports_again(tree: None) -> None:
    import_facilities(workbook(HEADER, [row()]))
    stream = BytesIO()
    export(stream, FACILITY_COLUMNS, Facility.objects.prefetch_related("services"), facility_row, title="服务设施")
    stream.seek(0)
    Facility.objects.all().delete()
    result = import_facilities(stream)
    assert result.ok and result.created == 1
    assert Facility.objects.get().opening_hours[5] == "09:00-12:00"


def test_it_imports_service_points_and_profiles(tree: None) -> None:
    header = [c.header for c in POINT_COLUMNS]
    ok = import_service_points(workbook(header, [[ALICE_UNIT, "惠民超市", "超市便利店", "张三", 115.67, 37.74, "07:00-22:00"]]))
    assert ok.ok and ServicePoint.objects.get().opening_hours == "07:00-22:00"
    bad = import_service_points(workbook(header, [[ALICE_UNIT, "X", "夜总会", "", "", "", ""]]))
    assert not bad.ok and bad.errors[0].column == "网点类型"
    profile_header = ["所属村（社区）代码", "社区总建筑面积（㎡）", "商业和综合服务设施面积（㎡）", "空心村治理集中安置社区"]
    assert import_profiles(workbook(profile_header, [[ALICE_UNIT, 100000, 12000, "否"]])).ok
    assert CommunityProfile.objects.get().commercial_share == pytest.approx(0.12)
    too_big = import_profiles(workbook(profile_header, [[ALICE_UNIT, 1000, 1200, "否"]]))
    assert not too_big.ok and "不能大于" in too_big.errors[0].reason


def test_it_imports_from_the_command_line_and_fails_loudly_on_errors(tree: None, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook(HEADER, [row()]).getvalue())
    bad.write_bytes(workbook(HEADER, [row(**{"设施类型": "X"})]).getvalue())
    call_command("import_facilities", str(good))
    assert Facility.objects.count() == 1
    assert AuditEntry.objects.filter(action="facilities.facility_import").exists()
    report = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_facilities", str(bad), "--errors", str(report))
    assert report.exists()
    points = tmp_path / "points.xlsx"
    points.write_bytes(workbook([c.header for c in POINT_COLUMNS], [[ALICE_UNIT, "邮政所", "邮政网点"]]).getvalue())
    call_command("import_service_points", str(points))
    assert ServicePoint.objects.count() == 1

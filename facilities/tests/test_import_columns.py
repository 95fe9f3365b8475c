"""A facility file with the first twelve columns only is imported; a wrong header is one line naming what is missing."""

from facilities.importers import FACILITY_COLUMNS, import_facilities, import_service_points
from facilities.models import Facility, ServicePoint
from facilities.tests.helpers import workbook

HEADER = [c.header for c in FACILITY_COLUMNS]
ALICE_UNIT = "131102001045"
VALUES = {
    "所属村（社区）代码": ALICE_UNIT, "设施名称": "游园社区党群服务中心", "设施类型": "综合服务设施", "状态": "在用",
    "建成日期": "2022-05-01", "建筑面积（㎡）": 650, "居民活动区域面积（㎡）": 420, "办公面积（㎡）": 80,
    "工作日开放时间": "08:30-17:30", "周末开放时间": "09:00-12:00", "经度": 115.67, "纬度": 37.74,
    "地址": "游园街1号", "入驻服务": "儿童之家", "无障碍坡道": "是",
}


def row(headers: list[str], **over: object) -> list[object]:
    values = {**VALUES, **over}
    return [values.get(h, "") for h in headers]


def test_it_imports_a_file_with_the_first_twelve_columns_only(tree: None) -> None:
    result = import_facilities(workbook(HEADER[:12], [row(HEADER[:12])]))
    assert result.ok and result.created == 1
    hall = Facility.objects.get()
    assert float(hall.building_area) == 650 and hall.lat == 37.74 and hall.address == "" and not hall.has_ramp


def test_it_keeps_what_a_facility_has_in_the_columns_a_file_leaves_off(tree: None) -> None:
    assert import_facilities(workbook(HEADER, [row(HEADER)])).created == 1
    result = import_facilities(workbook(HEADER[:14], [row(HEADER[:14], **{"建筑面积（㎡）": 700})]))
    assert result.ok and result.updated == 1
    hall = Facility.objects.get()
    assert float(hall.building_area) == 700
    assert hall.address == "游园街1号" and hall.has_ramp
    assert list(hall.services.values_list("service", flat=True)) == ["children_home"]


def test_it_names_every_missing_column_in_one_line(tree: None) -> None:
    headers = HEADER[:5] + HEADER[6:10]  # 建筑面积 left out, and the file stops before 经度
    result = import_facilities(workbook(headers, [row(headers)]))
    assert not result.ok and len(result.errors) == 1
    error = result.errors[0]
    assert error.line == 1 and error.reason.startswith("表头不符：")
    assert "第6列应为「建筑面积（㎡）」" in error.reason and "第12列应为「纬度」" in error.reason
    assert Facility.objects.count() == 0


def test_it_still_needs_every_column_of_a_service_point_file(tree: None) -> None:
    result = import_service_points(workbook(["所属村（社区）代码", "网点名称", "网点类型"], [[ALICE_UNIT, "便民超市", "超市"]]))
    assert not result.ok and len(result.errors) == 1 and "第4列应为「经营主体」" in result.errors[0].reason
    assert ServicePoint.objects.count() == 0

"""Excel import and export of facilities, service points and community floor areas.

Every importer reads the whole file first and checks every row; only when no row has an
error does it write, all rows in one transaction (a row that names an existing
(unit, name) updates it). Otherwise nothing is written and the errors come back with
their Excel line numbers (shequ.importing.RowError), ready for write_error_report.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.models import User
from facilities import services
from facilities.hours import parse_hours
from facilities.models import (
    ACCESSIBILITY,
    CommunityProfile,
    Facility,
    FacilityKind,
    FacilityService,
    FacilityStatus,
    HousedService,
    PointKind,
    ServicePoint,
)
from places.models import OrgUnit
from shequ.importing import ImportResult, RowError
from shequ.xlsx import Column, HeaderMismatch, read_rows, write_table, write_template

YES = {"是", "有", "Y", "y", "yes", "1", "√", "✓", "TRUE", "true"}
NO = {"否", "无", "N", "n", "no", "0", "", "FALSE", "false", "×"}

CODE = "所属村（社区）代码"
UNIT_NOTE = "12位统计用区划代码。综合服务设施填村（社区）代码；专项设施也可填乡镇（街道）代码。"
HOURS_NOTE = "HH:MM-HH:MM，例如 08:30-17:30；多个时段用逗号分隔（08:00-12:00,14:00-18:00）；不开放留空。"

FACILITY_COLUMNS = [
    Column(CODE, required=True, width=16, note=UNIT_NOTE),
    Column("设施名称", required=True, width=28),
    Column("设施类型", required=True, choices=FacilityKind.labels, width=20, note="综合服务设施即党群服务中心／综合服务站。"),
    Column("状态", required=True, choices=FacilityStatus.labels, width=8),
    Column("建成日期", width=12, note="YYYY-MM-DD。"),
    Column("建筑面积（㎡）", width=12, note="数字，不含单位。"),
    Column("居民活动区域面积（㎡）", width=14, note="不大于建筑面积。"),
    Column("办公面积（㎡）", width=12, note="活动区域与办公面积之和不大于建筑面积。"),
    Column("工作日开放时间", width=16, note="周一至周五。" + HOURS_NOTE),
    Column("周末开放时间", width=16, note="周六、周日。" + HOURS_NOTE),
    Column("经度", width=12, note="十进制度，例如 115.6702（衡水约 115.1～116.6）。"),
    Column("纬度", width=12, note="十进制度，例如 37.7390（衡水约 37.0～38.3）。"),
    Column("投入使用日期", width=12, note="YYYY-MM-DD；空则以建成日期为准。"),
    Column("停用日期", width=12, note="YYYY-MM-DD；状态为停用时必填。"),
    Column("地址", width=30),
    Column("入驻服务", width=40, note="用顿号“、”分隔，可选：" + "、".join(HousedService.labels)),
    Column("无障碍坡道", choices=["是", "否"], width=10),
    Column("无障碍卫生间", choices=["是", "否"], width=10),
    Column("电梯", choices=["是", "否"], width=8),
    Column("盲道", choices=["是", "否"], width=8),
    Column("备注", width=30),
]
# A facility file needs the first twelve columns (unit to latitude); the rest may be left off from the end.
FACILITY_LEADING = 12
OPTIONAL_FACILITY_FIELD = {
    "投入使用日期": "opened_on", "停用日期": "closed_on", "地址": "address", "入驻服务": "services", "无障碍坡道": "has_ramp",
    "无障碍卫生间": "has_accessible_toilet", "电梯": "has_lift", "盲道": "has_tactile_paving", "备注": "note",
}
POINT_COLUMNS = [
    Column(CODE, required=True, width=16, note="12位村（社区）代码。"),
    Column("网点名称", required=True, width=28),
    Column("网点类型", required=True, choices=PointKind.labels, width=16),
    Column("经营主体", width=24),
    Column("经度", width=12, note="十进制度。"),
    Column("纬度", width=12, note="十进制度。"),
    Column("营业时间", width=16, note=HOURS_NOTE),
    Column("状态", choices=FacilityStatus.labels, width=8, note="空则为在用。"),
    Column("开业日期", width=12, note="YYYY-MM-DD。"),
    Column("停业日期", width=12, note="YYYY-MM-DD；状态为停用时必填。"),
    Column("地址", width=30),
]
PROFILE_COLUMNS = [
    Column(CODE, required=True, width=16, note="12位村（社区）代码。"),
    Column("社区总建筑面积（㎡）", required=True, width=16),
    Column("商业和综合服务设施面积（㎡）", required=True, width=18, note="不大于社区总建筑面积；占比由系统计算。"),
    Column("空心村治理集中安置社区", choices=["是", "否"], width=14),
]

KIND_BY_LABEL = {label: value for value, label in FacilityKind.choices} | {v: v for v in FacilityKind.values}
KIND_BY_LABEL |= {"综合服务站": FacilityKind.COMPREHENSIVE, "党群服务中心": FacilityKind.COMPREHENSIVE}
STATUS_BY_LABEL = {label: value for value, label in FacilityStatus.choices} | {v: v for v in FacilityStatus.values}
POINT_KIND_BY_LABEL = {label: value for value, label in PointKind.choices} | {v: v for v in PointKind.values}
SERVICE_BY_LABEL = {label: value for value, label in HousedService.choices} | {v: v for v in HousedService.values}

# Which Excel column reports an error on which input field.
FACILITY_FIELD_COLUMN = {
    "unit": CODE, "name": "设施名称", "kind": "设施类型", "status": "状态", "built_on": "建成日期",
    "building_area": "建筑面积（㎡）", "activity_area": "居民活动区域面积（㎡）", "office_area": "办公面积（㎡）",
    "opening_hours": "工作日开放时间", "lng": "经度", "lat": "纬度", "opened_on": "投入使用日期",
    "closed_on": "停用日期", "services": "入驻服务",
}
POINT_FIELD_COLUMN = {
    "unit": CODE, "name": "网点名称", "kind": "网点类型", "status": "状态", "opening_hours": "营业时间",
    "lng": "经度", "lat": "纬度", "opened_on": "开业日期", "closed_on": "停业日期",
}


class CellError(Exception):
    def __init__(self, column: str, value: str, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def parse_date(row: dict[str, str], column: str) -> dt.date | None:
    text = row.get(column, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError as exc:
        raise CellError(column, text, "日期格式应为 YYYY-MM-DD") from exc


def parse_area(row: dict[str, str], column: str) -> Decimal:
    text = row.get(column, "").strip().replace(",", "").removesuffix("㎡").removesuffix("平方米").strip()
    if not text:
        return Decimal(0)
    try:
        value = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise CellError(column, row[column], "应为数字（平方米）") from exc
    if value < 0 or not value.is_finite():
        raise CellError(column, row[column], "面积不能为负数")
    return value


def parse_float(row: dict[str, str], column: str) -> float | None:
    text = row.get(column, "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise CellError(column, text, "应为十进制度数，例如 115.6702") from exc


def parse_flag(row: dict[str, str], column: str) -> bool:
    text = row.get(column, "").strip()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(column, text, "应填“是”或“否”")


def parse_choice(row: dict[str, str], column: str, mapping: dict[str, str], default: str | None = None) -> str:
    text = row.get(column, "").strip()
    if not text and default is not None:
        return default
    if text not in mapping:
        raise CellError(column, text, "不在可选值中，请从下拉列表中选择")
    return mapping[text]


def parse_services(row: dict[str, str], column: str) -> list[str]:
    import re

    text = row.get(column, "").strip()
    names = [n.strip() for n in re.split(r"[、,，;；/]", text) if n.strip()]
    unknown = [n for n in names if n not in SERVICE_BY_LABEL]
    if unknown:
        raise CellError(column, "、".join(unknown), "入驻服务不在可选服务中")
    return sorted({SERVICE_BY_LABEL[n] for n in names})


class Importer:
    """Reads every row, validates all of them, then writes all rows or none."""

    columns: Sequence[Column] = ()
    leading: int | None = None  # columns a file must have; None: all of them
    action = ""

    def __init__(self, *, actor: User | None = None):
        self.actor = actor
        self.absent: list[str] = []
        self.units: dict[str, OrgUnit] = {}

    def unit(self, code: str) -> OrgUnit:
        code = code.strip()
        if code not in self.units:
            raise CellError(CODE, code, "区划代码不存在（应为12位统计用区划代码）")
        unit = self.units[code]
        if not services.actor_may_write(self.actor, unit.code):
            raise CellError(CODE, code, "不在您的管辖范围内")
        return unit

    def parse(self, line: int, row: dict[str, str]) -> Any:
        raise NotImplementedError

    def key(self, item: Any) -> tuple[str, str]:
        return (item.unit.code, item.name)

    def write(self, items: list[Any]) -> ImportResult:
        raise NotImplementedError

    def run(self, file: str | IO[bytes]) -> ImportResult:
        result = ImportResult()
        try:
            rows = list(read_rows(file, self.columns, leading=self.leading))
        except HeaderMismatch as exc:
            result.errors = exc.errors
            return result
        # Columns left off the end of the file: read as empty, and an existing record keeps what it has there.
        present = set(rows[0][1]) if rows else set()
        self.absent = [c.header for c in self.columns if c.header not in present]
        rows = [(line, {**row, **dict.fromkeys(self.absent, "")}) for line, row in rows]
        codes = {row.get(CODE, "").strip() for _, row in rows}
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        items: list[Any] = []
        seen: dict[tuple[str, str], int] = {}
        for line, row in rows:
            try:
                item = self.parse(line, row)
            except CellError as exc:
                result.errors.append(RowError(line, exc.reason, exc.column, exc.value))
                continue
            except ValidationError as exc:
                result.errors.append(RowError(line, "；".join(exc.messages)))
                continue
            if item is None:
                continue
            key = self.key(item)
            if key in seen:
                result.errors.append(RowError(line, f"与第{seen[key]}行重复（同一单位同名）", self.columns[1].header, key[1]))
                continue
            seen[key] = line
            items.append(item)
        if not rows:
            result.errors.append(RowError(2, "表格中没有数据行"))
        if result.errors:
            return result
        with transaction.atomic():
            written = self.write(items)
            audit.record(actor=self.actor, action=self.action, username="import" if self.actor is None else "",
                         detail={"created": written.created, "updated": written.updated, "unchanged": written.unchanged})
        return written


def _field_errors(line: int, errors: dict[str, str], mapping: dict[str, str], row: dict[str, str]) -> NoReturn:
    first_field, message = next(iter(errors.items()))
    column = mapping.get(first_field, "")
    raise CellError(column, row.get(column, ""), "".join(errors.values()) if len(errors) > 1 else message)


class FacilityImporter(Importer):
    columns = FACILITY_COLUMNS
    leading = FACILITY_LEADING
    action = "facilities.facility_import"

    def parse(self, line: int, row: dict[str, str]) -> services.FacilityInput:
        unit = self.unit(row[CODE])
        weekday_text, weekend_text = row["工作日开放时间"].strip(), row["周末开放时间"].strip()
        data = services.FacilityInput(
            unit=unit, name=row["设施名称"], kind=parse_choice(row, "设施类型", KIND_BY_LABEL),
            status=parse_choice(row, "状态", STATUS_BY_LABEL), built_on=parse_date(row, "建成日期"),
            opened_on=parse_date(row, "投入使用日期"), closed_on=parse_date(row, "停用日期"),
            building_area=parse_area(row, "建筑面积（㎡）"), activity_area=parse_area(row, "居民活动区域面积（㎡）"),
            office_area=parse_area(row, "办公面积（㎡）"),
            opening_hours=[weekday_text] * 5 + [weekend_text] * 2,
            has_ramp=parse_flag(row, "无障碍坡道"), has_accessible_toilet=parse_flag(row, "无障碍卫生间"),
            has_lift=parse_flag(row, "电梯"), has_tactile_paving=parse_flag(row, "盲道"),
            address=row.get("地址", ""), lat=parse_float(row, "纬度"), lng=parse_float(row, "经度"),
            note=row.get("备注", ""), services=parse_services(row, "入驻服务"),
        )
        try:
            parse_hours(weekend_text)
        except ValidationError as exc:
            raise CellError("周末开放时间", weekend_text, exc.messages[0]) from exc
        errors = services.validate_facility(data)
        if errors:
            _field_errors(line, errors, FACILITY_FIELD_COLUMN, row)
        return data

    def _keep_absent(self, facility: Facility, data: services.FacilityInput, current: list[str]) -> services.FacilityInput:
        """A column the file left off changes nothing on an existing facility."""
        kept = {OPTIONAL_FACILITY_FIELD[c]: getattr(facility, OPTIONAL_FACILITY_FIELD[c]) for c in self.absent
                if c in OPTIONAL_FACILITY_FIELD}
        if "services" in kept:
            kept["services"] = current
        return dataclasses.replace(data, **kept)

    def write(self, items: list[services.FacilityInput]) -> ImportResult:
        result = ImportResult()
        existing = {
            (f.unit_id, f.name): f
            for f in Facility.objects.filter(unit__in=[i.unit for i in items]).prefetch_related("services")
        }
        new, changed_services = [], []
        for data in items:
            facility = existing.get((data.unit.code, data.name))
            if facility is None:
                facility = Facility(unit=data.unit)
                services._apply(facility, data)
                new.append((facility, data.services))
                continue
            current = sorted(s.service for s in facility.services.all())
            data = self._keep_absent(facility, data, current)
            changed = services._apply(facility, data)
            if changed:
                facility.save(update_fields=[*changed, "updated_at"])
            if current != data.services:
                changed_services.append((facility, data.services))
            if changed or current != data.services:
                result.updated += 1
            else:
                result.unchanged += 1
        Facility.objects.bulk_create([f for f, _ in new], batch_size=1000)
        if not all(f.pk for f, _ in new):  # SQLite < 3.35 / backends without RETURNING
            keyed = {(f.unit_id, f.name): f.pk for f in Facility.objects.filter(unit__in=[f.unit for f, _ in new])}
            for f, _ in new:
                f.pk = keyed[(f.unit_id, f.name)]
        result.created = len(new)
        FacilityService.objects.filter(facility__in=[f for f, _ in changed_services]).delete()
        FacilityService.objects.bulk_create(
            [FacilityService(facility=f, service=s) for f, wanted in [*new, *changed_services] for s in wanted],
            batch_size=2000,
        )
        return result


class PointImporter(Importer):
    columns = POINT_COLUMNS
    action = "facilities.point_import"

    def parse(self, line: int, row: dict[str, str]) -> services.PointInput:
        data = services.PointInput(
            unit=self.unit(row[CODE]), name=row["网点名称"], kind=parse_choice(row, "网点类型", POINT_KIND_BY_LABEL),
            operator=row.get("经营主体", ""), status=parse_choice(row, "状态", STATUS_BY_LABEL, FacilityStatus.IN_USE),
            opened_on=parse_date(row, "开业日期"), closed_on=parse_date(row, "停业日期"),
            opening_hours=row.get("营业时间", ""), address=row.get("地址", ""),
            lat=parse_float(row, "纬度"), lng=parse_float(row, "经度"),
        )
        errors = services.validate_point(data)
        if errors:
            _field_errors(line, errors, POINT_FIELD_COLUMN, row)
        return data

    def write(self, items: list[services.PointInput]) -> ImportResult:
        result = ImportResult()
        existing = {(p.unit_id, p.name): p for p in ServicePoint.objects.filter(unit__in=[i.unit for i in items])}
        new = []
        for data in items:
            point = existing.get((data.unit.code, data.name))
            if point is None:
                point = ServicePoint(unit=data.unit)
                services._apply_point(point, data)
                new.append(point)
                continue
            changed = services._apply_point(point, data)
            if changed:
                point.save(update_fields=[*changed, "updated_at"])
                result.updated += 1
            else:
                result.unchanged += 1
        ServicePoint.objects.bulk_create(new, batch_size=1000)
        result.created = len(new)
        return result


class ProfileImporter(Importer):
    columns = PROFILE_COLUMNS
    action = "facilities.profile_import"

    def key(self, item: Any) -> tuple[str, str]:
        return (item[0].code, item[0].code)

    def parse(self, line: int, row: dict[str, str]) -> tuple[OrgUnit, Decimal, Decimal, bool]:
        unit = self.unit(row[CODE])
        if unit.level != OrgUnit.Level.VILLAGE:
            raise CellError(CODE, unit.code, "只有村（社区）填写社区建筑面积")
        total = parse_area(row, "社区总建筑面积（㎡）")
        commercial = parse_area(row, "商业和综合服务设施面积（㎡）")
        errors = services.validate_profile(total, commercial)
        if errors:
            column = "商业和综合服务设施面积（㎡）" if "commercial_service_area" in errors else "社区总建筑面积（㎡）"
            raise CellError(column, row[column], next(iter(errors.values())))
        return unit, total, commercial, parse_flag(row, "空心村治理集中安置社区")

    def write(self, items: list[tuple[OrgUnit, Decimal, Decimal, bool]]) -> ImportResult:
        result = ImportResult()
        existing = {p.unit_id: p for p in CommunityProfile.objects.filter(unit__in=[i[0] for i in items])}
        new = []
        for unit, total, commercial, relocation in items:
            profile = existing.get(unit.code)
            values = {"total_building_area": total, "commercial_service_area": commercial, "is_relocation_community": relocation}
            if profile is None:
                new.append(CommunityProfile(unit=unit, **values))
            elif any(getattr(profile, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(profile, k, v)
                profile.save(update_fields=[*values, "updated_at"])
                result.updated += 1
            else:
                result.unchanged += 1
        CommunityProfile.objects.bulk_create(new, batch_size=1000)
        result.created = len(new)
        return result


def import_facilities(file: str | IO[bytes], *, actor: User | None = None) -> ImportResult:
    return FacilityImporter(actor=actor).run(file)


def import_service_points(file: str | IO[bytes], *, actor: User | None = None) -> ImportResult:
    return PointImporter(actor=actor).run(file)


def import_profiles(file: str | IO[bytes], *, actor: User | None = None) -> ImportResult:
    return ProfileImporter(actor=actor).run(file)


# ---------------------------------------------------------------- templates and exports

INSTRUCTIONS = [
    "第一行为表头，请勿修改表头的文字和顺序；从第二行起每行一条。服务设施表的前12列必须有，其后各列可整列省略。",
    "导入时先检查全部行：任何一行有错误，整个文件都不会导入，并给出逐行的错误报告。",
    "同一单位下同名的记录视为同一条：再次导入会更新原有记录。",
]
TEMPLATES: dict[str, tuple[Sequence[Column], str]] = {
    "facilities": (FACILITY_COLUMNS, "服务设施"),
    "points": (POINT_COLUMNS, "便民服务网点"),
    "profiles": (PROFILE_COLUMNS, "社区建筑面积"),
}


def write_import_template(stream: IO[bytes], which: str) -> None:
    columns, title = TEMPLATES[which]
    write_template(stream, columns, title=title, instructions=INSTRUCTIONS)


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _n(value: Decimal | float | None) -> float | str:
    return "" if value is None else float(value)


def facility_row(f: Facility) -> list[Any]:
    hours = (list(f.opening_hours or []) + [""] * 7)[:7]
    service_labels = "、".join(HousedService(s.service).label for s in f.services.all())
    return [
        f.unit_id, f.name, FacilityKind(f.kind).label, FacilityStatus(f.status).label, _d(f.built_on),
        _n(f.building_area), _n(f.activity_area), _n(f.office_area), hours[0], hours[5], _n(f.lng), _n(f.lat),
        _d(f.opened_on), _d(f.closed_on), f.address, service_labels,
        *["是" if getattr(f, name) else "否" for name in ACCESSIBILITY], f.note,
    ]


def point_row(p: ServicePoint) -> list[Any]:
    return [p.unit_id, p.name, PointKind(p.kind).label, p.operator, _n(p.lng), _n(p.lat), p.opening_hours,
            FacilityStatus(p.status).label, _d(p.opened_on), _d(p.closed_on), p.address]


def export(stream: IO[bytes], columns: Sequence[Column], rows: Iterable[Any], row: Callable[[Any], list[Any]], *,
           title: str) -> int:
    """Write the rows with the import template's headers, so the export can be edited and imported again."""
    return write_table(stream, [c.header for c in columns], (row(r) for r in rows), title=title)


def write_error_report_file(path: Any, errors: list[RowError]) -> None:
    from shequ.xlsx import write_error_report

    with open(path, "wb") as stream:
        write_error_report(stream, errors)

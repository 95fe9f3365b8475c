"""The datasets departments feed (数据接入), defined in code: fields, types, standards, the unit level.

Each dataset is one ``Spec``. The first columns of its file are fixed (``fields``, in order); more columns
may follow and are kept, as text, under ``values["extra"]``. The unit column is always first. ``as_of`` says
which field gives the date a row is true on (统计日期, 成立日期, or 1 January of 命名年份).
The database row (models.Dataset) holds what may be configured: the owning department, the remit.
"""

import datetime as dt
from dataclasses import dataclass

UNIT, INT, YES_NO, DATE, YEAR, TEXT = "unit", "int", "yes_no", "date", "year", "text"
TYPE_LABELS = {UNIT: "12位统计用区划代码", INT: "非负整数", YES_NO: "是/否", DATE: "日期 YYYY-MM-DD",
               YEAR: "四位年份", TEXT: "文字"}
MAX_INT = 10_000
MAX_TEXT = 50


@dataclass(frozen=True)
class Field:
    header: str
    key: str
    type: str
    standard: str = ""
    note: str = ""


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    department: str          # places.Department.code of the default owner
    levels: tuple[str, ...]  # OrgUnit levels a row may name
    rural_only: bool         # only 行政村 (rural village-level units)
    frequency: str           # models.Frequency value
    fields: tuple[Field, ...]
    as_of: str               # key of the field that dates a row

    @property
    def headers(self) -> list[str]:
        return [f.header for f in self.fields]

    def date_of(self, values: dict[str, object]) -> dt.date:
        raw = values[self.as_of]
        if isinstance(raw, int):
            return dt.date(raw, 1, 1)
        return dt.date.fromisoformat(str(raw))


DIVISION_CODE = "GB/T 2260 与国家统计局统计用区划代码（12位）"
GB_T_7408 = "GB/T 7408 日期 YYYY-MM-DD"

SPECS: dict[str, Spec] = {spec.code: spec for spec in [
    Spec("general_practitioners", "全科医生", "health_commission", ("village", "township"), False, "year", (
        Field("单位代码", "unit", UNIT, DIVISION_CODE, "村（社区）或乡镇（街道，即乡镇卫生院服务区域）"),
        Field("全科医生数", "count", INT, "", "注册全科医生人数"),
        Field("统计日期", "as_of", DATE, GB_T_7408),
    ), "as_of"),
    Spec("village_connectivity", "行政村通5G和宽带", "development_reform", ("village",), True, "quarter", (
        Field("行政村代码", "unit", UNIT, DIVISION_CODE, "只能是行政村（农村村级单位）"),
        Field("通5G", "has_5g", YES_NO),
        Field("通宽带", "has_broadband", YES_NO, "", "固定宽带"),
        Field("统计日期", "as_of", DATE, GB_T_7408),
    ), "as_of"),
    Spec("elderly_friendly_communities", "国家级老年友好型社区", "health_commission", ("village",), False, "year", (
        Field("村（社区）代码", "unit", UNIT, DIVISION_CODE),
        Field("命名年份", "year", YEAR, "", "国家卫生健康委公布名单的年份"),
        Field("命名机关", "body", TEXT),
    ), "year"),
    Spec("disabled_persons_associations", "村（社区）残疾人协会", "disabled_persons_federation", ("village",), False, "year", (
        Field("村（社区）代码", "unit", UNIT, DIVISION_CODE),
        Field("成立日期", "established_on", DATE, GB_T_7408),
        Field("主席姓名", "chair", TEXT, "", "协会主席（公开职务，不进入开放数据）"),
    ), "established_on"),
]}

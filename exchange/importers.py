"""Reading and checking a delivery of a dataset (.xlsx, CSV or JSON rows), whole, before anything lands.

Every row is checked — the unit code (12 digits, known, of the level the dataset allows, a 行政村 where
it must be, inside the dataset's remit), each field's type, duplicates of a unit inside the file — and
every error comes back with its line (RowError). services.deliver lands the rows only when there is none.
Line numbers: the spreadsheet's or the CSV's line (the header is line 1); for JSON rows, 1 + the row's index.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone

from exchange.datasets import DATE, INT, MAX_INT, MAX_TEXT, TEXT, YEAR, YES_NO, Spec
from places.models import OrgUnit
from shequ import inputs
from shequ.importing import RowError
from shequ.xlsx import Column, HeaderMismatch, read_rows, write_template

MAX_ROWS = 20_000
YES, NO = "是", "否"
EARLIEST = dt.date(1949, 10, 1)
INT_RE, DATE_RE, CODE_RE = re.compile(r"\d{1,6}"), re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(r"\d{12}")


@dataclass
class Row:
    line: int
    unit: str
    as_of: dt.date
    values: dict[str, Any]


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class _CellError(Exception):
    def __init__(self, column: str, value: str, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def columns(spec: Spec) -> list[Column]:
    return [Column(f.header, required=True, choices=[YES, NO] if f.type == YES_NO else None, width=16,
                   note=" ".join(p for p in (f.note, f.standard) if p)) for f in spec.fields]


def template(stream: IO[bytes], spec: Spec) -> None:
    write_template(stream, columns(spec), title=spec.name, instructions=[
        "第一行为表头，前几列的文字和顺序不能改；其后可以增加列，原样保存。",
        "每个单位一行。整个文件作为一个批次：任何一行有错误，整批都不入库，并给出逐行的错误报告。",
        "批次是该数据集的完整清单：上一批有、这一批没有的单位视为删除。",
    ])


def _parse(column: str, kind: str, text: str, today: dt.date) -> Any:
    if not text:
        raise _CellError(column, "", "必填")
    if kind == INT:
        if not INT_RE.fullmatch(text) or int(text) > MAX_INT:
            raise _CellError(column, text, f"应为 0～{MAX_INT} 的整数")
        return int(text)
    if kind == YES_NO:
        if text not in (YES, NO):
            raise _CellError(column, text, "只能填“是”或“否”")
        return text == YES
    if kind == DATE:
        if not DATE_RE.fullmatch(text):
            raise _CellError(column, text, "日期格式应为 YYYY-MM-DD")
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise _CellError(column, text, "不是有效的日期") from exc
        if not EARLIEST <= day <= today:  # the message of inputs.date_error, without asking the clock per cell
            raise _CellError(column, text, inputs.date_error(day, label=column, earliest=EARLIEST, past=True))
        return day.isoformat()
    if kind == YEAR:
        if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= today.year:
            raise _CellError(column, text, f"应为 2000～{today.year} 的四位年份")
        return int(text)
    if kind == TEXT:
        if len(text) > MAX_TEXT:
            raise _CellError(column, text[:MAX_TEXT], f"不能超过{MAX_TEXT}个字")
        return text
    raise AssertionError(kind)


def _unit_error(spec: Spec, code: str, units: dict[str, tuple[str, str]], remit: str) -> str:
    if not CODE_RE.fullmatch(code):
        return "应为12位统计用区划代码"
    if code not in units:
        return "区划代码不存在"
    level, kind = units[code]
    if level not in spec.levels:
        return "只能是村（社区）或乡镇（街道）" if "township" in spec.levels else "只能是村（社区）级单位"
    if spec.rural_only and kind != OrgUnit.Kind.RURAL:
        return "不是行政村（这是城市社区）"
    if remit and not code.startswith(remit):
        return "不在本部门该数据集的职责范围内"
    return ""


def check(spec: Spec, rows: Iterable[tuple[int, dict[str, Any]]], *, remit: str = "") -> Checked:
    """Every row checked; rows only when there is no error at all."""
    out = Checked()
    raw = list(rows)
    if len(raw) > MAX_ROWS:
        out.errors.append(RowError(1, f"一个批次最多 {MAX_ROWS} 行，本文件有 {len(raw)} 行"))
        return out
    if not raw:
        out.errors.append(RowError(1, "文件中没有数据行"))
        return out
    unit_field = spec.fields[0]
    codes = {str(r.get(unit_field.header, "")).strip() for _, r in raw}
    # A big batch names most of the tree: reading the whole tree (5,261 rows) beats an IN list of thousands.
    known = OrgUnit.objects.all() if len(codes) > 500 else OrgUnit.objects.filter(code__in=codes)
    units = {c: (lv, k) for c, lv, k in known.values_list("code", "level", "kind")}
    today = timezone.localdate()
    fixed = set(spec.headers)
    first_line: dict[str, int] = {}
    for line, row in raw:
        texts = {str(k): "" if v is None else str(v).strip() for k, v in row.items()}
        code = texts.get(unit_field.header, "")
        problems: list[RowError] = []
        reason = "必填" if not code else _unit_error(spec, code, units, remit)
        if reason:
            problems.append(RowError(line, reason, unit_field.header, code))
        elif code in first_line:
            problems.append(RowError(line, f"与第{first_line[code]}行是同一单位，一个单位只能有一行", unit_field.header, code))
        values: dict[str, Any] = {}
        for f in spec.fields[1:]:
            try:
                values[f.key] = _parse(f.header, f.type, texts.get(f.header, ""), today)
            except _CellError as exc:
                problems.append(RowError(line, exc.reason, exc.column, exc.value))
        extra = {k[:MAX_TEXT]: v[:200] for k, v in texts.items() if k not in fixed and k and v}
        if extra:
            values["extra"] = extra
        if problems:
            out.errors.extend(problems)
            continue
        first_line[code] = line
        as_of = spec.date_of(values)
        values.pop("as_of", None)  # 统计日期 dates the row; it is not one of its values
        out.rows.append(Row(line, code, as_of, values))
    if out.errors:
        out.rows = []
    return out


def spreadsheet_rows(file: str | IO[bytes], spec: Spec) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of an .xlsx (raises HeaderMismatch for a wrong header)."""
    return read_rows(file, columns(spec), leading=len(spec.fields))


def csv_rows(data: bytes, spec: Spec) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV in UTF-8 (with or without BOM) or GB18030, the header checked like a spreadsheet's."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise HeaderMismatch([RowError(1, "无法识别文件编码，请保存为 UTF-8 的 CSV")])
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    while header and not header[-1]:
        header.pop()
    if any(inputs.find_forbidden(h) is not None for h in header):
        raise HeaderMismatch([RowError(1, inputs.FORBIDDEN_MESSAGE)])
    wrong = [(i, name) for i, name in enumerate(spec.headers) if (header[i] if i < len(header) else "") != name]
    if wrong:
        raise HeaderMismatch([RowError(1, "表头不符：" + "；".join(f"第{i + 1}列应为「{n}」" for i, n in wrong))])
    out = []
    for line, values in enumerate(reader, start=2):
        cells = [v.strip() for v in values[:len(header)]]
        if not any(cells):
            continue
        cells += [""] * (len(header) - len(cells))
        bad = next((i for i, text in enumerate(cells) if inputs.find_forbidden(text) is not None), None)
        if bad is not None:  # like read_rows: the whole file is refused (JSON bodies are checked by the middleware)
            raise HeaderMismatch([RowError(line, inputs.FORBIDDEN_MESSAGE, header[bad], inputs.strip_forbidden(cells[bad]))])
        out.append((line, dict(zip(header, cells, strict=True))))
    return out


def json_rows(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return [(index + 1, row) for index, row in enumerate(rows)]


def file_rows(name: str, data: bytes, spec: Spec) -> list[tuple[int, dict[str, str]]]:
    """Rows of an uploaded or given file, by its extension (.xlsx or .csv)."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return csv_rows(data, spec)
    if lower.endswith(".xlsx"):
        return list(spreadsheet_rows(io.BytesIO(data), spec))
    raise HeaderMismatch([RowError(1, "只能上传 .xlsx 或 .csv 文件")])

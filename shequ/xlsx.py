"""Excel in and out, the way every register does it (openpyxl).

- write_template: the header row community workers fill in, with drop-downs for fixed
  vocabularies and a 说明 sheet.
- read_rows: streams a workbook (read-only mode, flat memory) and yields
  (Excel line number, {header: text}); checks the header row first.
- write_error_report: the row-by-row error report as a workbook.
- write_table: streams any table out (write-only mode), optionally watermarked. Every text is written as a
  text cell, never a formula (OWASP "CSV/formula injection"): a name typed as =HYPERLINK(…) stays that text.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shequ import inputs
from shequ.importing import RowError
from shequ.rates import PERCENT_FORMAT

HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
HEADER_FONT = Font(bold=True)
MAX_VALIDATION_ROWS = 100_000
# A spreadsheet reads text starting with one of these as a formula once the cell is edited or re-typed.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False
    choices: Sequence[str] | None = None
    width: int = 14
    note: str = ""


class HeaderMismatch(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def write_template(stream: IO[bytes], columns: Sequence[Column], *, title: str, instructions: Iterable[str] = ()) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([c.header for c in columns])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        sheet.column_dimensions[letter].width = column.width
        if column.choices:
            # A list longer than 255 characters must live on a sheet of its own.
            joined = ",".join(column.choices)
            if len(joined) <= 250:
                formula = f'"{joined}"'
            else:
                lists = book["选项"] if "选项" in book.sheetnames else book.create_sheet("选项")
                lists.cell(row=1, column=index, value=column.header)
                for row, choice in enumerate(column.choices, start=2):
                    lists.cell(row=row, column=index, value=choice)
                formula = f"'选项'!${letter}$2:${letter}${len(column.choices) + 1}"
            validation = DataValidation(type="list", formula1=formula, allow_blank=not column.required,
                                        showErrorMessage=True, errorTitle="取值不在列表中",
                                        error=f"「{column.header}」请从下拉列表中选择")
            validation.add(f"{letter}2:{letter}{MAX_VALIDATION_ROWS}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 80
    notes.append(["列", "填写说明"])
    for column in columns:
        rule = ("必填。" if column.required else "可空。") + column.note
        if column.choices and len(column.choices) <= 30:
            rule += " 可选：" + "、".join(column.choices)
        notes.append([column.header, rule])
    for line in instructions:
        notes.append(["", line])
    book.save(stream)


def cell_text(value: Any) -> str:
    """Cell value as the text a worker typed: dates as YYYY-MM-DD, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(file: str | IO[bytes], columns: Sequence[Column], *, leading: int | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for every non-empty data row; the header must start with columns, in order.

    leading: only the first `leading` columns must be there; the others may be left off from the end (a row then
    has no key for them: the importer decides what a column left off means).
    A wrong header is one error line naming every column that is missing or out of place.
    """
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise HeaderMismatch([RowError(1, f"无法读取该文件，请上传 .xlsx 格式的表格（{type(exc).__name__}）")]) from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [cell_text(v) for v in next(rows, ())]
        while header and not header[-1]:
            header.pop()
        expected = [c.header for c in columns]
        needed = len(expected) if leading is None else max(leading, min(len(header), len(expected)))
        wrong = [(index, name) for index, name in enumerate(expected[:needed])
                 if (header[index] if index < len(header) else "") != name]
        if wrong:
            first = wrong[0][1]
            found = header[wrong[0][0]] if wrong[0][0] < len(header) else ""
            raise HeaderMismatch([RowError(1, "表头不符：" + "；".join(f"第{i + 1}列应为「{name}」" for i, name in wrong), first, found)])
        width = len(header)
        for line, values in enumerate(rows, start=2):
            texts = [cell_text(v) for v in values[:width]]
            if not any(texts):
                continue
            texts += [""] * (width - len(texts))
            bad = next((i for i, text in enumerate(texts) if inputs.find_forbidden(text) is not None), None)
            if bad is not None:  # the whole file is refused, like a bad header: nothing is written
                raise HeaderMismatch([RowError(line, inputs.FORBIDDEN_MESSAGE, header[bad], inputs.strip_forbidden(texts[bad]))])
            yield line, dict(zip(header, texts, strict=True))
    finally:
        book.close()


def write_error_report(stream: IO[bytes], errors: Iterable[RowError]) -> None:
    write_table(stream, ["行号", "列", "值", "原因"], ([e.line, e.column, e.value, e.reason] for e in errors), title="错误报告")


def write_table(stream: IO[bytes], headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str,
                watermark: str = "") -> int:
    """Stream a table to a workbook; returns the number of data rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    if watermark:
        sheet.oddHeader.center.text = watermark
        sheet.oddFooter.center.text = watermark
        mark = WriteOnlyCell(sheet, value=watermark)
        mark.font = Font(color="A4161A", bold=True)
        sheet.append([mark])
    header_cells = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_value_cell(sheet, value) for value in row])
        count += 1
    book.save(stream)
    return count


class Percent(NamedTuple):
    """A rate (0.747) to be written as a number shown as a percentage (74.7%), not as text."""

    value: float | None


def _value_cell(sheet: Any, value: Any) -> Any:
    """A value as written: text always as a text cell (never a formula or an error code), numbers and dates as they are.

    Text that a spreadsheet would take for a formula when edited also gets Excel's quote prefix (the cell shows
    the text, and re-typing it keeps it text). Control characters a workbook cannot hold are dropped, so a stored
    value never makes an export fail.
    """
    if isinstance(value, Percent):
        if value.value is None:
            return None
        number = WriteOnlyCell(sheet, value=value.value)
        number.number_format = PERCENT_FORMAT
        return number
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell

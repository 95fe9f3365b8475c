"""Resident import from the register's Excel template (居民信息导入).

Two streaming passes, so memory stays flat however large the file is:

1. read the workbook (openpyxl read-only) and validate every row with the register's own
   rules (people.validation.clean_resident_fields: required fields, ID check digit and
   consistency, phone format, unit code that exists and lies in the importer's scope,
   tags), plus duplicates inside the file and against the register (8 bytes kept per ID
   number) and one head per household. While every row is good, each row's ready columns
   (ID and phone already encrypted) are spilled in chunks to a temporary file;
2. when no row is bad and this is not a dry-run, read the spill back and write in
   batches inside one transaction: all rows or none. The workbook is read and each
   row validated only once.

Households are created or attached by (unit, 户编号). ID and phone numbers are stored
only encrypted, with their keyed hash and masked form; error reports show them masked.
"""

import datetime as dt
import hashlib
import pickle  # noqa: S403 — only for the importer's own temporary file
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import audit
from accounts.scoping import can_see_unit
from people.masking import mask_id, mask_phone
from people.models import Household, Resident, ResidentEvent, ResidentTag
from people.services import lookup_limit_message, record_move_in_lookups
from people.tags import DERIVED_AGE_TAGS, Tag
from people.validation import REGISTERED_ELSEWHERE, clean_resident_fields, resident_columns
from places.models import OrgUnit
from shequ.bulk import BulkInserter
from shequ.importing import ImportResult, RowError
from shequ.xlsx import Column, HeaderMismatch, read_rows, write_error_report, write_template

CITY_CODE = "131100000000"
BATCH_SIZE = 2000
CHECK_BATCH = 2000
SPILL_CHUNK = 1000
MAX_KEPT_ERRORS = 10_000

H = {
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "phone": "联系电话",
    "unit": "所属村（社区）代码",
    "household": "户编号",
    "relation": "与户主关系",
    "current_address": "现住址",
    "tags": "人员标签",
}
GENDERS = {label: value for value, label in Resident.Gender.choices}
ID_TYPES = {label: value for value, label in Resident.IdType.choices}
RELATIONS = {label: value for value, label in Resident.Relation.choices}
TAG_LABELS = {label: value for value, label in Tag.choices}
DERIVED_LABELS = {label for label, _ in DERIVED_AGE_TAGS.values()}
TAG_SPLIT = re.compile(r"[、,，;；\s]+")

COLUMNS = [
    Column(H["name"], required=True, width=12, note="居民姓名，最长50字，不含数字和特殊符号。"),
    Column(H["gender"], choices=list(GENDERS), width=8, note="证件为居民身份证时可空（按证件号码）；填写时须与号码一致。"),
    Column(H["birth_date"], width=14, note="格式 YYYY-MM-DD；证件为居民身份证时可空（按证件号码）。"),
    Column(H["id_type"], choices=list(ID_TYPES), width=20, note="空白视为居民身份证。"),
    Column(H["id_number"], required=True, width=22,
           note="居民身份证须为18位并通过校验位检查；全市一人一档，不得与已登记人员重复。请将本列设为文本格式。"),
    Column(H["phone"], width=16, note="11位手机号（1开头）或固定电话（如0318-1234567）。"),
    Column(H["unit"], required=True, width=16, note="12位统计区划代码，须为您管辖范围内的村（社区）。"),
    Column(H["household"], required=True, width=12, note="同一村（社区）内同一户编号的人员归为一户；新户编号将新建一户。"),
    Column(H["relation"], choices=list(RELATIONS), width=12, note="空白视为「其他」；每户最多一名户主。"),
    Column(H["current_address"], width=30, note="最长200字。"),
    Column(H["tags"], width=30,
           note="多个标签以「、」或「,」分隔，可选：" + "、".join(TAG_LABELS)
           + "。可附说明，如「残疾:肢体:2」（类别、等级1–4）、「特殊困难老年人:失能」。"
           + "年龄类标签（60岁及以上等）由出生日期自动计算，无需填写。"),
]
HEADERS = [c.header for c in COLUMNS]
# clean_resident_fields' keys, from the template's columns.
DATA_KEYS = {"name": "name", "gender": "gender", "birth_date": "birth_date", "id_type": "id_type",
             "id_number": "id_number", "phone": "phone", "unit": "unit_code", "relation": "relation",
             "current_address": "current_address", "tags": "tags"}
HEADER_OF_KEY = {key: H[column] for column, key in DATA_KEYS.items()}
# Resident columns written by an import, in order (people.validation.resident_columns' keys).
RESIDENT_COLUMNS = ["unit_id", "relation", "name", "gender", "birth_date", "id_type", "id_number_enc", "id_number_hash",
                    "id_number_masked", "phone_enc", "phone_hash", "phone_masked", "current_address", "hukou_address",
                    "registered_here"]


def write_resident_template(stream: IO[bytes]) -> None:
    write_template(stream, COLUMNS, title="居民信息", instructions=[
        "每行一名居民；第1行为表头，请勿修改列名和顺序。",
        "任何一行有误时整个文件都不会导入；请按错误报告修改后重新上传。",
        "可先选择「仅校验」检查文件，不写入任何数据。",
    ])


@dataclass
class ParsedRow:
    """One checked row: the validator's cleaned values plus the household number."""

    line: int
    cleaned: dict[str, Any]
    household: str

    @property
    def key(self) -> tuple[str, str]:
        return (str(self.cleaned.get("unit_code", "")), self.household)


class SpilledRow(NamedTuple):
    """A valid row as pass 1 leaves it for pass 2: ready columns, ID and phone already encrypted."""

    key: tuple[str, str]
    values: tuple[Any, ...]  # RESIDENT_COLUMNS, in order
    tags: list[str]
    details: dict[str, dict[str, Any]]
    head: bool
    address: str


def spill_row(row: ParsedRow) -> SpilledRow:
    columns = resident_columns(row.cleaned)
    return SpilledRow(row.key, tuple(columns[c] for c in RESIDENT_COLUMNS), list(row.cleaned["tags"]),
                      dict(row.cleaned["tag_details"]), row.cleaned["relation"] == Resident.Relation.HEAD,
                      str(row.cleaned.get("current_address", "")))


def _masked_value(header: str, value: str) -> str:
    if header == H["id_number"]:
        return mask_id(value)
    if header == H["phone"]:
        return mask_phone(value)
    return value[:100]


def _error(line: int, header: str, value: str, reason: str) -> RowError:
    return RowError(line, reason, header, _masked_value(header, value))


def _without_derived_tags(text: str) -> str:
    """Age tags are computed from the birth date; a worker who types them in is not wrong."""
    if not text:
        return text
    return "、".join(t for t in TAG_SPLIT.split(text) if t and t not in DERIVED_LABELS)


class RowChecker:
    """One row on its own: the register's rules (people.validation) plus the household number."""

    def __init__(self, *, actor: Any, today: dt.date):
        self.actor = actor
        self.today = today
        self.units = {u.code: u for u in OrgUnit.objects.only("code", "level")}

    def __call__(self, line: int, raw: dict[str, str]) -> tuple[ParsedRow, list[RowError]]:
        text = {header: (raw.get(header) or "").strip() for header in HEADERS}
        data = {key: text[H[column]] for column, key in DATA_KEYS.items()}
        data["tags"] = _without_derived_tags(data["tags"])
        cleaned, problems = clean_resident_fields(data, actor=self.actor, today=self.today, units=self.units)
        errors = [_error(line, HEADER_OF_KEY.get(key, ""), text.get(HEADER_OF_KEY.get(key, ""), ""), message)
                  for key, message in problems.items()]
        household = text[H["household"]]
        if not household:
            errors.append(_error(line, H["household"], "", "请填写户编号"))
        elif len(household) > 40:
            errors.append(_error(line, H["household"], household, "户编号不能超过40字"))
        errors.sort(key=lambda e: HEADERS.index(e.column) if e.column in HEADERS else -1)
        return ParsedRow(line=line, cleaned=cleaned, household=household), errors


# --- fast inserts ------------------------------------------------------------------------

def db_date(value: dt.date | None) -> Any:
    return connection.ops.adapt_datefield_value(value)


def db_json(model: type[Any], field: str, value: Any) -> Any:
    return model._meta.get_field(field).get_db_prep_save(value, connection)


# --- progress and result ---------------------------------------------------------------

ProgressCallback = Callable[[int, int], None]  # (rows checked, rows written)


def _noop(checked: int, written: int) -> None:
    pass


@dataclass
class ResidentImportResult(ImportResult):
    checked: int = 0
    error_count: int = 0
    households_created: int = 0
    dry_run: bool = False

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(error)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        if not self.ok:
            shown = "" if self.error_count <= len(self.errors) else f"（仅列出前{len(self.errors)}处）"
            return f"校验未通过：共 {self.checked} 行，{self.error_count} 处错误{shown}，未写入任何数据。"
        if self.dry_run:
            return f"校验通过：共 {self.checked} 行，可以导入（仅校验，未写入）。"
        return f"导入完成：新增居民 {self.created} 人，新建户 {self.households_created} 户。"


def _household_key(unit: str, number: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{unit}\t{number}".encode(), digest_size=8).digest(), "big")


def _id_key(digest_hex: str) -> int:
    """64 bits of the keyed hash: enough to tell a county's 600,000 numbers apart, in 8 bytes."""
    return int(digest_hex[:16], 16)


# --- the importer ----------------------------------------------------------------------

RowSource = Callable[[], Iterable[tuple[int, dict[str, str]]]]


class ResidentImporter:
    """Validate then write residents from rows of the template; see the module docstring.

    actor is the signed-in user (their scope and tag rights apply) or None for an operator
    at the command line (whole city, every tag).
    """

    def __init__(self, *, actor: Any = None, dry_run: bool = False, progress: ProgressCallback = _noop,
                 batch_size: int = BATCH_SIZE, source_name: str = ""):
        self.actor = actor
        self.dry_run = dry_run
        self.progress = progress
        self.batch_size = batch_size
        self.source_name = source_name
        self.today = timezone.localdate()
        self.elsewhere: list[tuple[int, str]] = []  # (line, number) of numbers registered outside the actor's scope

    # Entry points ----------------------------------------------------------------------
    def import_file(self, file: str | IO[bytes]) -> ResidentImportResult:
        def rows() -> Iterator[tuple[int, dict[str, str]]]:
            if not isinstance(file, str):
                file.seek(0)
            return read_rows(file, COLUMNS)

        try:
            return self.run(rows)
        except HeaderMismatch as exc:
            result = ResidentImportResult(dry_run=self.dry_run)
            for error in exc.errors:
                result.add_error(error)
            return result

    def run(self, rows: RowSource) -> ResidentImportResult:
        """rows() yields (line, {header: text}) once; valid rows are spilled, encrypted, to a temporary file."""
        result = ResidentImportResult(dry_run=self.dry_run)
        checker = RowChecker(actor=self.actor, today=self.today)
        with tempfile.TemporaryFile(prefix="shequ-import-") as spill:
            self._validate(rows(), checker, result, None if self.dry_run else spill)
            if not result.ok or self.dry_run:
                result.errors.sort(key=lambda e: (e.line, HEADERS.index(e.column) if e.column in HEADERS else -1))
                return result
            spill.seek(0)
            try:
                with transaction.atomic():
                    self._write(spill, result)
                    audit.record(actor=self.actor, action="people.import", username="operator",
                                 unit_code=str(getattr(self.actor, "unit_id", "") or CITY_CODE),
                                 detail={"created": result.created, "households": result.households_created,
                                         "file": self.source_name[:100]})
            except IntegrityError:
                # Someone registered one of these people between the two passes.
                result.created = result.households_created = 0
                result.add_error(RowError(0, "写入时发现登记系统在校验后发生变化（如有人刚登记了相同证件号码），"
                                             "未写入任何数据，请重新校验后导入"))
        return result

    # Pass 1 ----------------------------------------------------------------------------
    def _validate(self, rows: Iterable[tuple[int, dict[str, str]]], checker: RowChecker,
                  result: ResidentImportResult, spill: IO[bytes] | None) -> None:
        """Pass 1: check every row; while all are good, spill them (encrypted) for pass 2."""
        chunk: list[SpilledRow] = []
        seen_ids: dict[int, int] = {}            # 64-bit id key → first line
        heads: dict[int, int] = {}               # 64-bit key of (unit, household) → line of its 户主
        pending_ids: list[tuple[int, str, str]] = []
        pending_heads: list[tuple[int, str, str]] = []
        for line, raw in rows:
            row, errors = checker(line, raw)
            digest = row.cleaned.get("id_number_hash")
            if digest and not any(e.column == H["id_number"] for e in errors):
                first = seen_ids.setdefault(_id_key(digest), line)
                if first != line:
                    errors.append(_error(line, H["id_number"], row.cleaned["id_number"],
                                         f"证件号码在文件中重复（与第{first}行相同）"))
                else:
                    pending_ids.append((line, digest, row.cleaned["id_number"]))
            if row.cleaned.get("relation") == Resident.Relation.HEAD and row.household and row.cleaned.get("unit_code"):
                first = heads.setdefault(_household_key(*row.key), line)
                if first != line:
                    errors.append(_error(line, H["relation"], "户主", f"同一户只能有一名户主（第{first}行已是户主）"))
                else:
                    pending_heads.append((line, *row.key))
            for error in errors:
                result.add_error(error)
            result.checked += 1
            if spill is not None and result.ok:
                chunk.append(spill_row(row))
                if len(chunk) >= SPILL_CHUNK:
                    pickle.dump(chunk, spill, protocol=pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if len(pending_ids) >= CHECK_BATCH or len(pending_heads) >= CHECK_BATCH:
                self._check_register(pending_ids, pending_heads, result)
            if result.checked % 500 == 0:
                self.progress(result.checked, 0)
        self._check_register(pending_ids, pending_heads, result)
        self._report_elsewhere(result)
        if spill is not None and chunk and result.ok:
            pickle.dump(chunk, spill, protocol=pickle.HIGHEST_PROTOCOL)
        self.progress(result.checked, 0)

    def _report_elsewhere(self, result: ResidentImportResult) -> None:
        """Numbers registered outside the actor's scope are move-in look-ups: counted, audited, limited.

        Within the user's allowance each such row gets the answer a registration gets (go through 迁入); beyond it
        the rows are not named one by one, so that a file of guessed numbers is no free oracle of the register.
        """
        if not self.elsewhere:
            return
        allowed = record_move_in_lookups(actor=self.actor, purpose="import", count=len(self.elsewhere))
        for line, number in self.elsewhere[:allowed]:
            result.add_error(_error(line, H["id_number"], number, REGISTERED_ELSEWHERE))
        if allowed < len(self.elsewhere):
            result.add_error(RowError(0, f"{lookup_limit_message()}其余行的证件号码未逐行核对，本文件未导入。"))
        self.elsewhere = []

    def _check_register(self, ids: list[tuple[int, str, str]], heads: list[tuple[int, str, str]],
                        result: ResidentImportResult) -> None:
        if ids:
            known = dict(Resident.objects.filter(id_number_hash__in=[d for _, d, _ in ids])
                         .values_list("id_number_hash", "unit_id"))
            for line, digest, number in ids:
                if digest not in known:
                    continue
                if self.actor is None or can_see_unit(self.actor, str(known[digest])):
                    result.add_error(_error(line, H["id_number"], number, "该证件号码已在本辖区登记（一人一档）"))
                else:
                    self.elsewhere.append((line, number))
        if heads:
            with_head = set(Household.objects.filter(
                unit_id__in={u for _, u, _ in heads}, number__in={n for _, _, n in heads}, head__isnull=False,
            ).values_list("unit_id", "number"))
            for line, unit, number in heads:
                if (unit, number) in with_head:
                    result.add_error(_error(line, H["relation"], "户主", "该户在登记系统中已有户主"))
        ids.clear()
        heads.clear()

    # Pass 2 ----------------------------------------------------------------------------
    def _write(self, spill: IO[bytes], result: ResidentImportResult) -> None:
        """Pass 2: read the spilled rows back and write them in batches (inside the caller's transaction)."""
        self.inserters = {
            "household": BulkInserter(Household, ["unit_id", "number", "address"]),
            "resident": BulkInserter(Resident, ["household_id", *RESIDENT_COLUMNS]),
            "tag": BulkInserter(ResidentTag, ["resident_id", "tag", "detail"]),
            "event": BulkInserter(ResidentEvent, ["resident_id", "kind", "actor_id", "actor_name", "unit_code", "summary"]),
        }
        batch: list[SpilledRow] = []
        while True:
            try:
                chunk: list[SpilledRow] = pickle.load(spill)  # noqa: S301 — our own temporary file
            except EOFError:
                break
            batch += chunk
            if len(batch) >= self.batch_size:
                self._write_batch(batch, result)
                batch = []
        if batch:
            self._write_batch(batch, result)

    def _write_batch(self, batch: list["SpilledRow"], result: ResidentImportResult) -> None:
        households = self._households_for(batch, result)
        ids = self.inserters["resident"].insert(
            [(households[row.key], *row.values[:4], db_date(row.values[4]), *row.values[5:]) for row in batch])
        empty = db_json(ResidentTag, "detail", {})
        self.inserters["tag"].insert([
            (pk, code, db_json(ResidentTag, "detail", row.details[code]) if row.details.get(code) else empty)
            for pk, row in zip(ids, batch) for code in row.tags])
        actor = self.actor if self.actor is not None and self.actor.pk else None
        actor_name = actor.username if actor else "operator"
        summary = f"Excel导入：{self.source_name}"[:300]
        self.inserters["event"].insert([
            (pk, ResidentEvent.Kind.CREATED.value, actor.pk if actor else None, actor_name, row.key[0], summary)
            for pk, row in zip(ids, batch)])
        head_pairs = [(pk, households[row.key]) for pk, row in zip(ids, batch) if row.head]
        if head_pairs:
            table = connection.ops.quote_name(Household._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET head_id = %s WHERE id = %s", head_pairs)  # noqa: S608
        result.created += len(ids)
        self.progress(result.checked, result.created)

    def _households_for(self, batch: list["SpilledRow"], result: ResidentImportResult) -> dict[tuple[str, str], int]:
        keys = {row.key for row in batch}
        found: dict[tuple[str, str], int] = {
            (str(unit), number): pk
            for pk, unit, number in Household.objects.filter(
                unit_id__in={k[0] for k in keys}, number__in={k[1] for k in keys},
            ).values_list("pk", "unit_id", "number")
            if (str(unit), number) in keys
        }
        first_address: dict[tuple[str, str], str] = {}
        for row in batch:
            first_address.setdefault(row.key, row.address)
        missing = sorted(key for key in keys if key not in found)
        if missing:
            ids = self.inserters["household"].insert([(unit, number, first_address[(unit, number)])
                                                      for unit, number in missing])
            found.update(zip(missing, ids))
            result.households_created += len(missing)
        return found


def write_errors(stream: IO[bytes], result: ResidentImportResult) -> None:
    write_error_report(stream, result.errors)


def count_rows(file: str | IO[bytes]) -> int:
    """Data rows the sheet declares (its dimension), for progress before the first pass ends."""
    from openpyxl import load_workbook

    try:
        if not isinstance(file, str):
            file.seek(0)
        book = load_workbook(file, read_only=True)
        try:
            return max(0, (book.worksheets[0].max_row or 1) - 1)
        finally:
            book.close()
    except Exception:  # noqa: BLE001 — an unreadable file is reported by the import itself
        return 0

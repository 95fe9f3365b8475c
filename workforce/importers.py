"""Excel import and export of the community-worker register (社区工作者名册).

The importer reads the whole file first and checks every row (required cells, unit code in
scope and village-level, gender, position, phone, dates, the one-serving-secretary /
one-serving-director rule against the register and inside the file, duplicates inside the
file). Only when no row has an error does it write, all rows in one transaction; otherwise
nothing is written and the errors come back with their Excel line numbers (RowError).

A row names an existing worker when unit + name + phone (by its search hash) match: that
worker is updated, so importing the same file twice creates nothing the second time.
Phones are stored only as ciphertext + search hash + masked copy (workforce.services._set_phone).
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.scoping import can_see_unit
from people import crypto
from places.models import OrgUnit
from shequ import phones
from shequ.importing import ImportResult, RowError
from shequ.xlsx import Column, HeaderMismatch, read_rows, write_table, write_template
from workforce.models import DIRECTOR_POSITIONS, SECRETARY_POSITIONS, CommunityWorker, Gender, Position, in_post_on
from workforce.services import _set_phone

CODE = "所属村（社区）代码"
NAME = "姓名"
GENDER = "性别"
POSITION = "职务"
PHONE = "联系电话"
STARTED = "任职日期"
ENDED = "离任日期"

COLUMNS = [
    Column(CODE, required=True, width=16, note="12位统计用区划代码，只能是村（社区）。"),
    Column(NAME, required=True, width=12),
    Column(GENDER, required=True, choices=Gender.labels, width=8),
    Column(POSITION, required=True, choices=Position.labels, width=22,
           note="一个村（社区）同时只能有一名在任党组织书记、一名在任居（村）委会主任（一人兼算两者）。"),
    Column(PHONE, width=16, note="11位手机号（1开头，第二位3～9）或带区号的固定电话，例如 0318-2123456。"),
    Column(STARTED, required=True, width=12, note="YYYY-MM-DD，不能晚于今天。"),
    Column(ENDED, width=12, note="YYYY-MM-DD；仍在任留空。不早于任职日期。"),
]
HEADERS = [c.header for c in COLUMNS]
INSTRUCTIONS = [
    "第一行为表头，请勿修改表头的文字和顺序；从第二行起每人一行。",
    "导入时先检查全部行：任何一行有错误，整个文件都不会导入，并给出逐行的错误报告（行号、列、值、原因）。",
    "同一村（社区）下姓名和联系电话都相同的视为同一人：再次导入会更新原有记录，不会重复登记。",
    "导出的名册中联系电话已脱敏，不能直接再导入；修改后请填写完整号码。",
]

GENDER_BY_LABEL = {label: value for value, label in Gender.choices}
POSITION_BY_LABEL = {str(label): str(value) for value, label in Position.choices}
FUTURE_END_DAYS = 31


@dataclass
class WorkerImportResult(ImportResult):
    dry_run: bool = False


@dataclass
class _Row:
    line: int
    unit: OrgUnit
    name: str
    gender: str
    position: str
    phone: str
    phone_hash: str
    started_on: dt.date
    ended_on: dt.date | None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit.code, self.name, self.phone_hash)


class _CellError(Exception):
    def __init__(self, column: str, value: str, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def _date(row: dict[str, str], column: str, *, required: bool) -> dt.date | None:
    text = row.get(column, "").strip()
    if not text:
        if required:
            raise _CellError(column, "", "必填")
        return None
    if not re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}", text):
        raise _CellError(column, text, "日期格式应为 YYYY-MM-DD")
    year, month, day = (int(p) for p in re.split(r"[-/.]", text))
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _CellError(column, text, "不是有效的日期") from exc


def _serving(started_on: dt.date, ended_on: dt.date | None, day: dt.date) -> bool:
    return started_on <= day and (ended_on is None or ended_on > day)


class WorkerImporter:
    """Validates every row, then writes all of them or none. actor=None is an operator's command (whole city)."""

    action = "workforce.import_workers"

    def __init__(self, *, actor: Any = None, unit: OrgUnit | None = None, dry_run: bool = False):
        self.actor = actor
        self.scope_unit = unit
        self.dry_run = dry_run
        self.today = timezone.localdate()
        self.units: dict[str, OrgUnit] = {}

    # ------------------------------------------------------------ parsing one row

    def _unit(self, code: str) -> OrgUnit:
        if not code:
            raise _CellError(CODE, "", "必填")
        unit = self.units.get(code)
        if unit is None:
            raise _CellError(CODE, code, "区划代码不存在（应为12位统计用区划代码）")
        if self.actor is not None and not can_see_unit(self.actor, code):
            raise _CellError(CODE, code, "不在您的管辖范围内")
        if self.scope_unit is not None and not code.startswith(self.scope_unit.prefix):
            raise _CellError(CODE, code, f"不在{self.scope_unit.name}范围内")
        if unit.level != OrgUnit.Level.VILLAGE:
            raise _CellError(CODE, code, "社区工作者只能登记在村（社区），请填写村（社区）代码")
        return unit

    def parse(self, line: int, row: dict[str, str]) -> _Row:
        unit = self._unit(row.get(CODE, "").strip())
        name = re.sub(r"\s+", "", row.get(NAME, ""))
        if not name:
            raise _CellError(NAME, "", "必填")
        if len(name) > 50:
            raise _CellError(NAME, name, "姓名不能超过50个字")
        gender_text = row.get(GENDER, "").strip()
        if gender_text not in GENDER_BY_LABEL:
            raise _CellError(GENDER, gender_text, "必填" if not gender_text else "应填“男”或“女”")
        position_text = row.get(POSITION, "").strip()
        if position_text not in POSITION_BY_LABEL:
            raise _CellError(POSITION, position_text, "必填" if not position_text else "不在可选职务中，请从下拉列表中选择")
        try:
            phone = phones.clean(row.get(PHONE, "").replace("　", ""))
        except ValueError as exc:
            raise _CellError(PHONE, row.get(PHONE, ""), str(exc)) from None
        started_on = _date(row, STARTED, required=True)
        assert started_on is not None
        if started_on > self.today:
            raise _CellError(STARTED, row[STARTED], "任职日期不能晚于今天")
        ended_on = _date(row, ENDED, required=False)
        if ended_on is not None and ended_on < started_on:
            raise _CellError(ENDED, row[ENDED], "离任日期不能早于任职日期")
        if ended_on is not None and ended_on > self.today + dt.timedelta(days=FUTURE_END_DAYS):
            raise _CellError(ENDED, row[ENDED], "离任日期不能晚于一个月以后")
        return _Row(line=line, unit=unit, name=name, gender=GENDER_BY_LABEL[gender_text],
                    position=POSITION_BY_LABEL[position_text], phone=phone, phone_hash=crypto.search_hash(phone),
                    started_on=started_on, ended_on=ended_on)

    # ------------------------------------------------------------ whole-file checks

    @staticmethod
    def _match(candidates: list[CommunityWorker], item: _Row) -> CommunityWorker | None:
        if not candidates:
            return None
        for worker in candidates:
            if worker.started_on == item.started_on:
                return worker
        serving = [w for w in candidates if w.ended_on is None]
        return serving[0] if serving else max(candidates, key=lambda w: (w.started_on, w.pk))

    def _check_leaders(self, items: list[_Row], matched: dict[int, CommunityWorker | None]) -> list[RowError]:
        """After the import, each unit has at most one serving secretary and one serving director."""
        errors: list[RowError] = []
        touched = {w.pk for w in matched.values() if w is not None}
        register = (CommunityWorker.objects.filter(in_post_on(self.today), unit__in=[i.unit for i in items],
                                                   position__in=[*SECRETARY_POSITIONS, *DIRECTOR_POSITIONS])
                    .exclude(pk__in=touched))
        held: dict[tuple[str, str], str] = {}  # (unit, role) -> who holds it in the register
        for worker in register:
            if worker.position in SECRETARY_POSITIONS:
                held.setdefault((worker.unit_id, "secretary"), worker.name)
            if worker.position in DIRECTOR_POSITIONS:
                held.setdefault((worker.unit_id, "director"), worker.name)
        in_file: dict[tuple[str, str], int] = {}
        for item in items:
            if not _serving(item.started_on, item.ended_on, self.today):
                continue
            roles = [("secretary", "党组织书记")] if item.position in SECRETARY_POSITIONS else []
            roles += [("director", "居（村）委会主任")] if item.position in DIRECTOR_POSITIONS else []
            for role, label in roles:
                key = (item.unit.code, role)
                if key in held:
                    errors.append(RowError(item.line, f"该村（社区）已有在任{label}（{held[key]}），请先办理其离任或在本表填写其离任日期",
                                           POSITION, Position(item.position).label))
                elif key in in_file:
                    errors.append(RowError(item.line, f"与第{in_file[key]}行同为该村（社区）在任{label}，只能有一名",
                                           POSITION, Position(item.position).label))
                else:
                    in_file[key] = item.line
        return errors

    # ------------------------------------------------------------ run

    def run(self, file: str | IO[bytes]) -> WorkerImportResult:
        result = WorkerImportResult(dry_run=self.dry_run)
        try:
            rows = list(read_rows(file, COLUMNS))
        except HeaderMismatch as exc:
            result.errors = exc.errors
            return result
        if not rows:
            result.errors.append(RowError(2, "表格中没有数据行"))
            return result
        with transaction.atomic():
            codes = sorted({row.get(CODE, "").strip() for _, row in rows})
            # Lock the units so that two imports (or an import and a form) check the leader rule one at a time.
            self.units = {u.code: u for u in OrgUnit.objects.select_for_update().filter(code__in=codes).order_by("code")}
            items: list[_Row] = []
            seen: dict[tuple[str, str, str], int] = {}
            for line, row in rows:
                try:
                    item = self.parse(line, row)
                except _CellError as exc:
                    result.errors.append(RowError(line, exc.reason, exc.column, exc.value))
                    continue
                if item.key in seen:
                    result.errors.append(RowError(line, f"与第{seen[item.key]}行重复（同一村（社区）姓名和联系电话相同）",
                                                  NAME, item.name))
                    continue
                seen[item.key] = line
                items.append(item)
            if result.errors:
                return result
            existing: dict[tuple[str, str, str], list[CommunityWorker]] = {}
            for worker in CommunityWorker.objects.filter(unit__in=[i.unit for i in items],
                                                         name__in={i.name for i in items}):
                existing.setdefault((worker.unit_id, worker.name, worker.phone_hash), []).append(worker)
            matched = {item.line: self._match(existing.get(item.key, []), item) for item in items}
            result.errors = self._check_leaders(items, matched)
            if result.errors:
                return result
            self._write(items, matched, result)
            if not self.dry_run:
                audit.record(actor=self.actor, action=self.action, username="import" if self.actor is None else "",
                             unit_code=self.scope_unit.code if self.scope_unit else "",
                             detail={"created": result.created, "updated": result.updated,
                                     "unchanged": result.unchanged})
        return result

    def _write(self, items: list[_Row], matched: dict[int, CommunityWorker | None], result: WorkerImportResult) -> None:
        new: list[CommunityWorker] = []
        for item in items:
            worker = matched[item.line]
            values = {"gender": item.gender, "position": item.position, "started_on": item.started_on,
                      "ended_on": item.ended_on}
            if worker is None:
                worker = CommunityWorker(unit=item.unit, name=item.name, **values)
                _set_phone(worker, item.phone)
                new.append(worker)
                continue
            changed = [field for field, value in values.items() if getattr(worker, field) != value]
            if not changed:
                result.unchanged += 1
                continue
            result.updated += 1
            if not self.dry_run:
                for field in changed:
                    setattr(worker, field, values[field])
                worker.save(update_fields=[*changed, "updated_at"])
        result.created = len(new)
        if not self.dry_run:
            CommunityWorker.objects.bulk_create(new, batch_size=1000)


def import_workers(file: str | IO[bytes], *, actor: Any = None, unit: OrgUnit | None = None,
                   dry_run: bool = False) -> WorkerImportResult:
    return WorkerImporter(actor=actor, unit=unit, dry_run=dry_run).run(file)


# ---------------------------------------------------------------- template and export

def write_import_template(stream: IO[bytes]) -> None:
    write_template(stream, COLUMNS, title="社区工作者", instructions=INSTRUCTIONS)


def worker_row(worker: CommunityWorker) -> list[Any]:
    """One exported row: the template's columns, phone masked."""
    return [worker.unit_id, worker.name, Gender(worker.gender).label, Position(worker.position).label,
            worker.phone_masked, worker.started_on.isoformat(), worker.ended_on.isoformat() if worker.ended_on else ""]


def export(stream: IO[bytes], workers: Iterable[CommunityWorker]) -> int:
    return write_table(stream, HEADERS, (worker_row(w) for w in workers), title="社区工作者")

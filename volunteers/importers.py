"""Excel import of volunteers and historical service records, and the export of a subtree's volunteers.

Each importer reads the whole file first and checks every row; only when no row has an error does it write, all
rows in one transaction; otherwise nothing is written and the errors come back with their Excel line numbers.
actor=None is an operator's command (whole city); a staff actor may only name units of their subtree.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.scoping import can_see_unit
from people import crypto
from places.codes import within
from places.models import OrgUnit
from shequ import inputs
from shequ.importing import ImportResult, RowError
from shequ.xlsx import Column, HeaderMismatch, read_rows, write_table
from volunteers import hours
from volunteers.models import DayPart, IdType, PoliticalStatus, ServiceCategory, ServiceRecord, Volunteer, Weekday
from volunteers.services import _identity, _political_status, _set_identity

NAME, ID_TYPE, ID_NUMBER, PHONE, CODE, CATEGORIES, POLITICAL = (
    "姓名", "证件类型", "证件号码", "联系电话", "所属村（社区）代码", "服务类别", "政治面貌")
ACTIVITY, STARTED, ENDED = "活动名称", "开始时间", "结束时间"
HOURS, STARS = "累计服务时长（小时）", "星级"
SKILLS, AVAILABILITY = "技能特长", "可服务时间"

VOLUNTEER_COLUMNS = [
    Column(NAME, required=True), Column(ID_TYPE, choices=IdType.labels, note="空白按居民身份证"),
    Column(ID_NUMBER, required=True, width=22), Column(PHONE, width=16), Column(CODE, required=True, width=16),
    Column(CATEGORIES, width=24, note="可填多个，用“、”分隔"), Column(POLITICAL, choices=PoliticalStatus.labels),
]
RECORD_COLUMNS = [
    Column(ID_NUMBER, required=True, width=22), Column(ACTIVITY, required=True, width=24),
    Column(STARTED, required=True, width=18, note="YYYY-MM-DD HH:MM"), Column(ENDED, required=True, width=18),
    Column(CODE, required=True, width=16),
]
EXPORT_HEADERS = [NAME, ID_NUMBER, CODE, HOURS, STARS]

AVAILABILITY_BY_LABEL = {f"{day.label}{part.label}": f"{day.value}_{part.value}" for day in Weekday for part in DayPart}
AVAILABILITY_LABELS = {value: label for label, value in AVAILABILITY_BY_LABEL.items()}
ID_TYPE_BY_LABEL = {str(label): str(value) for value, label in IdType.choices}
CATEGORY_BY_LABEL = {str(label): str(value) for value, label in ServiceCategory.choices}
TIME_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass
class VolunteerImportResult(ImportResult):
    dry_run: bool = False


class _CellError(Exception):
    def __init__(self, column: str, value: str, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def _first_message(exc: ValidationError) -> tuple[str, str]:
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        return field, messages[0]
    return "", exc.messages[0]


class _Importer:
    action = ""
    columns: list[Column] = []
    # A layout whose headers differ from ours (the national system's): its header -> ours; errors name its header.
    rename: dict[str, str] = {}

    def __init__(self, *, actor: Any = None, dry_run: bool = False):
        self.actor, self.dry_run = actor, dry_run
        self.units: dict[str, OrgUnit] = {}

    def _unit(self, row: dict[str, str], *, column: str = CODE, scoped: bool = True) -> OrgUnit:
        code = row.get(CODE, "").strip()
        if not code:
            raise _CellError(column, "", "必填")
        unit = self.units.get(code)
        if unit is None:
            raise _CellError(column, code, "区划代码不存在（应为12位统计用区划代码）")
        if scoped and self.actor is not None and not can_see_unit(self.actor, code):
            raise _CellError(column, code, "不在您的管辖范围内")
        if unit.level != OrgUnit.Level.VILLAGE:
            raise _CellError(column, code, "请填写村（社区）一级的代码")
        return unit

    def parse(self, line: int, row: dict[str, str]) -> Any:
        raise NotImplementedError

    def key(self, item: Any) -> Any:
        raise NotImplementedError

    def write(self, items: list[Any], result: VolunteerImportResult) -> None:
        raise NotImplementedError

    def run(self, file: str | IO[bytes]) -> VolunteerImportResult:
        result = VolunteerImportResult(dry_run=self.dry_run)
        try:
            rows = list(read_rows(file, self.columns))
        except HeaderMismatch as exc:
            result.errors = exc.errors
            return result
        if not rows:
            result.errors.append(RowError(2, "表格中没有数据行"))
            return result
        if self.rename:
            rows = [(line, {self.rename.get(k, k): v for k, v in row.items()}) for line, row in rows]
        with transaction.atomic():
            codes = {row.get(CODE, "").strip() for _, row in rows}
            self.units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
            self.prepare(rows)
            items: list[Any] = []
            seen: dict[Any, int] = {}
            for line, row in rows:
                try:
                    item = self.parse(line, row)
                except _CellError as exc:
                    result.errors.append(RowError(line, exc.reason, self._theirs(exc.column), exc.value))
                    continue
                key = self.key(item)
                if key in seen:
                    result.errors.append(RowError(line, f"与第{seen[key]}行重复", self._theirs(ID_NUMBER)))
                    continue
                seen[key] = line
                items.append(item)
            if result.errors:
                return result
            self.write(items, result)
            if self.dry_run:
                transaction.set_rollback(True)
            else:
                audit.record(actor=self.actor, action=self.action, username="import" if self.actor is None else "",
                             detail={"created": result.created, "updated": result.updated,
                                     "unchanged": result.unchanged})
        return result

    def prepare(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        pass

    def _theirs(self, column: str) -> str:
        return next((theirs for theirs, ours in self.rename.items() if ours == column), column)


class VolunteerImporter(_Importer):
    """A row whose ID is already registered updates that volunteer; the file's people consented (see docs)."""

    action = "volunteers.import_volunteers"
    columns = VOLUNTEER_COLUMNS

    def parse(self, line: int, row: dict[str, str]) -> dict[str, Any]:
        type_text = row.get(ID_TYPE, "").strip()
        id_type = ID_TYPE_BY_LABEL.get(type_text) if type_text else IdType.ID_CARD
        if id_type is None:
            raise _CellError(ID_TYPE, type_text, "证件类型应为：" + "、".join(ID_TYPE_BY_LABEL))
        try:
            cleaned = _identity({"name": row.get(NAME, ""), "id_type": id_type, "id_number": row.get(ID_NUMBER, ""),
                                 "phone": row.get(PHONE, "")}, actor=self.actor)
        except ValidationError as exc:
            field, message = _first_message(exc)
            column = {"name": NAME, "id_type": ID_TYPE, "phone": PHONE}.get(field, ID_NUMBER)
            raise _CellError(column, row.get(column, "") if column != ID_NUMBER else "", message) from None
        unit = self._unit(row)
        categories = []
        for label in filter(None, (p.strip() for p in row.get(CATEGORIES, "").split("、"))):
            if label not in CATEGORY_BY_LABEL:
                raise _CellError(CATEGORIES, label, "服务类别应为：" + "、".join(CATEGORY_BY_LABEL))
            categories.append(CATEGORY_BY_LABEL[label])
        try:
            political = _political_status(row.get(POLITICAL, ""))
        except ValidationError as exc:
            raise _CellError(POLITICAL, row.get(POLITICAL, ""), _first_message(exc)[1]) from None
        skills = row[SKILLS].strip() if SKILLS in row else None
        if skills is not None and len(skills) > 200:
            raise _CellError(SKILLS, skills[:20], "不超过200个字")
        availability = None
        if AVAILABILITY in row:
            availability = []
            for label in filter(None, (p.strip() for p in row[AVAILABILITY].split("、"))):
                if label not in AVAILABILITY_BY_LABEL:
                    raise _CellError(AVAILABILITY, label, "可服务时间应为“周六上午”这样的写法，多个用“、”分隔")
                availability.append(AVAILABILITY_BY_LABEL[label])
        return {"cleaned": cleaned, "hash": crypto.search_hash(cleaned["id_number"]), "unit": unit,
                "categories": categories, "political_status": political, "skills": skills,
                "availability": availability}

    def key(self, item: dict[str, Any]) -> str:
        return str(item["hash"])

    def write(self, items: list[dict[str, Any]], result: VolunteerImportResult) -> None:
        from people.models import Resident

        existing = {v.id_number_hash: v for v in Volunteer.objects.filter(id_number_hash__in=[i["hash"] for i in items])}
        residents = dict(Resident.objects.filter(id_number_hash__in=[i["hash"] for i in items])
                         .values_list("id_number_hash", "pk"))
        now = timezone.now()
        for item in items:
            volunteer = existing.get(item["hash"])
            if volunteer is not None:
                before = (volunteer.name, volunteer.unit_id, volunteer.phone_hash, volunteer.categories,
                          volunteer.political_status, volunteer.skills, volunteer.availability)
                after = (item["cleaned"]["name"], item["unit"].code, crypto.search_hash(item["cleaned"].get("phone", "")),
                         item["categories"], item["political_status"],
                         volunteer.skills if item["skills"] is None else item["skills"],
                         volunteer.availability if item["availability"] is None else item["availability"])
                if before == after:
                    result.unchanged += 1
                    continue
                result.updated += 1
            else:
                volunteer = Volunteer(consent=True, consent_at=now, resident_id=residents.get(item["hash"]),
                                      registered_by=self.actor)
                result.created += 1
            _set_identity(volunteer, item["cleaned"])
            volunteer.unit = item["unit"]
            volunteer.categories, volunteer.political_status = item["categories"], item["political_status"]
            if item["skills"] is not None:
                volunteer.skills = item["skills"]
            if item["availability"] is not None:
                volunteer.availability = item["availability"]
            volunteer.save()


class ServiceRecordImporter(_Importer):
    """Historical hours: confirmed on import; the same record imported twice is kept once."""

    action = "volunteers.import_service_records"
    columns = RECORD_COLUMNS

    def prepare(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        hashes = {crypto.search_hash(r.get(ID_NUMBER, "").strip().replace(" ", "").upper()) for _, r in rows}
        self.volunteers = {v.id_number_hash: v for v in Volunteer.objects.filter(id_number_hash__in=hashes)}
        self.now = timezone.now()

    def _time(self, row: dict[str, str], column: str) -> dt.datetime:
        text = row.get(column, "").strip()
        if not text:
            raise _CellError(column, "", "必填")
        match = TIME_RE.match(text)
        if not match:
            raise _CellError(column, text, "时间格式应为 YYYY-MM-DD HH:MM")
        try:
            year, month, day, hour, minute, second = (int(g) for g in match.groups(default="0"))
            moment = dt.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 (local time, made aware below)
        except ValueError:
            raise _CellError(column, text, "不是有效的时间") from None
        aware = timezone.make_aware(moment)
        if aware > self.now:
            raise _CellError(column, text, "时间不能晚于现在")
        if moment.date() < inputs.EARLIEST_EVENT:
            raise _CellError(column, text, f"时间不能早于 {inputs.EARLIEST_EVENT:%Y-%m-%d}")
        return aware

    def parse(self, line: int, row: dict[str, str]) -> dict[str, Any]:
        number = row.get(ID_NUMBER, "").strip().replace(" ", "").upper()
        if not number:
            raise _CellError(ID_NUMBER, "", "必填")
        volunteer = self.volunteers.get(crypto.search_hash(number))
        if volunteer is None:
            raise _CellError(ID_NUMBER, "", "该证件号码未注册为志愿者，请先导入志愿者")
        name = row.get(ACTIVITY, "").strip()
        if not name or len(name) > 100:
            raise _CellError(ACTIVITY, name[:20], "必填，不超过100个字")
        started, ended = self._time(row, STARTED), self._time(row, ENDED)
        if ended <= started:
            raise _CellError(ENDED, row.get(ENDED, ""), "结束时间应晚于开始时间")
        if ended - started > dt.timedelta(days=7):
            raise _CellError(ENDED, row.get(ENDED, ""), "一条服务记录不能超过7天")
        return {"volunteer": volunteer, "name": name, "started": started, "ended": ended, "unit": self._unit(row)}

    def key(self, item: dict[str, Any]) -> tuple[int, str, dt.datetime, dt.datetime]:
        return (item["volunteer"].pk, item["name"], item["started"], item["ended"])

    def write(self, items: list[dict[str, Any]], result: VolunteerImportResult) -> None:
        known = set(ServiceRecord.objects.filter(volunteer__in=[i["volunteer"] for i in items], imported=True)
                    .values_list("volunteer_id", "activity_name", "started_at", "ended_at"))
        new = []
        for item in items:
            if self.key(item) in known:
                result.unchanged += 1
                continue
            new.append(ServiceRecord(volunteer=item["volunteer"], activity_name=item["name"], unit=item["unit"],
                                     started_at=item["started"], ended_at=item["ended"], confirmed=True,
                                     confirmed_at=self.now, confirmed_by=self.actor, imported=True))
        ServiceRecord.objects.bulk_create(new, batch_size=2000)
        result.created = len(new)


def import_volunteers(file: str | IO[bytes], *, actor: Any = None, dry_run: bool = False) -> VolunteerImportResult:
    return VolunteerImporter(actor=actor, dry_run=dry_run).run(file)


def import_service_records(file: str | IO[bytes], *, actor: Any = None, dry_run: bool = False) -> VolunteerImportResult:
    return ServiceRecordImporter(actor=actor, dry_run=dry_run).run(file)


def export(stream: IO[bytes], prefix: str) -> int:
    """Volunteers of a subtree: 姓名, 证件号码 (masked), 所属村（社区）代码, 累计服务时长（小时） (two decimals), 星级."""
    found = hours.hours_of_subtree(prefix)
    rows = Volunteer.objects.filter(within("unit_id", prefix)).order_by("unit_id", "name", "pk")
    return write_table(stream, EXPORT_HEADERS, (
        [v.name, v.id_number_masked, v.unit_id, f"{found.get(v.pk, 0.0):.2f}", hours.star_label(found.get(v.pk, 0.0))]
        for v in rows.iterator(chunk_size=2000)), title="志愿者")


WORK_UNIT, RESIDENCE = "工作单位", "居住地村（社区）代码"
PARTY_COLUMNS = [
    Column(NAME, required=True), Column(ID_NUMBER, required=True, width=22), Column(PHONE, width=16),
    Column(WORK_UNIT, required=True, width=20, note="系统中的部门名称（或其别名、代码）"),
    Column(RESIDENCE, required=True, width=16),
]


class PartyMemberImporter(_Importer):
    """Rosters of serving party members; a member already on a roster (same ID) is updated."""

    action = "volunteers.import_party_members"
    columns = PARTY_COLUMNS

    def prepare(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        from volunteers.services import find_department

        codes = {row.get(RESIDENCE, "").strip() for _, row in rows}
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        self.departments = {name: find_department(name) for name in {row.get(WORK_UNIT, "").strip() for _, row in rows}}

    def parse(self, line: int, row: dict[str, str]) -> dict[str, Any]:
        from volunteers.services import party_member_columns

        try:
            columns = party_member_columns(name=row.get(NAME, ""), id_number=row.get(ID_NUMBER, ""),
                                           phone=row.get(PHONE, ""), actor=self.actor)
        except ValidationError as exc:
            field, message = _first_message(exc)
            column = {"name": NAME, "phone": PHONE}.get(field, ID_NUMBER)
            raise _CellError(column, row.get(column, "") if column != ID_NUMBER else "", message) from None
        text = row.get(WORK_UNIT, "").strip()
        dept = self.departments.get(text)
        if dept is None:
            raise _CellError(WORK_UNIT, text, "必填" if not text else "不是系统中的部门（机关和企事业单位党组织）")
        if self.actor is not None and getattr(self.actor, "department_id", None) != dept.pk:
            raise _CellError(WORK_UNIT, text, "只能导入本单位的在职党员")
        unit = self._unit({CODE: row.get(RESIDENCE, "")}, column=RESIDENCE, scoped=False)
        return {"columns": columns, "work_unit": dept, "residence": unit}

    def key(self, item: dict[str, Any]) -> str:
        return str(item["columns"]["id_number_hash"])

    def write(self, items: list[dict[str, Any]], result: VolunteerImportResult) -> None:
        from volunteers.models import PartyMember

        existing = {m.id_number_hash: m for m in PartyMember.objects.filter(id_number_hash__in=[self.key(i) for i in items])}
        for item in items:
            member = existing.get(self.key(item))
            if member is not None:
                same = (member.name, member.work_unit_id, member.residence_id, member.phone_hash) == (
                    item["columns"]["name"], item["work_unit"].pk, item["residence"].code, item["columns"]["phone_hash"])
                if same:
                    result.unchanged += 1
                    continue
                result.updated += 1
            else:
                member = PartyMember()
                result.created += 1
            for key, value in item["columns"].items():
                setattr(member, key, value)
            member.work_unit, member.residence = item["work_unit"], item["residence"]
            member.save()


def import_party_members(file: str | IO[bytes], *, actor: Any = None, dry_run: bool = False) -> VolunteerImportResult:
    return PartyMemberImporter(actor=actor, dry_run=dry_run).run(file)


# ---------------------------------------------------------------- the national volunteer information system's layout
# 全国志愿服务信息系统（中国志愿服务网）批量导入: one file of volunteers, one of service hours (docs/volunteers.md has the
# mapping). These files carry the full ID and phone numbers the national system needs: operator commands only, audited.

N_PHONE, N_CODE, N_PROJECT, N_STARTED, N_ENDED, N_HOURS = (
    "手机号码", "所属区划代码", "项目名称", "服务开始时间", "服务结束时间", "服务时长（小时）")
NATIONAL_VOLUNTEER_COLUMNS = [
    Column(NAME, required=True), Column(ID_TYPE, required=True, choices=IdType.labels),
    Column(ID_NUMBER, required=True, width=22), Column(N_PHONE, width=16), Column(POLITICAL, choices=PoliticalStatus.labels),
    Column(CATEGORIES, width=24, note="多个用“、”分隔"), Column(N_CODE, required=True, width=16),
    Column(SKILLS, width=20), Column(AVAILABILITY, width=24, note="如 周六上午、周日下午"),
]
NATIONAL_RECORD_COLUMNS = [
    Column(NAME, required=True), Column(ID_TYPE, required=True, choices=IdType.labels),
    Column(ID_NUMBER, required=True, width=22), Column(N_PROJECT, required=True, width=24),
    Column(N_STARTED, required=True, width=18, note="YYYY-MM-DD HH:MM"), Column(N_ENDED, required=True, width=18),
    Column(N_HOURS, required=True, width=12), Column(N_CODE, required=True, width=16),
]


class NationalVolunteerImporter(VolunteerImporter):
    action = "volunteers.import_national_volunteers"
    columns = NATIONAL_VOLUNTEER_COLUMNS
    rename = {N_PHONE: PHONE, N_CODE: CODE}


class NationalRecordImporter(ServiceRecordImporter):
    """Service hours in the national layout; the stated hours must match the start and end, the name the volunteer."""

    action = "volunteers.import_national_records"
    columns = NATIONAL_RECORD_COLUMNS
    rename = {N_PROJECT: ACTIVITY, N_STARTED: STARTED, N_ENDED: ENDED, N_CODE: CODE}

    def parse(self, line: int, row: dict[str, str]) -> dict[str, Any]:
        item = super().parse(line, row)
        if row.get(NAME, "").strip() != item["volunteer"].name:
            raise _CellError(NAME, row.get(NAME, "")[:20], "姓名与该证件号码登记的志愿者不符")
        stated = row.get(N_HOURS, "").strip()
        actual = f"{(item['ended'] - item['started']).total_seconds() / 3600:.2f}"
        try:
            same = f"{float(stated):.2f}" == actual
        except ValueError:
            same = False
        if not same:
            raise _CellError(N_HOURS, stated, f"服务时长应等于结束时间减开始时间（{actual} 小时）")
        return item


def export_national_volunteers(stream: IO[bytes], prefix: str) -> int:
    """The subtree's volunteers in the national layout (full ID and phone: the upload needs them)."""
    labels = {str(v): str(label) for v, label in IdType.choices}
    rows = Volunteer.objects.filter(within("unit_id", prefix)).order_by("unit_id", "name", "pk")
    return write_table(stream, [c.header for c in NATIONAL_VOLUNTEER_COLUMNS], (
        [v.name, labels[v.id_type], crypto.decrypt(v.id_number_enc), crypto.decrypt(v.phone_enc) if v.phone_enc else "",
         v.get_political_status_display() if v.political_status else "", "、".join(v.category_labels()), v.unit_id,
         v.skills, "、".join(AVAILABILITY_LABELS[a] for a in v.availability if a in AVAILABILITY_LABELS)]
        for v in rows.iterator(chunk_size=2000)), title="志愿者信息")


def export_national_records(stream: IO[bytes], prefix: str) -> int:
    """Every confirmed service record of the subtree's volunteers, one row each, in the national layout."""
    labels = {str(v): str(label) for v, label in IdType.choices}
    rows = (ServiceRecord.objects.filter(within("volunteer__unit_id", prefix), confirmed=True)
            .select_related("volunteer").order_by("volunteer__unit_id", "volunteer_id", "started_at", "pk"))

    def line(r: ServiceRecord) -> list[Any]:
        start, end = timezone.localtime(r.started_at), timezone.localtime(r.ended_at)
        return [r.volunteer.name, labels[r.volunteer.id_type], crypto.decrypt(r.volunteer.id_number_enc),
                r.activity_name, f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", f"{r.duration_hours:.2f}", r.unit_id]

    return write_table(stream, [c.header for c in NATIONAL_RECORD_COLUMNS], (line(r) for r in rows.iterator(chunk_size=2000)),
                       title="服务时长")


def import_national(volunteers_file: str | IO[bytes], records_file: str | IO[bytes] | None = None, *,
                    actor: Any = None, dry_run: bool = False) -> tuple[VolunteerImportResult, VolunteerImportResult | None]:
    """Both national files in one transaction: volunteers first, then their hours; an error in either writes nothing."""
    with transaction.atomic():
        people = NationalVolunteerImporter(actor=actor).run(volunteers_file)
        records = None
        if people.ok and records_file is not None:
            records = NationalRecordImporter(actor=actor).run(records_file)
        if dry_run or not people.ok or (records is not None and not records.ok):
            transaction.set_rollback(True)
    people.dry_run = dry_run
    if records is not None:
        records.dry_run = dry_run
    return people, records

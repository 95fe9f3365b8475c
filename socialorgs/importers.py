"""Excel import and export of social organisations (import_social_orgs PATH [--dry-run]).

The whole file is read and checked first; only when no row has an error is anything written, all rows in one
transaction. A row whose name is already registered in the same township updates that organisation.
actor=None is an operator's command (the whole city); a staff actor may only name units of their subtree.
"""

import datetime as dt
from typing import IO, Any

from django.db import transaction

from accounts import audit
from accounts.scoping import can_see_unit
from places.codes import within
from places.models import OrgUnit
from shequ.importing import ImportResult, RowError
from shequ.xlsx import Column, HeaderMismatch, read_rows, write_table
from socialorgs.models import CommunityCategory, Organisation, OrgKind, OrgStatus, Staff
from socialorgs.services import check_organisation

NAME, KIND, CATEGORY, CODE, STATUS, DATE, UNIT, FULL, PART = (
    "名称", "类型", "社区社会组织类别", "统一社会信用代码", "登记或备案", "登记备案日期", "服务村（社区）代码",
    "专职人员数", "兼职人员数")
DISSOLVED, QUALIFIED = "注销日期", "持证社会工作者数"
COLUMNS = [
    Column(NAME, required=True, width=28), Column(KIND, required=True, choices=OrgKind.labels, width=26),
    Column(CATEGORY, choices=CommunityCategory.labels, width=18, note="社区社会组织填写"),
    Column(CODE, width=22, note="登记的必填，18位"), Column(STATUS, required=True, choices=OrgStatus.labels),
    Column(DATE, required=True, width=14, note="YYYY-MM-DD"), Column(UNIT, required=True, width=16),
    Column(FULL, required=True), Column(PART, required=True),
]
EXPORT_HEADERS = [NAME, KIND, CATEGORY, CODE, STATUS, DATE, UNIT, FULL, PART, DISSOLVED, QUALIFIED]

KIND_BY_LABEL = {str(label): str(value) for value, label in OrgKind.choices}
CATEGORY_BY_LABEL = {str(label): str(value) for value, label in CommunityCategory.choices}
STATUS_BY_LABEL = {str(label): str(value) for value, label in OrgStatus.choices}
COLUMN_OF = {"name": NAME, "kind": KIND, "community_category": CATEGORY, "credit_code": CODE, "status": STATUS,
             "registered_on": DATE, "unit_code": UNIT, "full_time_staff": FULL, "part_time_staff": PART}


def _count(text: str) -> int | None:
    text = text.strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() and len(text) <= 7 else None


def import_social_orgs(file: str | IO[bytes], *, dry_run: bool = False, actor: Any = None) -> ImportResult:
    result = ImportResult()
    try:
        rows = list(read_rows(file, COLUMNS))
    except HeaderMismatch as exc:
        result.errors = exc.errors
        return result
    if not rows:
        result.errors.append(RowError(2, "表格中没有数据行"))
        return result
    with transaction.atomic():
        units = {u.code: u for u in OrgUnit.objects.filter(code__in={r.get(UNIT, "").strip() for _, r in rows})}
        seen: dict[tuple[str, str], int] = {}
        codes_seen: dict[str, int] = {}
        items: list[tuple[Organisation | None, dict[str, Any], OrgUnit]] = []
        for line, row in rows:
            errors: list[RowError] = []
            unit = units.get(row.get(UNIT, "").strip())
            if unit is None:
                errors.append(RowError(line, "区划代码不存在（应为12位统计用区划代码）", UNIT, row.get(UNIT, "")))
            elif actor is not None and not can_see_unit(actor, unit.code):
                errors.append(RowError(line, "不在您的管辖范围内", UNIT, unit.code))
            data: dict[str, Any] = {
                "name": row.get(NAME, "").strip(), "kind": KIND_BY_LABEL.get(row.get(KIND, "").strip(), "?"),
                "community_category": CATEGORY_BY_LABEL.get(row.get(CATEGORY, "").strip(), "?")
                if row.get(CATEGORY, "").strip() else "",
                "credit_code": row.get(CODE, "").strip().upper(),
                "status": STATUS_BY_LABEL.get(row.get(STATUS, "").strip(), "?"),
                "full_time_staff": _count(row.get(FULL, "")), "part_time_staff": _count(row.get(PART, "")),
                "unit_code": unit.code if unit else "",
            }
            try:
                data["registered_on"] = dt.date.fromisoformat(row.get(DATE, "").strip()[:10])
            except ValueError:
                errors.append(RowError(line, "日期格式应为 YYYY-MM-DD", DATE, row.get(DATE, "")))
                data["registered_on"] = dt.date(2000, 1, 1)
            existing = None
            if unit is not None:
                existing = Organisation.objects.filter(township_code=unit.code[:9] + "000", name=data["name"]).first()
            for field, messages in check_organisation(data, exclude_pk=existing.pk if existing else None).items():
                if field == "registered_on" and any(e.column == DATE for e in errors):
                    continue
                errors += [RowError(line, m, COLUMN_OF.get(field, ""), row.get(COLUMN_OF.get(field, ""), ""))
                           for m in messages]
            key = (unit.code[:9] if unit else "", data["name"])
            if key in seen:
                errors.append(RowError(line, f"与第{seen[key]}行重复（同一乡镇（街道）同名）", NAME, data["name"]))
            if data["credit_code"] and data["credit_code"] in codes_seen:
                errors.append(RowError(line, f"与第{codes_seen[data['credit_code']]}行的统一社会信用代码重复", CODE,
                                       data["credit_code"]))
            seen.setdefault(key, line)
            if data["credit_code"]:
                codes_seen.setdefault(data["credit_code"], line)
            if errors:
                result.errors += errors
            elif unit is not None:
                items.append((existing, data, unit))
        if result.errors:
            return result
        for existing, data, unit in items:
            values = {k: v for k, v in data.items() if k != "unit_code"}
            if existing is None:
                Organisation.objects.create(unit=unit, **values)
                result.created += 1
            elif all(getattr(existing, k) == v for k, v in values.items()) and existing.unit_id == unit.code:
                result.unchanged += 1
            else:
                for k, v in values.items():
                    setattr(existing, k, v)
                existing.unit = unit
                existing.save()
                result.updated += 1
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit.record(actor=actor, action="socialorgs.import", username="import" if actor is None else "",
                         detail={"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
    return result


def export(stream: IO[bytes], orgs: Any) -> int:
    """The register's columns (as imported) plus 注销日期 and the qualified social workers on the roster."""
    kinds, cats, statuses = dict(OrgKind.choices), dict(CommunityCategory.choices), dict(OrgStatus.choices)
    qualified: dict[int, int] = {}
    for org_id in Staff.objects.filter(organisation__in=orgs, left_on__isnull=True).exclude(
            qualification="").values_list("organisation_id", flat=True):
        qualified[org_id] = qualified.get(org_id, 0) + 1
    return write_table(stream, EXPORT_HEADERS, (
        [o.name, str(kinds[o.kind]), str(cats.get(o.community_category, "")), o.credit_code, str(statuses[o.status]),
         o.registered_on.isoformat(), o.unit_id, o.full_time_staff, o.part_time_staff,
         o.dissolved_on.isoformat() if o.dissolved_on else "", qualified.get(o.pk, 0)]
        for o in orgs.order_by("unit_id", "name", "pk").iterator(chunk_size=2000)), title="社会组织")


def subtree(prefix: str) -> Any:
    return Organisation.objects.filter(within("unit_id", prefix))

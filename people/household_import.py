"""Households from a spreadsheet: address and coordinates (the 15-minute circles and request landing read them).

Columns, in this order: 所属村（社区）代码, 户编号, 户籍户, 楼栋, 单元, 房号, 村民小组, 门牌号, 地址, 经度, 纬度.
A row whose (unit, 户编号) exists updates that household (empty cells leave its values as they are); otherwise it
creates one. Every row is checked with the register's own household rules first; then all rows are written, or none.
"""

from pathlib import Path
from typing import IO, Any

from django.db import transaction

from accounts import audit
from people.models import Household
from people.services import _clean_household
from places.models import OrgUnit
from shequ.importing import ImportResult, RowError
from shequ.xlsx import Column, HeaderMismatch, read_rows, write_template

COLUMNS = [
    Column("所属村（社区）代码", required=True, width=16, note="12位区划代码，村（社区）一级"),
    Column("户编号", required=True, note="本村（社区）内唯一；已存在则更新该户"),
    Column("户籍户", choices=["是", "否"], note="否：仅居住户；空为是"),
    Column("楼栋"), Column("单元"), Column("房号"), Column("村民小组"), Column("门牌号"),
    Column("地址", width=30),
    Column("经度", note="如 115.68；与纬度同时填写"),
    Column("纬度", note="如 37.73"),
]
FIELD_OF = {"楼栋": "building", "单元": "entrance", "房号": "room", "村民小组": "group_no", "门牌号": "house_no",
            "地址": "address", "经度": "lng", "纬度": "lat"}
LABEL_OF = {field: label for label, field in FIELD_OF.items()} | {"number": "户编号"}


def write_household_template(stream: IO[bytes]) -> None:
    write_template(stream, COLUMNS, title="户信息", instructions=["经纬度用于“15分钟生活圈”计算和诉求定位，请尽量填写。"])


def _row_fields(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"number": row["户编号"]}
    for label, field in FIELD_OF.items():
        if row.get(label, "") != "":
            data[field] = row[label]
    if row.get("户籍户", "") != "":
        data["is_registered"] = row["户籍户"] == "是"
    return data


def import_households(file: str | Path | IO[bytes], *, actor: Any = None, dry_run: bool = False) -> ImportResult:
    """Check every row, then create or update all households in one transaction (or nothing)."""
    try:
        rows = list(read_rows(str(file) if isinstance(file, Path) else file, COLUMNS))
    except HeaderMismatch as exc:
        return ImportResult(errors=exc.errors)
    villages = {code: kind for code, kind in OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE).values_list("code", "kind")}
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[str, dict[str, Any]]] = []
    for line, row in rows:
        code = row["所属村（社区）代码"]
        if code not in villages:
            errors.append(RowError(line, "不是已知的村（社区）代码", "所属村（社区）代码", code))
            continue
        if actor is not None:
            from accounts.scoping import can_see_unit

            if not can_see_unit(actor, code):
                errors.append(RowError(line, "该村（社区）不在您的管辖范围内", "所属村（社区）代码", code))
                continue
        if row["户籍户"] not in ("", "是", "否"):
            errors.append(RowError(line, "应为“是”或“否”", "户籍户", row["户籍户"]))
        data = _row_fields(row)
        if ("lat" in data) != ("lng" in data):
            errors.append(RowError(line, "经纬度须同时填写", "经度" if "lng" not in data else "纬度"))
            continue
        cleaned, problems = _clean_household(data, unit=None)
        for field, reason in problems.items():
            label = LABEL_OF.get(field, field)
            errors.append(RowError(line, reason, label, row.get(label, "")))
        key = (code, row["户编号"])
        if key in seen:
            errors.append(RowError(line, f"与第{seen[key]}行的户编号重复", "户编号", row["户编号"]))
        seen.setdefault(key, line)
        planned.append((code, cleaned))
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    if dry_run:
        result.unchanged = len(planned)
        return result
    with transaction.atomic():
        existing = {(h.unit_id, h.number): h for h in Household.objects.filter(
            unit_id__in={code for code, _ in planned}).select_for_update()}
        for code, cleaned in planned:
            household = existing.get((code, cleaned["number"]))
            if household is None:
                Household.objects.create(unit_id=code, **cleaned)
                result.created += 1
                continue
            changed = [k for k, v in cleaned.items() if getattr(household, k) != v]
            if changed:
                for field in changed:
                    setattr(household, field, cleaned[field])
                household.save(update_fields=[*changed, "updated_at"])
                result.updated += 1
            else:
                result.unchanged += 1
        if result.created or result.updated:
            audit.record(actor=actor, action="people.households_import", unit_code=actor.unit_id if actor else "",
                         detail={"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
    return result

"""Load the division tree and the departments from the project's CSV files."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count

from places.codes import LEVEL_ORDER, PREFIX_LENGTH, is_valid_code, significant_prefix
from places.models import Department, OrgUnit
from shequ.importing import ImportResult, RowError

DIVISION_COLUMNS = ["code", "name", "level", "parent_code"]
PARENT_LEVEL = {"city": None, "county": "city", "township": "county", "village": "township"}
URBAN_SUFFIXES = ("居民委员会", "居委会", "社区")
RURAL_SUFFIXES = ("村民委员会", "村委会")


def classify_village(name: str) -> str:
    """Urban community or rural village, from the name the statistics bureau gives it.

    The three 管理区 of the Jizhou high-tech zone have neither a villagers' committee
    nor farmland; they are run like urban communities, so anything not named as a
    villagers' committee counts as urban.
    """
    if name.endswith(RURAL_SUFFIXES):
        return OrgUnit.Kind.RURAL
    return OrgUnit.Kind.URBAN


def kind_for(level: str, name: str) -> str:
    if level == "village":
        return classify_village(name)
    return level


@dataclass
class DivisionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


def _read_rows(path: Path) -> tuple[list[DivisionRow], list[RowError]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in DIVISION_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            return [], [RowError(1, f"缺少列：{', '.join(missing)}")]
        rows = [
            DivisionRow(
                line=number,
                code=(raw.get("code") or "").strip(),
                name=(raw.get("name") or "").strip(),
                level=(raw.get("level") or "").strip(),
                parent_code=(raw.get("parent_code") or "").strip(),
            )
            for number, raw in enumerate(reader, start=2)
        ]
    return rows, []


def _check_rows(rows: list[DivisionRow]) -> list[RowError]:
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in rows:
        if not is_valid_code(row.code):
            errors.append(RowError(row.line, "区划代码应为12位数字", "code", row.code))
            continue
        if row.code in seen:
            errors.append(RowError(row.line, f"区划代码重复（首次出现在第{seen[row.code]}行）", "code", row.code))
            continue
        seen[row.code] = row.line
        if row.level not in PREFIX_LENGTH:
            errors.append(RowError(row.line, "层级应为 city/county/township/village 之一", "level", row.level))
            continue
        if not row.name:
            errors.append(RowError(row.line, "名称不能为空", "name"))
        tail = row.code[PREFIX_LENGTH[row.level]:]
        if tail.strip("0"):
            errors.append(RowError(row.line, f"{row.level} 层级的代码在第{PREFIX_LENGTH[row.level]}位之后应全为0", "code", row.code))
    if errors:
        return errors

    level_of = {row.code: row.level for row in rows}
    level_of.update({u.code: u.level for u in OrgUnit.objects.exclude(code__in=list(level_of)).only("code", "level")})
    for row in rows:
        expected_parent_level = PARENT_LEVEL[row.level]
        if expected_parent_level is None:
            if row.parent_code:
                errors.append(RowError(row.line, "市级单位不应有上级", "parent_code", row.parent_code))
            continue
        if row.parent_code not in level_of:
            errors.append(RowError(row.line, "上级代码不存在", "parent_code", row.parent_code))
            continue
        if level_of[row.parent_code] != expected_parent_level:
            errors.append(RowError(
                row.line,
                f"{row.level} 的上级应为 {expected_parent_level}，而不是 {level_of[row.parent_code]}",
                "parent_code", row.parent_code,
            ))
            continue
        parent_prefix = significant_prefix(row.parent_code, expected_parent_level)
        if not row.code.startswith(parent_prefix):
            errors.append(RowError(row.line, f"代码与上级代码前缀 {parent_prefix} 不一致", "code", row.code))
    return errors


def import_divisions(path: Path) -> ImportResult:
    """Load the tree from a CSV; all rows or none, and a second run changes nothing."""
    rows, errors = _read_rows(path)
    if not errors:
        errors = _check_rows(rows)
    if errors:
        return ImportResult(errors=errors)

    result = ImportResult()
    rows.sort(key=lambda r: LEVEL_ORDER.index(r.level))
    with transaction.atomic():
        existing = {u.code: u for u in OrgUnit.objects.all()}
        to_create: list[OrgUnit] = []
        to_update: list[OrgUnit] = []
        for row in rows:
            wanted = {
                "prefix": significant_prefix(row.code, row.level),
                "name": row.name,
                "level": row.level,
                "kind": kind_for(row.level, row.name),
                "parent_id": row.parent_code or None,
            }
            unit = existing.get(row.code)
            if unit is None:
                to_create.append(OrgUnit(code=row.code, **wanted))
            elif any(getattr(unit, k) != v for k, v in wanted.items()):
                for key, value in wanted.items():
                    setattr(unit, key, value)
                to_update.append(unit)
            else:
                result.unchanged += 1
        OrgUnit.objects.bulk_create(to_create, batch_size=1000)
        OrgUnit.objects.bulk_update(to_update, ["prefix", "name", "level", "kind", "parent_id"], batch_size=1000)
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            refresh_child_counts()
    return result


def refresh_child_counts() -> None:
    counts = dict(OrgUnit.objects.values_list("parent_id").annotate(n=Count("id")).values_list("parent_id", "n"))
    units = list(OrgUnit.objects.only("id", "code", "child_count"))
    for unit in units:
        unit.child_count = counts.get(unit.code, 0)
    OrgUnit.objects.bulk_update(units, ["child_count"], batch_size=1000)


DEPARTMENT_COLUMNS = ["code", "name", "kind", "aliases"]


def import_departments(path: Path) -> ImportResult:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in DEPARTMENT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            return ImportResult(errors=[RowError(1, f"缺少列：{', '.join(missing)}")])
        raw_rows = list(enumerate(reader, start=2))
    errors: list[RowError] = []
    seen_codes: set[str] = set()
    seen_names: set[str] = set()
    kinds = {k for k, _ in Department.Kind.choices}
    for line, raw in raw_rows:
        code, name, kind = (raw.get(c, "").strip() for c in ("code", "name", "kind"))
        if not code or not code.replace("_", "").isalnum() or not code.isascii():
            errors.append(RowError(line, "部门代码应为英文字母、数字或下划线", "code", code))
        elif code in seen_codes:
            errors.append(RowError(line, "部门代码重复", "code", code))
        if not name:
            errors.append(RowError(line, "名称不能为空", "name"))
        elif name in seen_names:
            errors.append(RowError(line, "名称重复", "name", name))
        if kind not in kinds:
            errors.append(RowError(line, f"类别应为 {'/'.join(sorted(kinds))} 之一", "kind", kind))
        seen_codes.add(code)
        seen_names.add(name)
    if errors:
        return ImportResult(errors=errors)

    result = ImportResult()
    with transaction.atomic():
        existing = {d.code: d for d in Department.objects.all()}
        for _, raw in raw_rows:
            wanted = {"name": raw["name"].strip(), "kind": raw["kind"].strip(), "aliases": (raw.get("aliases") or "").strip()}
            dept = existing.get(raw["code"].strip())
            if dept is None:
                Department.objects.create(code=raw["code"].strip(), **wanted)
                result.created += 1
            elif any(getattr(dept, k) != v for k, v in wanted.items()):
                Department.objects.filter(pk=dept.pk).update(**wanted)
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def department_by_name(name: str) -> Department | None:
    """Find a department by its name or one of its aliases."""
    found = Department.objects.filter(name=name).first()
    if found:
        return found
    for dept in Department.objects.exclude(aliases=""):
        if name in dept.aliases.split("|"):
            return dept
    return None

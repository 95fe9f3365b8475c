"""Load the 20 request categories from appeals/data/request_categories.csv (the city's taxonomy).

Idempotent: names, coverage and lead departments follow the file; deadlines set by the city are kept.
"""

import csv
from pathlib import Path

from django.db import IntegrityError, transaction

from appeals.models import Category
from shequ.importing import ImportResult, RowError

CSV = Path(__file__).resolve().parent / "data" / "request_categories.csv"
URGENT = {"utilities", "emergency", "fire_safety", "public_security"}
COLUMNS = ["code", "name", "covers", "lead_department"]


@transaction.atomic
def load_categories(path: Path = CSV) -> ImportResult:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            return ImportResult(errors=[RowError(1, f"缺少列：{', '.join(missing)}")])
        rows = list(reader)
    result = ImportResult()
    existing = {c.code: c for c in Category.objects.all()}
    for position, row in enumerate(rows):
        wanted = {"name": row["name"], "covers": row["covers"], "lead_department_name": row["lead_department"], "position": position}
        category = existing.get(row["code"])
        if category is None:
            Category.objects.create(code=row["code"], urgent=row["code"] in URGENT, **wanted)
            result.created += 1
        elif any(getattr(category, k) != v for k, v in wanted.items()):
            Category.objects.filter(pk=category.pk).update(**wanted)
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def ensure_categories() -> None:
    """After a test database flush (or a fresh table) the categories come back from the file."""
    if not Category.objects.exists():
        try:
            with transaction.atomic():
                load_categories()
        except IntegrityError:
            pass  # loaded at the same moment by another request


def category_by_code(code: str) -> Category | None:
    """An active category; reloads the file first if the table is empty (fresh or flushed database)."""
    found = Category.objects.filter(code=code, active=True).first()
    if found is None and not Category.objects.exists():
        ensure_categories()
        found = Category.objects.filter(code=code, active=True).first()
    return found

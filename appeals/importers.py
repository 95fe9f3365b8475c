"""Load the 20 request categories from appeals/data/request_categories.csv (the city's taxonomy).

Idempotent: names, coverage and lead departments follow the file; deadlines set by the city are kept.
"""

import csv
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save

from appeals import caching
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
    forget_categories()
    return result


def ensure_categories() -> None:
    """After a test database flush (or a fresh table) the categories come back from the file."""
    if not Category.objects.exists():
        try:
            with transaction.atomic():
                load_categories()
        except IntegrityError:
            pass  # loaded at the same moment by another request


# Every filing reads its category: the active ones are cached together (appeals.caching) and dropped whenever one is
# saved or deleted (signals), in every process sharing the cache.
KEY = "appeals:categories"


def forget_categories(**_: object) -> None:
    caching.cache().delete(KEY)


post_save.connect(forget_categories, sender=Category, dispatch_uid="appeals_forget_categories_save")
post_delete.connect(forget_categories, sender=Category, dispatch_uid="appeals_forget_categories_delete")


def category_by_code(code: str) -> Category | None:
    """An active category; reloads the file first if the table is empty (fresh or flushed database)."""
    store = caching.cache()
    active: dict[str, Category] | None = store.get(KEY)
    if active is None or code not in active:
        if not Category.objects.exists():
            ensure_categories()
        active = {c.code: c for c in Category.objects.filter(active=True)}
        store.set(KEY, active, caching.CATEGORY_SECONDS)
    return active.get(code)

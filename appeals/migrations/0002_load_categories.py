"""Load the city's 20 request categories from appeals/data/request_categories.csv (never overwrites deadlines)."""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "request_categories.csv"
URGENT = {"utilities", "emergency", "fire_safety", "public_security"}


def load(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    with CSV.open(encoding="utf-8", newline="") as handle:
        for position, row in enumerate(csv.DictReader(handle)):
            Category.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "covers": row["covers"], "lead_department_name": row["lead_department"],
                          "position": position},
                create_defaults={"name": row["name"], "covers": row["covers"], "lead_department_name": row["lead_department"],
                                 "position": position, "urgent": row["code"] in URGENT},
            )


def unload(apps, schema_editor):
    apps.get_model("appeals", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

"""Seed the visit rule the plan requires: special-hardship elderly visited every month (专栏2.2)."""

from django.db import migrations


def add_default_rule(apps, schema_editor):
    VisitRule = apps.get_model("care", "VisitRule")
    VisitRule.objects.get_or_create(tag="special_hardship_elderly", defaults={"frequency": "month", "active": True})


def remove_default_rule(apps, schema_editor):
    VisitRule = apps.get_model("care", "VisitRule")
    VisitRule.objects.filter(tag="special_hardship_elderly", due_visits__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]
    operations = [migrations.RunPython(add_default_rule, remove_default_rule)]

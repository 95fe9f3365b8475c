"""python manage.py export_residents --unit CODE PATH — the masked export of a unit's subtree."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.exporters import export_residents, residents_of_unit
from people.models import Resident
from places.models import OrgUnit


class Command(BaseCommand):
    help = "导出某单位（及其下级）的居民信息为 .xlsx（证件号码、电话已脱敏）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="12位区划代码（市、县、乡镇或村（社区））")
        parser.add_argument("path")
        parser.add_argument("--status", choices=Resident.Status.values, help="只导出该状态的居民")

    def handle(self, *args: object, **options: Any) -> None:
        code = options["unit"]
        if not OrgUnit.objects.filter(code=code).exists():
            raise CommandError(f"区划代码不存在：{code}")
        filters = {"unit": code, **({"status": options["status"]} if options.get("status") else {})}
        queryset = residents_of_unit(code, options.get("status") or "")
        with open(options["path"], "wb") as out:
            count = export_residents(out, queryset, actor=None, filters=filters, unit_code=code)
        self.stdout.write(f"已导出 {count} 名居民（已脱敏）到 {options['path']}")

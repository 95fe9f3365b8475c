from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import audit
from places.models import OrgUnit
from volunteers.importers import export


class Command(BaseCommand):
    help = "把某区划（含下级）的志愿者导出为 .xlsx：姓名、证件号码（脱敏）、所属村（社区）代码、累计服务时长（小时）、星级。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="12位区划代码（市、县、乡镇或村）")
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, unit: str, path: Path, **options: Any) -> None:
        place = OrgUnit.objects.filter(code=unit.strip()).first()
        if place is None:
            raise CommandError(f"区划代码不存在：{unit}")
        with open(path, "wb") as stream:
            count = export(stream, place.prefix)
        audit.record(actor=None, action="volunteers.export_volunteers", username="export", unit_code=place.code,
                     detail={"rows": count})
        self.stdout.write(f"已导出 {count} 名志愿者到 {path}。")

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import audit
from places.codes import within
from places.models import OrgUnit
from workforce.importers import export
from workforce.models import CommunityWorker


class Command(BaseCommand):
    help = "把某区划（含下级）的社区工作者导出为 .xlsx（联系电话脱敏，列与导入模板相同）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="12位区划代码（市、县、乡镇或村）")
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, unit: str, path: Path, **options: Any) -> None:
        place = OrgUnit.objects.filter(code=unit.strip()).first()
        if place is None:
            raise CommandError(f"区划代码不存在：{unit}")
        rows = CommunityWorker.objects.filter(within("unit_id", place.prefix)).order_by("unit_id", "position", "name", "pk")
        with open(path, "wb") as stream:
            count = export(stream, rows.iterator(chunk_size=2000))
        audit.record(actor=None, action="workforce.export_workers", username="export", unit_code=place.code,
                     detail={"rows": count})
        self.stdout.write(f"已导出 {count} 人到 {path}。")

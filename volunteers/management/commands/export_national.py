from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import audit
from places.models import OrgUnit
from volunteers.importers import export_national_records, export_national_volunteers


class Command(BaseCommand):
    help = ("按全国志愿服务信息系统（中国志愿服务网）批量导入的格式导出某区划（含下级）的志愿者和服务时长，"
            "各一个 .xlsx。文件含完整证件号码和手机号码，仅供上传，用后删除。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="12位区划代码（市、县、乡镇或村）")
        parser.add_argument("volunteers_path", type=Path, help="志愿者信息 .xlsx")
        parser.add_argument("records_path", type=Path, help="服务时长 .xlsx")

    def handle(self, *args: Any, unit: str, volunteers_path: Path, records_path: Path, **options: Any) -> None:
        place = OrgUnit.objects.filter(code=unit.strip()).first()
        if place is None:
            raise CommandError(f"区划代码不存在：{unit}")
        with open(volunteers_path, "wb") as stream:
            people = export_national_volunteers(stream, place.prefix)
        with open(records_path, "wb") as stream:
            records = export_national_records(stream, place.prefix)
        audit.record(actor=None, action="volunteers.export_national", username="export", unit_code=place.code,
                     detail={"volunteers": people, "records": records})
        self.stdout.write(f"已导出 {people} 名志愿者到 {volunteers_path}，{records} 条服务记录到 {records_path}。")

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from volunteers.importers import import_national


class Command(BaseCommand):
    help = ("导入全国志愿服务信息系统格式的志愿者信息（及服务时长）文件：两个文件全部无误才写入，"
            "否则逐行报告错误，什么也不写。范围：全市。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("volunteers_path", type=Path, help="志愿者信息 .xlsx")
        parser.add_argument("records_path", type=Path, nargs="?", help="服务时长 .xlsx（可省略）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计，不写入")

    def handle(self, *args: Any, volunteers_path: Path, records_path: Path | None = None, dry_run: bool = False,
               **options: Any) -> None:
        for path in filter(None, (volunteers_path, records_path)):
            if not path.exists():
                raise CommandError(f"文件不存在：{path}")
        people, records = import_national(str(volunteers_path), str(records_path) if records_path else None,
                                          dry_run=dry_run)
        for label, result in (("志愿者信息", people), ("服务时长", records)):
            if result is not None and not result.ok:
                for error in result.errors[:500]:
                    self.stderr.write(f"{label}：{error}")
                raise CommandError(f"{label}共 {len(result.errors)} 处错误，未导入任何数据。")
        prefix = "试导入（未写入）" if dry_run else "导入完成"
        self.stdout.write(f"{prefix}：志愿者 新增 {people.created}，更新 {people.updated}，未变 {people.unchanged}。")
        if records is not None:
            self.stdout.write(f"{prefix}：服务记录 新增 {records.created}，未变 {records.unchanged}。")

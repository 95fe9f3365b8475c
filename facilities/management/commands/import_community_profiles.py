from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facilities.importers import import_profiles, write_error_report_file


class Command(BaseCommand):
    help = "从 .xlsx 导入社区建筑面积（全部行无误才写入，否则逐行报告错误，什么也不写）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--errors", type=Path, help="把错误报告另存为 .xlsx")

    def handle(self, *args: Any, path: Path, errors: Path | None = None, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        result = import_profiles(str(path))
        if not result.ok:
            for error in result.errors[:200]:
                self.stderr.write(str(error))
            if errors:
                write_error_report_file(errors, result.errors)
                self.stderr.write(f"错误报告已保存到 {errors}")
            raise CommandError(f"共 {len(result.errors)} 处错误，未导入任何数据。")
        self.stdout.write(f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。")

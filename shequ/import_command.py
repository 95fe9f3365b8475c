"""The one shape of an import command: a path, --dry-run, --errors; all rows or none, the errors named row by row."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.importing import ImportResult
from shequ.xlsx import write_error_report


class ImportCommand(BaseCommand):
    """Subclasses set `help` and `importer` (a function taking the path and dry_run=, returning an ImportResult)."""

    importer: Callable[..., ImportResult]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计，不写入")
        parser.add_argument("--errors", type=Path, help="把错误报告另存为 .xlsx")

    def handle(self, *args: Any, path: Path, dry_run: bool = False, errors: Path | None = None, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        result = type(self).importer(str(path), dry_run=dry_run)
        if not result.ok:
            for error in result.errors[:500]:
                self.stderr.write(str(error))
            if errors:
                with open(errors, "wb") as stream:
                    write_error_report(stream, result.errors)
                self.stderr.write(f"错误报告已保存到 {errors}")
            raise CommandError(f"共 {len(result.errors)} 处错误，未导入任何数据。")
        prefix = "试导入（未写入）" if dry_run else "导入完成"
        self.stdout.write(f"{prefix}：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。")

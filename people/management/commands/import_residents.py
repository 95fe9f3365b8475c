"""python manage.py import_residents PATH [--dry-run] — whole-city scope, all rows or none."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.importers import ResidentImporter, count_rows, write_errors


class ProgressBar:
    """A one-line progress bar on stderr: rows checked, rows written, time left."""

    def __init__(self, total: int, stream: Any, dry_run: bool):
        self.total, self.stream, self.dry_run = total, stream, dry_run
        self.started = self.last = time.monotonic()

    def __call__(self, checked: int, written: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last = now
        self.draw(checked, written)

    def draw(self, checked: int, written: int, end: str = "") -> None:
        total = max(self.total, checked, 1)
        done, work = (checked, total) if self.dry_run else (checked + 2 * written, 3 * total)
        fraction = min(1.0, done / work)
        elapsed = time.monotonic() - self.started
        left = f"{int(elapsed * (1 - fraction) / fraction)}s" if fraction > 0 else "?"
        bar = "#" * int(fraction * 30)
        self.stream.write(f"\r[{bar:<30}] {fraction:4.0%} 已校验 {checked}/{total} 已写入 {written} 剩余约 {left}   {end}")
        self.stream.flush()


class Command(BaseCommand):
    help = "从 Excel 模板导入居民（全市范围）；任何一行有误则不写入任何数据，并打印错误报告。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--errors", metavar="XLSX", help="把错误报告另存为 .xlsx")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: object, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        dry_run = bool(options["dry_run"])
        quiet = bool(options["no_progress"])
        bar = ProgressBar(count_rows(str(path)), self.stderr._out, dry_run)
        importer = ResidentImporter(actor=None, dry_run=dry_run, source_name=path.name,
                                    progress=(lambda c, w: None) if quiet else bar)
        result = importer.import_file(str(path))
        if not quiet:
            bar.draw(result.checked, result.created, end="\n")
        for error in result.errors:
            self.stdout.write(str(error))
        if options.get("errors") and result.errors:
            with open(options["errors"], "wb") as out:
                write_errors(out, result)
            self.stdout.write(f"错误报告已保存：{options['errors']}")
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from socialorgs.importers import export, subtree


class Command(BaseCommand):
    help = "把某区划（默认全市）的社会组织导出为 .xlsx。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--prefix", default="", help="区划代码前缀，如 131102（桃城区）")

    def handle(self, *args: Any, path: Path, prefix: str = "", **options: Any) -> None:
        with open(path, "wb") as stream:
            count = export(stream, subtree(prefix))
        self.stdout.write(f"已导出 {count} 个社会组织到 {path}。")

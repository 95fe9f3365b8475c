from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from places.importers import import_divisions

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "hengshui_divisions.csv"


class Command(BaseCommand):
    help = "Load the division tree (区划) from a CSV: code,name,level,parent_code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))

    def handle(self, *args: object, **options: str) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        result = import_divisions(path)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败，未写入任何数据（{len(result.errors)} 处错误）")
        if result.changed_nothing:
            self.stdout.write(f"无变化：{result.unchanged} 个单位已是最新")
        else:
            self.stdout.write(f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from places.importers import import_departments

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "departments.csv"


class Command(BaseCommand):
    help = "Load the departments the plan names (code,name,kind,aliases)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))

    def handle(self, *args: object, **options: str) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        result = import_departments(path)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败，未写入任何数据（{len(result.errors)} 处错误）")
        if result.changed_nothing:
            self.stdout.write(f"无变化：{result.unchanged} 个部门已是最新")
        else:
            self.stdout.write(f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")

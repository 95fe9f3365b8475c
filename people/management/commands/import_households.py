from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.household_import import import_households, write_household_template


class Command(BaseCommand):
    help = "Import households (address, coordinates) from .xlsx; all rows or none. --template writes the empty template."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--template", action="store_true", help="write the template to PATH instead of importing")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["path"]))
        if options["template"]:
            with path.open("wb") as handle:
                write_household_template(handle)
            self.stdout.write(f"模板已写入 {path}")
            return
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        result = import_households(path, dry_run=bool(options["dry_run"]))
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败，未写入任何数据（{len(result.errors)} 处错误）")
        verb = "校验通过（未写入）" if options["dry_run"] else "导入完成"
        self.stdout.write(f"{verb}：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")

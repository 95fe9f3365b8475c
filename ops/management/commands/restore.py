from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backup import BackupError, restore
from ops.management.commands.backup import current_keys, sqlite_name


class Command(BaseCommand):
    help = "Restore the SQLite database and media from a `backup` directory (stop the web and task processes first)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            result = restore(path, database=sqlite_name(), media=Path(settings.MEDIA_ROOT), keys=current_keys())
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已从 {result.path} 恢复（备份时间 {result.manifest['created_at']}）；原数据库与附件保留为 *.before-restore-*")

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from ops.backup import KEYS, BackupError, backup


def sqlite_name() -> str:
    if connection.vendor != "sqlite":
        raise CommandError("backup/restore 仅用于内嵌的 SQLite 部署；PostgreSQL 请用 pgBackRest 或 pg_basebackup（见 docs/ops.md）")
    return str(connection.settings_dict["NAME"])


def current_keys() -> dict[str, str]:
    return {"SECRET_KEY": settings.SECRET_KEY, "SHEQU_DATA_KEY": settings.DATA_KEY}


class Command(BaseCommand):
    help = "Online backup of the SQLite database and media into a new directory; keys only to --keys (kept apart)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--keys", type=Path, help="also write the two key files here (never inside PATH)")

    def handle(self, *args: Any, path: Path, keys: Path | None, **options: Any) -> None:
        try:
            result = backup(path, database=sqlite_name(), media=Path(settings.MEDIA_ROOT), keys=current_keys(), keys_to=keys)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(result.manifest["database"]["rows"].values())
        self.stdout.write(f"备份完成：{result.path}（{rows} 行，{len(result.manifest['media'])} 个附件）")
        where = f"已写入 {keys}" if keys else "未写入备份"
        self.stdout.write(f"密钥（{where}，须与数据分开保存）：" + "，".join(
            f"{name}（{KEYS[name]}，指纹 {print_}）" for name, print_ in result.manifest["keys"].items()))

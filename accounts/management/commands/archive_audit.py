from typing import Any

from django.core.management.base import BaseCommand

from accounts import archive


class Command(BaseCommand):
    help = "Move sealed audit rows older than AUDIT_ONLINE_DAYS (never under 183) to the audit archive"

    def handle(self, *args: Any, **options: Any) -> None:
        before = archive.cutoff()
        moved = archive.archive()
        self.stdout.write(f"已归档 {moved} 条 {before:%Y-%m-%d %H:%M} 之前且已封存的审计记录")

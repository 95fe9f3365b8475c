"""Check the audit log against its hash chain; exits non-zero on a break (schedule nightly, alert on failure)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts import seal


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and report every break (deleted, changed or inserted rows)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = seal.verify()
        self.stdout.write(f"封存 {report.seals} 个，已封存记录 {report.rows} 条，未封存 {report.unsealed} 条；最新链值 {report.chain}")
        if not report.ok:
            for line in report.breaks:
                self.stderr.write(line)
            raise CommandError(f"审计日志校验失败：{len(report.breaks)} 处断链")
        self.stdout.write("审计日志完整。")

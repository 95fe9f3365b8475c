"""Bring cached indicator values up to date from the audit log (cron: every few minutes)."""

from typing import Any

from django.core.management.base import BaseCommand

from planning.tasks import refresh_indicator_values


class Command(BaseCommand):
    help = "指标增量更新（审计日志 → 脏单位 → 路径重算）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            self.stdout.write(f"enqueued {refresh_indicator_values.enqueue().id}")
            return
        self.stdout.write(str(refresh_indicator_values.call()))

"""Demo data for plan monitoring (idempotent): task lists for 2025–2026, progress reports, a few manual values."""

from typing import Any

from django.core.management.base import BaseCommand

from planning.seed import seed


class Command(BaseCommand):
    help = "规划监测演示数据（可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(seed()))

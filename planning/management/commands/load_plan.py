"""Load the plan (78 tasks, 附件2, §三 and the indicator catalogue) from planning/data; idempotent."""

from typing import Any

from django.core.management.base import BaseCommand

from planning.services import load_plan


class Command(BaseCommand):
    help = "导入规划任务、专项行动与指标（可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_plan()
        self.stdout.write(", ".join(f"{k}={v}" for k, v in counts.items()))

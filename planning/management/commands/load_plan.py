"""Load the plan (78 tasks, 附件2, §三 and the indicator catalogue) from planning/data; idempotent."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from planning.services import load_plan


class Command(BaseCommand):
    help = "导入规划任务、专项行动与指标（可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_plan()
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(", ".join(f"{k}={v}" for k, v in counts.items()))

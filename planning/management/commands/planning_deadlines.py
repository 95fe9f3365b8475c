"""Send ledger reminders and escalations (cron: daily). --enqueue hands the job to the worker."""

from typing import Any

from django.core.management.base import BaseCommand

from planning.tasks import check_ledger_deadlines


class Command(BaseCommand):
    help = "工作台账：到期提醒与逾期督办"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            self.stdout.write(f"enqueued {check_ledger_deadlines.enqueue().id}")
            return
        self.stdout.write(str(check_ledger_deadlines.call()))

"""Delete orphaned evidence files of progress reports (cron: daily). --enqueue hands the job to the worker."""

from typing import Any

from django.core.management.base import BaseCommand

from planning.tasks import clean_orphaned_evidence


class Command(BaseCommand):
    help = "工作台账：清理无报告引用的佐证材料文件"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            self.stdout.write(f"enqueued {clean_orphaned_evidence.enqueue().id}")
            return
        self.stdout.write(str(clean_orphaned_evidence.call()))

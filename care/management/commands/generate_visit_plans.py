from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from care.periods import parse_month, today


class Command(BaseCommand):
    help = "Create the due visits of every active visit rule for a month (idempotent). Run on the 1st of each month."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", default="", help="month as YYYY-MM (default: the current month)")
        parser.add_argument("--enqueue", action="store_true", help="hand the job to the background worker")

    def handle(self, *args: object, **options: str) -> None:
        from care import services
        from care.tasks import generate_visit_plans_task

        try:
            month = parse_month(options["period"]) if options["period"] else today().replace(day=1)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        if options["enqueue"]:
            generate_visit_plans_task.enqueue(month.isoformat())
            self.stdout.write(f"已加入后台任务：{month:%Y-%m}")
            return
        created = services.generate_visit_plans(month=month)
        for tag, n in created.items():
            self.stdout.write(f"{month:%Y-%m} {tag}: 新建 {n} 条探访任务")

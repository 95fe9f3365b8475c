from django.core.management.base import BaseCommand, CommandParser

from appeals import services
from appeals.tasks import check_deadlines


class Command(BaseCommand):
    help = "逾期督办: escalate overdue request deadlines (run every few minutes from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="hand the check to the task worker instead of running it now")

    def handle(self, *args: object, **options: object) -> None:
        if options["enqueue"]:
            result = check_deadlines.enqueue()
            self.stdout.write(f"已排队：{result.id}")
            return
        count = services.escalate_overdue()
        self.stdout.write(f"逾期督办 {count} 项")

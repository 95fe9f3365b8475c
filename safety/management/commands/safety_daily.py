from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Escalate fire-safety corrections past their deadline to the township's staff."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="hand the job to the task worker")

    def handle(self, *args: object, **options: object) -> None:
        if options["enqueue"]:
            from safety.tasks import safety_daily

            safety_daily.enqueue()
            self.stdout.write("已提交后台任务。")
            return
        from safety.services import escalate_overdue

        self.stdout.write(f"升级督办逾期整改 {escalate_overdue()} 处。")

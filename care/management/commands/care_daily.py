from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from care.periods import today


class Command(BaseCommand):
    help = "Daily care job: drop residents who died/moved/left a group from open plans, assign unassigned visits, send reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--enqueue", action="store_true", help="hand the job to the background worker")

    def handle(self, *args: object, **options: str) -> None:
        from care import reminders, services
        from care.tasks import care_daily

        try:
            on = date.fromisoformat(options["date"]) if options["date"] else today()
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        if options["enqueue"]:
            care_daily.enqueue(on.isoformat())
            self.stdout.write("已加入后台任务")
            return
        dropped = services.reconcile_due_visits(on=on)
        assigned = services.assign_unassigned(on=on)
        sent = reminders.send_reminders(on=on)
        self.stdout.write(f"退出 {dropped} 条；分配 {assigned} 条；提醒社工 {sent['worker_reminders']} 条；提醒乡镇 {sent['township_alerts']} 条")

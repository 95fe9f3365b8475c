from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Anonymise deceased and moved-out residents whose retention period has ended (see docs/people.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="as of YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="only count the records that are due")
        parser.add_argument("--enqueue", action="store_true", help="hand the job to the background worker")

    def handle(self, *args: object, **options: object) -> None:
        from people import services
        from people.tasks import apply_retention_task

        try:
            day = date.fromisoformat(str(options["date"])) if options["date"] else None
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        if options["dry_run"]:
            self.stdout.write(f"保存期满、待匿名化的记录：{services.retention_due(day).count()} 条")
            return
        if options["enqueue"]:
            apply_retention_task.enqueue(day.isoformat() if day else "")
            self.stdout.write("已加入后台任务")
            return
        count = services.apply_retention(today=day)
        self.stdout.write(f"已匿名化 {count} 条记录")

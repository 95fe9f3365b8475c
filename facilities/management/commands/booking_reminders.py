from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from facilities.tasks import send_booking_reminders


class Command(BaseCommand):
    help = "提醒24小时内开始的已确认场地预约（每个预约只提醒一次）。cron 每小时运行一次；--enqueue 交给后台任务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24)
        parser.add_argument("--enqueue", action="store_true", help="放入后台任务队列，由 db_worker 执行")

    def handle(self, *args: Any, hours: int, enqueue: bool, **options: Any) -> None:
        if enqueue:
            result = send_booking_reminders.enqueue(hours=hours)
            self.stdout.write(f"已放入队列：{result.id}")
            return
        sent = send_booking_reminders.call(hours=hours)
        self.stdout.write(f"已发送提醒 {sent} 条。")

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from activities import services


class Command(BaseCommand):
    help = "提醒已报名的居民：活动开始前若干小时内各提醒一次（默认24小时）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=services.REMIND_HOURS)

    def handle(self, *args: Any, hours: int, **options: Any) -> None:
        sent = services.send_reminders(hours=max(1, min(hours, 24 * 7)))
        self.stdout.write(f"已发送活动提醒 {sent} 条。")

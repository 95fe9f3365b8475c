from django.core.management.base import BaseCommand, CommandParser

from appeals.demo import seed


class Command(BaseCommand):
    help = "Demo requests in a few communities of 桃城区 (deterministic; a second run adds nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=60)

    def handle(self, *args: object, **options: int) -> None:
        created = seed(options["count"])
        self.stdout.write(f"演示诉求：新增 {created} 件")

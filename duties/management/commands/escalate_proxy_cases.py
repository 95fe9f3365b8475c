from django.core.management.base import BaseCommand

from duties.services import escalate_overdue


class Command(BaseCommand):
    help = "Escalate proxy cases past the department's time limit (run hourly; each case once)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"超期督办代办件 {escalate_overdue()} 件")

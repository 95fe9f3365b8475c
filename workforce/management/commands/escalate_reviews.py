from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "资格联审: mark overdue unanswered requests as escalated and tell the county's staff (run daily)."

    def handle(self, *args: object, **options: object) -> None:
        from workforce.services_elections import escalate_overdue

        self.stdout.write(f"资格联审逾期上报：{escalate_overdue()} 项")

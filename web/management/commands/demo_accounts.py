from django.core.management.base import BaseCommand

from accounts.demo import ensure_demo_accounts


class Command(BaseCommand):
    help = "Print the demo accounts and their passwords (demo mode only)."

    def handle(self, *args: object, **options: object) -> None:
        for username, role, password in ensure_demo_accounts():
            self.stdout.write(f"  {username:<10} {password:<16} {role}")

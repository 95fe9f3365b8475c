from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Demo data for emergency plans, warnings, crowded places, police and help plans (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        from safety.demo import seed

        counts = seed()
        self.stdout.write("safety 演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))

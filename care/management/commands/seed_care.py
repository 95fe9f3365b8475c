from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Demo data for visits and emergency readiness (idempotent; works with an empty register)."

    def handle(self, *args: object, **options: object) -> None:
        from care.demo import seed

        counts = seed()
        self.stdout.write("care 演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Demo topics, a meeting and its vote, the three lists and a satisfaction survey (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        from deliberation.demo import seed

        counts = seed()
        self.stdout.write("deliberation 演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))

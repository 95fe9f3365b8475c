from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Demo social organisations and incubation bases (idempotent; works with an empty register)."

    def handle(self, *args: object, **options: object) -> None:
        from socialorgs.demo import seed

        counts = seed()
        self.stdout.write("socialorgs 演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))

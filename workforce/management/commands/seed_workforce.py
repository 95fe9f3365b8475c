from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Demo community workers, trainings and attendance (idempotent; works with an empty register)."

    def handle(self, *args: object, **options: object) -> None:
        from workforce.demo import seed

        counts = seed()
        self.stdout.write("workforce 演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))

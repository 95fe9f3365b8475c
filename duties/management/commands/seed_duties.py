from django.core.management.base import BaseCommand

from duties.demo import seed


class Command(BaseCommand):
    help = "The work-item list, the certificate lists, the service catalogue and demo tasks (a second run adds nothing)."

    def handle(self, *args: object, **options: object) -> None:
        made = seed()
        self.stdout.write(f"减负增效演示数据：任务 {made['tasks']} 条，服务目录 {made['services']} 项，"
                          f"证明事项 {made['certificate_items']} 项")

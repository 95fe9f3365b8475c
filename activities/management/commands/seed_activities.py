from typing import Any

from django.core.management.base import BaseCommand

from activities.seed import seed_activities


class Command(BaseCommand):
    help = "演示数据：演示居民所在社区的各类社区活动（含往期报名与评价）、补短板项目、试点、联席会议和档案（可重复运行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = seed_activities()
        self.stdout.write("社区活动演示数据：新增活动 {activities}、报名 {participations}、项目 {projects}、试点 {pilots}、"
                          "联席会议 {meetings}、档案 {archive}。".format(**counts))

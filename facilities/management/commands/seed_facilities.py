from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from facilities.seed import seed_facilities


class Command(BaseCommand):
    help = "演示数据：为有住户的村（社区）及抽样的村、各乡镇生成设施、网点、社区建筑面积和开放场地（可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sample-every", type=int, default=10, help="另外每隔多少个村（社区）抽一个（默认10）")

    def handle(self, *args: Any, sample_every: int, **options: Any) -> None:
        counts = seed_facilities(sample_every=max(1, sample_every))
        self.stdout.write("设施演示数据：覆盖 {units} 个村（社区），新增设施 {facilities}、网点 {points}、"
                          "社区面积 {profiles}、开放场地 {spaces}。".format(**counts))

"""python manage.py seed_demo --scale S — the deterministic synthetic population (see people/seed.py)."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.seed import DEFAULT_SEED, MAX_SCALE, MIN_SCALE, seed_population


class Command(BaseCommand):
    help = "生成合成人口（演示与性能测试用）：--scale 为全市420万居民的比例（0.001–1.0）；重复运行不重复生成。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=0.002, help=f"{MIN_SCALE}–{MAX_SCALE}，默认 0.002")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子（相同种子生成相同数据）")
        parser.add_argument("--batch", type=int, default=10_000, help="每批写入的人数（一个事务）")

    def handle(self, *args: object, **options: Any) -> None:
        scale = options["scale"]
        if not MIN_SCALE <= scale <= MAX_SCALE:
            raise CommandError(f"--scale 应在 {MIN_SCALE} 与 {MAX_SCALE} 之间")
        started = time.monotonic()
        show = options.get("verbosity", 1) >= 1

        def progress(done: int, planned: int) -> None:
            if show:
                elapsed = time.monotonic() - started
                rate = done / elapsed if elapsed else 0
                sys.stderr.write(f"\r{progress_line(done, planned)}，{rate:,.0f} 人/秒）  ")
                sys.stderr.flush()

        result = seed_population(scale, seed=options["seed"], batch=options["batch"], progress=progress)
        if show:
            sys.stderr.write("\n")
        self.stdout.write(
            f"合成人口：新增居民 {result.residents} 人、{result.households} 户、标签 {result.tags} 个；"
            f"跳过已生成的村（社区）{result.skipped_villages} 个；用时 {time.monotonic() - started:.1f} 秒")


def progress_line(done: int, planned: int) -> str:
    """The plan is an estimate (households come whole), so more people than planned may be written: never above 100%."""
    total = max(planned, done, 1)
    return f"合成人口 {done}/{total}（{done / total:.0%}"

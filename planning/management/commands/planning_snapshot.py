"""Freeze period-end indicator values; by default the year, quarter and month that ended last."""

from typing import Any

from django.core.management.base import BaseCommand

from planning import periods
from planning.tasks import freeze_snapshots


class Command(BaseCommand):
    help = "冻结期末指标值（再次运行时记录更正）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", action="append", help="如 2025、2025-Q3、2025-07；可重复")

    def handle(self, *args: Any, **options: Any) -> None:
        labels = options["period"] or [periods.current(kind).previous().label for kind in ("month", "quarter", "year")]
        for label in labels:
            periods.parse(label)
            self.stdout.write(f"{label}: {freeze_snapshots.call(label)}")

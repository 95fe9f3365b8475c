"""Print every indicator's value for one unit and period (recomputed from live records)."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from places.models import OrgUnit
from planning import engine, periods
from planning.models import Indicator


class Command(BaseCommand):
    help = "输出某单位某期间的全部指标值"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", required=True, help="区划代码，如 131102000000")
        parser.add_argument("--period", required=True, help="2025、2025-Q3 或 2025-07")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--cached", action="store_true", help="读缓存（含增量更新），不全量重算")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = periods.parse(options["period"])
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        if not OrgUnit.objects.filter(code=options["unit"]).exists():
            raise CommandError(f"单位不存在：{options['unit']}")
        if not Indicator.objects.exists():
            raise CommandError("尚未导入指标，请先运行 load_plan")
        rows = [v.as_dict() for v in engine.unit_values(options["unit"], period, fresh=not options["cached"])]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            value = "—" if row["value"] is None else f"{row['value']:.4g}"
            self.stdout.write(f"{row['code']:45} {value:>10} / {row['target']:<6} {row['source']:9} {row['status']}")

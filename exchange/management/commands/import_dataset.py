from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange import importers, services
from exchange.datasets import SPECS
from exchange.models import Batch, Dataset
from shequ.xlsx import HeaderMismatch


class Command(BaseCommand):
    help = "把部门数据集的一个批次（.xlsx 或 .csv）导入：整批校验，无误才入库，否则逐行报告错误、什么也不写。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="数据集代码：" + "、".join(SPECS))
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只校验并列出差异，不写入")

    def handle(self, *args: Any, name: str, path: Path, dry_run: bool = False, **options: Any) -> None:
        if name not in SPECS:
            raise CommandError(f"没有这个数据集：{name}（可用：{'、'.join(SPECS)}）")
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        services.sync_datasets()
        dataset = Dataset.objects.get(code=name)
        try:
            rows = importers.file_rows(path.name, path.read_bytes(), dataset.spec)
        except HeaderMismatch as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors)) from exc
        result = services.deliver(dataset=dataset, rows=rows, actor=None, channel=Batch.Channel.COMMAND,
                                  source_name=path.name, dry_run=dry_run)
        if not result.ok:
            raise CommandError("整批未入库：\n" + "\n".join(str(e) for e in result.errors[:200]))
        verb = "校验通过（未写入）" if dry_run else "已入库"
        self.stdout.write(f"{dataset.name}：{result.row_count} 行{verb}；新增 {len(result.added)}，变更 {len(result.changed)}，"
                          f"删除 {len(result.removed)}，未变 {result.unchanged}。")
        for label, codes in (("新增", result.added), ("变更", result.changed), ("删除", result.removed)):
            if codes:
                self.stdout.write(f"{label}：{'、'.join(codes[:50])}{' …' if len(codes) > 50 else ''}")

from typing import Any

from django.core.management.base import BaseCommand

from exchange import services


class Command(BaseCommand):
    help = "创建代码中定义的部门数据集（已有的保留其配置的报送部门和职责范围）。"

    def handle(self, *args: Any, **options: Any) -> None:
        created = services.sync_datasets()
        self.stdout.write(f"新建数据集 {created} 个。")

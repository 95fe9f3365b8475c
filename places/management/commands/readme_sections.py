"""Write the README's generated section from docs/*.md; --check fails (exit 1) when README.md is out of date."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shequ import readme


class Command(BaseCommand):
    help = "由 docs/*.md 生成 README 的模块章节（--check：只检查是否一致）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="只检查，不写入；不一致时退出码为 1")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                if readme.out_of_date():
                    raise CommandError("README.md 的模块章节与 docs/*.md 不一致：请运行 manage.py readme_sections")
                self.stdout.write("README.md 与 docs/*.md 一致。")
                return
            changed = readme.write()
        except (readme.DocSectionMissing, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("已更新 README.md。" if changed else "README.md 已是最新。")

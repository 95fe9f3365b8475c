"""Installation: create the three administrator posts (三权分立) once; afterwards they change only with two administrators."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import demo, services
from accounts.models import User
from accounts.roles import ADMIN_ROLES, Role


class Command(BaseCommand):
    help = "Create the first system administrator, security administrator and auditor (installation only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sysadmin", default="sysadmin", help="username of the system administrator")
        parser.add_argument("--secadmin", default="secadmin", help="username of the security administrator")
        parser.add_argument("--auditor", default="auditor", help="username of the security auditor")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(role__in=list(ADMIN_ROLES)).exists():
            raise CommandError("管理员岗位已存在：此后只能由两名管理员在“双人操作”中变更。")
        posts = [(options["sysadmin"], Role.SYSTEM_ADMIN, "系统管理员"), (options["secadmin"], Role.SECURITY_ADMIN, "安全管理员"),
                 (options["auditor"], Role.AUDITOR, "安全审计员")]
        for username, role, name in posts:
            password = demo.demo_password()
            user = services.create_user(actor=None, username=username, password=password, role=role, display_name=name)
            self.stdout.write(f"{user.username}\t{name}\t初始密码 {password}（首次登录须修改）")

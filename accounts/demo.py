"""Demo accounts, one per role, for the embedded demo only (SHEQU_DEMO=true)."""

import secrets
import string
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts import services
from accounts.models import User
from accounts.roles import Role
from places.models import Department, OrgUnit

# username, role, display name, unit code or department code
DEMO_ACCOUNTS = [
    ("resident", Role.RESIDENT, "张大爷", "131102001045"),
    ("worker", Role.COMMUNITY_WORKER, "李社工（游园社区）", "131102001045"),
    ("township", Role.TOWNSHIP_STAFF, "王干事（河西街道）", "131102001000"),
    ("county", Role.COUNTY_STAFF, "赵科长（桃城区）", "131102000000"),
    ("city", Role.CITY_STAFF, "刘处长（衡水市）", "131100000000"),
    ("dept", Role.DEPARTMENT_STAFF, "陈科员（市民政局）", "dept:civil_affairs"),
    ("sysadmin", Role.SYSTEM_ADMIN, "系统管理员", ""),
    ("secadmin", Role.SECURITY_ADMIN, "安全管理员", ""),
    ("auditor", Role.AUDITOR, "安全审计员", ""),
]


# 单位负责人 in the demo: they approve the data rights the security administrator asks for.
DEMO_LEADERS = {"township", "county", "city"}


def demo_password() -> str:
    body = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))
    return f"Sq-{body}7a"


def accounts_file() -> Path:
    return Path(settings.VAR_DIR) / "demo_accounts.txt"


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """Create the missing demo accounts; return (username, role label, password) for each."""
    if not settings.DEMO:
        raise ImproperlyConfigured("demo accounts exist only in demo mode (SHEQU_DEMO=true)")
    path = accounts_file()
    known = {}
    if path.exists():
        for line in path.read_text().splitlines():
            username, _, password = line.partition("\t")
            known[username] = password
    listing = []
    for username, role, name, scope in DEMO_ACCOUNTS:
        password = known.get(username) or demo_password()
        if not User.objects.filter(username=username).exists():
            unit = department = None
            if scope.startswith("dept:"):
                department = Department.objects.get(code=scope.removeprefix("dept:"))
            elif scope:
                unit = OrgUnit.objects.get(code=scope)
            # Demo passwords are printed for everyone to use, so no first-sign-in change.
            services.create_user(actor=None, username=username, password=password, role=role,
                                 display_name=name, unit=unit, department=department,
                                 is_unit_leader=username in DEMO_LEADERS, must_change_password=False)
        known[username] = password
        listing.append((username, Role(role).label, password))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{u}\t{p}\n" for u, p in known.items()))
    path.chmod(0o600)
    return listing

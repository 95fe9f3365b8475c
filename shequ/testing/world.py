"""Named users on the real tree, shared by every app's tests (healthchecks style).

alice  community worker, 游园社区 131102001045 (河西街道, 桃城区)
bob    community worker, 桥东社区 131102002018 (河东街道, 桃城区)   ← "the other community"
tina   township staff, 河西街道 131102001000
tom    township staff, 河东街道 131102002000
carl   county staff, 桃城区 131102000000
dave   county staff, 冀州区 131103000000
cindy  city staff, 衡水市 131100000000
erin   department staff, 市民政局 (civil_affairs)
rita   resident, 游园社区
sam / sue / audrey  system admin / security admin / auditor
"""

from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from accounts.roles import Role
from places.models import Department, OrgUnit

PASSWORD = "Test-pass-123"

ALICE_UNIT = "131102001045"
BOB_UNIT = "131102002018"
HEXI = "131102001000"
HEDONG = "131102002000"
TAOCHENG = "131102000000"
JIZHOU = "131103000000"
CITY = "131100000000"
# bob's community as a choice in a form's unit list: what a create form shows of bob's scope.
BOB_CHOICE = f'value="{BOB_UNIT}"'

USERS = {
    "alice": (Role.COMMUNITY_WORKER, ALICE_UNIT),
    "bob": (Role.COMMUNITY_WORKER, BOB_UNIT),
    "tina": (Role.TOWNSHIP_STAFF, HEXI),
    "tom": (Role.TOWNSHIP_STAFF, HEDONG),
    "carl": (Role.COUNTY_STAFF, TAOCHENG),
    "dave": (Role.COUNTY_STAFF, JIZHOU),
    "cindy": (Role.CITY_STAFF, CITY),
    "erin": (Role.DEPARTMENT_STAFF, "dept:civil_affairs"),
    "rita": (Role.RESIDENT, ALICE_UNIT),
    "sam": (Role.SYSTEM_ADMIN, ""),
    "sue": (Role.SECURITY_ADMIN, ""),
    "audrey": (Role.AUDITOR, ""),
}

# Who must see nothing of an object that lives in bob's community (桥东社区).
OUTSIDERS = ["alice", "tina", "dave", "erin", "rita", "sam", "sue", "audrey"]
# Who must see it (bob, his township, his county, the city).
INSIDERS = ["bob", "tom", "carl", "cindy"]


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def unit(self, code: str) -> OrgUnit:
        return OrgUnit.objects.get(code=code)


def make_world() -> World:
    world = World()
    for username, (role, scope) in USERS.items():
        unit = department = None
        if scope.startswith("dept:"):
            department = Department.objects.get(code=scope.removeprefix("dept:"))
        elif scope:
            unit = OrgUnit.objects.get(code=scope)
        user = User(username=username, role=role, unit=unit, department=department, display_name=username.title())
        user.set_password(PASSWORD)
        user.save()
        world.users[username] = user
    return world

"""The exchange's routes in the cross-scope walk.

Datasets and batches belong to the department that feeds them: the insider is that department's user. For the walk,
the 残疾人协会 dataset is given to erin's department (市民政局) — the owner is configuration (Dataset.department) —
and its batch names bob's community. Everyone else is an outsider, including another department's user (hank, 市卫生健康委)
and the places' own staff (bob, tom, carl, cindy): a department's deliveries are its own.
"""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, USERS, World

CODE = "disabled_persons_associations"
HEADER = ["村（社区）代码", "成立日期", "主席姓名"]
SOURCE = "探针协会名册.csv"
DEPARTMENT: dict[str, Any] = {"insiders": ("erin",), "outsiders": (*(u for u in USERS if u != "erin"), "hank")}


def _dataset(world: World) -> Any:
    from accounts.models import User
    from exchange import services
    from exchange.models import Dataset
    from exchange.tests.helpers import department_user

    services.sync_datasets()
    world.users["hank"] = User.objects.filter(username="hank").first() or department_user("health_commission", "hank")
    Dataset.objects.filter(code=CODE).update(department=world.erin.department)
    return Dataset.objects.get(code=CODE)


def _batch(world: World, *, bad: bool = False) -> Any:
    from exchange import services

    row = {HEADER[0]: BOB_UNIT, HEADER[1]: "2020-13-01" if bad else "2020-05-01", HEADER[2]: "探针主席"}
    done = services.deliver(dataset=_dataset(world), rows=[(2, row)], actor=world.erin, channel="upload", source_name=SOURCE)
    return done.batch


def _no_fact() -> bool:
    from exchange.models import Fact

    return not Fact.objects.filter(dataset__code=CODE, unit_id=BOB_UNIT).exists()


def _upload(world: World) -> Probe:
    from exchange.tests.helpers import csv_bytes

    _dataset(world)
    data = csv_bytes([HEADER, [BOB_UNIT, "2020-05-01", "探针主席"]])
    return Probe(url=f"/exchange/datasets/{CODE}/upload/", method="post", kind="write",
                 data={"file": SimpleUploadedFile("probe.csv", data)}, unchanged=_no_fact)


def _push(world: World) -> Probe:
    _dataset(world)
    return Probe(url=f"/api/exchange/datasets/{CODE}/batches", method="post", kind="write", json=True,
                 data={"rows": [{HEADER[0]: BOB_UNIT, HEADER[1]: "2020-05-01", HEADER[2]: "探针主席"}]}, unchanged=_no_fact)


CASES = [
    ScopeCase("exchange/", lambda w: (_batch(w), Probe(url="/exchange/", kind="list",
                                                         marker=f'href="/exchange/datasets/{CODE}/"'))[1], **DEPARTMENT),
    ScopeCase("exchange/datasets/<slug:code>/", lambda w: (_batch(w), Probe(url=f"/exchange/datasets/{CODE}/", marker=SOURCE))[1],
              **DEPARTMENT),
    ScopeCase("exchange/datasets/<slug:code>/upload/", _upload, methods=("post",), **DEPARTMENT),
    ScopeCase("exchange/batches/<int:pk>/", lambda w: Probe(url=f"/exchange/batches/{_batch(w).pk}/", marker="桥东社区居民委员会"),
              **DEPARTMENT),
    ScopeCase("exchange/batches/<int:pk>/errors/",
              lambda w: Probe(url=f"/exchange/batches/{_batch(w, bad=True).pk}/errors/", marker="2020-13-01"), **DEPARTMENT),
    ScopeCase("api/exchange/datasets", lambda w: (_dataset(w), Probe(url="/api/exchange/datasets", kind="list",
                                                                   marker=f'"code": "{CODE}"'))[1], **DEPARTMENT),
    ScopeCase("api/exchange/datasets/<code>/batches",
              lambda w: (_batch(w), Probe(url=f"/api/exchange/datasets/{CODE}/batches", marker=SOURCE))[1], **DEPARTMENT),
    ScopeCase("api/exchange/datasets/<code>/batches", _push, methods=("post",), **DEPARTMENT),
]

OPEN_ROUTES = {
    "exchange/datasets/<slug:code>/template/": "the blank template of a dataset: its published columns and instructions, no place's data",
}

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


# ---------------------------------------------------------------- sharing agreements
# hank (市卫生健康委) asks for bob's community's residents aged 80+; erin (市民政局) approves. The data is hank's to read.

def _agreement(world: World, *, approved: bool = True, read: bool = False) -> Any:
    import datetime as dt

    from django.utils import timezone

    from exchange import services
    from people.models import Resident

    _dataset(world)
    today = timezone.localdate()
    Resident.objects.create(unit_id=BOB_UNIT, name="探针老人", gender="M", birth_date=dt.date(today.year - 85, 1, 1))
    agreement = services.request_agreement(actor=world.hank, dataset="residents_80_plus", unit_code=BOB_UNIT,
                                           purpose="高龄津贴", legal_basis="老年人权益保障法", unmasked={},
                                           starts_on=today, ends_on=today + dt.timedelta(days=30))
    if approved:
        agreement = services.decide_agreement(agreement=agreement, actor=world.erin, approve=True)
    if read:
        services.read_shared(agreement=agreement, actor=world.hank, page=1, as_of=today)
    return agreement


def _status_is(status: str) -> Any:
    def unchanged() -> bool:
        from exchange.models import SharingAgreement

        return SharingAgreement.objects.filter(unit_id=BOB_UNIT).values_list("status", flat=True).first() == status

    return unchanged


def _ask(world: World) -> Probe:
    import datetime as dt

    from django.utils import timezone

    from exchange.models import SharingAgreement

    _dataset(world)
    today = timezone.localdate()
    return Probe(url="/api/exchange/agreements", method="post", kind="write", json=True,
                 data={"dataset": "residents_80_plus", "unit_code": BOB_UNIT, "purpose": "高龄津贴", "legal_basis": "条例",
                       "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=30)).isoformat()},
                 unchanged=lambda: not SharingAgreement.objects.filter(unit_id=BOB_UNIT).exists())


BOB_ROW = f'"unit_code": "{BOB_UNIT}"'
BOTH: dict[str, Any] = {"insiders": ("hank", "erin"), "outsiders": tuple(u for u in USERS if u != "erin")}
APPROVER: dict[str, Any] = {"insiders": ("erin",), "outsiders": (*(u for u in USERS if u != "erin"), "hank")}
REQUESTER: dict[str, Any] = {"insiders": ("hank",), "outsiders": tuple(USERS)}

CASES += [
    ScopeCase("api/exchange/agreements", lambda w: (_agreement(w), Probe(url="/api/exchange/agreements", kind="list",
                                                                       marker=BOB_ROW))[1], **BOTH),
    # Any department may ask; only department staff can: the places' staff and the admin posts are refused.
    ScopeCase("api/exchange/agreements", _ask, methods=("post",), insiders=("erin",),
              outsiders=tuple(u for u in USERS if u != "erin")),
    ScopeCase("api/exchange/agreements/<agreement_id>/approve",
              lambda w: Probe(url=f"/api/exchange/agreements/{_agreement(w, approved=False).pk}/approve", method="post",
                              kind="write", json=True, unchanged=_status_is("requested")), methods=("post",), **APPROVER),
    ScopeCase("api/exchange/agreements/<agreement_id>/revoke",
              lambda w: Probe(url=f"/api/exchange/agreements/{_agreement(w).pk}/revoke", method="post", kind="write",
                              json=True, unchanged=_status_is("approved")), methods=("post",),
              insiders=("erin",), outsiders=tuple(u for u in USERS if u != "erin")),
    ScopeCase("api/exchange/agreements/<agreement_id>/rows",
              lambda w: Probe(url=f"/api/exchange/agreements/{_agreement(w).pk}/rows", marker=BOB_ROW), **REQUESTER),
    ScopeCase("api/exchange/agreements/<agreement_id>/accesses",
              lambda w: Probe(url=f"/api/exchange/agreements/{_agreement(w, read=True).pk}/accesses", marker='"user": "hank"'),
              **BOTH),
]

CASES += [
    ScopeCase("exchange/agreements/", lambda w: (_agreement(w), Probe(url="/exchange/agreements/", kind="list",
                                                                    marker=f"（{BOB_UNIT}）"))[1], **BOTH),
    ScopeCase("exchange/agreements/<int:pk>/",
              lambda w: Probe(url=f"/exchange/agreements/{_agreement(w, read=True).pk}/", marker="<td>hank</td>"), **BOTH),
    ScopeCase("exchange/agreements/<int:pk>/approve/",
              lambda w: Probe(url=f"/exchange/agreements/{_agreement(w, approved=False).pk}/approve/", method="post",
                              kind="write", unchanged=_status_is("requested")), methods=("post",), **APPROVER),
    ScopeCase("exchange/agreements/<int:pk>/revoke/",
              lambda w: Probe(url=f"/exchange/agreements/{_agreement(w).pk}/revoke/", method="post", kind="write",
                              unchanged=_status_is("approved")), methods=("post",),
              insiders=("erin",), outsiders=tuple(u for u in USERS if u != "erin")),
]

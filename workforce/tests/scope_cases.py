"""Every workforce route, probed as outsiders against a worker and a training in bob's community (桥东社区)."""

import datetime as dt

from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_CHOICE, BOB_UNIT, World

MARKER = "桥东工作者甲"
TRAINING_MARKER = "桥东社区自办轮训"
# A unit's own pages are headed with its name.
HEADING = "<h1>桥东社区居民委员会"


def _worker(world: World):
    from workforce.models import CommunityWorker

    return CommunityWorker.objects.get_or_create(
        unit_id=BOB_UNIT, name=MARKER,
        defaults={"gender": "M", "position": "full_time", "started_on": dt.date(2024, 1, 1), "phone_masked": "139****0001"})[0]


def _training(world: World):
    from workforce.models import Training

    return Training.objects.get_or_create(
        unit_id=BOB_UNIT, title=TRAINING_MARKER,
        defaults={"level": "district", "kind": "rotation", "starts_on": dt.date(2026, 3, 1), "ends_on": dt.date(2026, 3, 2)})[0]


def _unchanged_worker(world: World):
    from workforce.models import CommunityWorker

    worker = _worker(world)
    return lambda: CommunityWorker.objects.filter(pk=worker.pk, name=MARKER, ended_on__isnull=True,
                                                  position="full_time").exists()


def _no_new_worker() -> bool:
    from workforce.models import CommunityWorker

    return not CommunityWorker.objects.filter(name="外来写入").exists()


def _worker_list(world: World) -> Probe:
    _worker(world)
    return Probe(url=f"/workforce/units/{BOB_UNIT}/", kind="detail", marker=MARKER)


def _add_post(world: World) -> Probe:
    return Probe(url=f"/workforce/units/{BOB_UNIT}/new/", method="post", kind="write", unchanged=_no_new_worker,
                 data={"name": "外来写入", "gender": "M", "position": "full_time", "started_on": "2024-01-01"})


def _edit_post(world: World) -> Probe:
    worker = _worker(world)
    return Probe(url=f"/workforce/workers/{worker.pk}/edit/", method="post", kind="write",
                 unchanged=_unchanged_worker(world),
                 data={"name": "改名", "gender": "M", "position": "secretary", "started_on": "2024-01-01"})


def _end_post(world: World) -> Probe:
    worker = _worker(world)
    return Probe(url=f"/workforce/workers/{worker.pk}/end/", method="post", kind="write",
                 unchanged=_unchanged_worker(world), data={"ended_on": "2026-01-01"})


def _trainings(world: World) -> Probe:
    _training(world)
    return Probe(url="/workforce/trainings/", kind="list", marker=TRAINING_MARKER)


def _training_add_post(world: World) -> Probe:
    from workforce.models import Training

    return Probe(url="/workforce/trainings/new/", method="post", kind="write",
                 unchanged=lambda: not Training.objects.filter(title="外来培训").exists(),
                 data={"title": "外来培训", "level": "district", "kind": "rotation", "starts_on": "2026-03-01",
                       "ends_on": "2026-03-02", "unit": BOB_UNIT})


def _attendance_post(world: World) -> Probe:
    from workforce.models import TrainingAttendance

    training, worker = _training(world), _worker(world)
    return Probe(url=f"/workforce/trainings/{training.pk}/attendance/", method="post", kind="write",
                 unchanged=lambda: not TrainingAttendance.objects.exists(),
                 data={"worker": worker.pk, "completed": "on", "unit": BOB_UNIT})


def _upload(rows: list[list[str]]) -> dict[str, object]:
    from io import BytesIO

    from openpyxl import Workbook

    from workforce.importers import HEADERS

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    stream = BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = "workers.xlsx"
    return {"file": stream}


def _import_post(world: World) -> Probe:
    def data() -> dict[str, object]:
        return _upload([[BOB_UNIT, "外来写入", "男", "专职社区工作者", "13900000000", "2024-01-01", ""]])

    class Fresh(dict):
        """A fresh file for every outsider's request."""

        def items(self):
            return data().items()

    return Probe(url=f"/workforce/units/{BOB_UNIT}/import/", method="post", kind="write", data=Fresh(data()),
                 unchanged=_no_new_worker)


def _api_list(world: World) -> Probe:
    _worker(world)
    return Probe(url=f"/api/workforce/workers?unit={BOB_UNIT}", kind="list", marker=MARKER)


CASES = [
    ScopeCase("workforce/units/<str:code>/", _worker_list),
    ScopeCase("workforce/units/<str:code>/new/", lambda w: Probe(url=f"/workforce/units/{BOB_UNIT}/new/", marker=HEADING)),
    ScopeCase("workforce/units/<str:code>/new/", _add_post, methods=("post",)),
    ScopeCase("workforce/units/<str:code>/import/", lambda w: Probe(url=f"/workforce/units/{BOB_UNIT}/import/", marker=HEADING)),
    ScopeCase("workforce/units/<str:code>/import/", _import_post, methods=("post",)),
    ScopeCase("workforce/units/<str:code>/export/",
              lambda w: (_worker(w), Probe(url=f"/workforce/units/{BOB_UNIT}/export/?status=all", marker=MARKER))[1]),
    ScopeCase("workforce/units/<str:code>/summary/", lambda w: Probe(url=f"/workforce/units/{BOB_UNIT}/summary/", marker=HEADING)),
    ScopeCase("workforce/workers/<int:pk>/", lambda w: Probe(url=f"/workforce/workers/{_worker(w).pk}/", marker=MARKER)),
    ScopeCase("workforce/workers/<int:pk>/edit/", lambda w: Probe(url=f"/workforce/workers/{_worker(w).pk}/edit/", marker=MARKER)),
    ScopeCase("workforce/workers/<int:pk>/edit/", _edit_post, methods=("post",)),
    ScopeCase("workforce/workers/<int:pk>/end/", _end_post, methods=("post",)),
    ScopeCase("workforce/trainings/", _trainings),
    # A community worker's form offers their own community; higher levels type a code.
    ScopeCase("workforce/trainings/new/", lambda w: Probe(url="/workforce/trainings/new/", kind="list", marker=BOB_CHOICE),
              insiders=("bob",)),
    ScopeCase("workforce/trainings/new/", _training_add_post, methods=("post",)),
    ScopeCase("workforce/trainings/<int:pk>/", lambda w: Probe(url=f"/workforce/trainings/{_training(w).pk}/", marker=TRAINING_MARKER)),
    ScopeCase("workforce/trainings/<int:pk>/attendance/", _attendance_post, methods=("post",)),
    ScopeCase("api/workforce/workers", _api_list),
    ScopeCase("api/workforce/workers", lambda w: (_worker(w), Probe(url="/api/workforce/workers", kind="list", marker=MARKER))[1]),
    ScopeCase("api/workforce/workers/<worker_id>", lambda w: Probe(url=f"/api/workforce/workers/{_worker(w).pk}", marker=MARKER)),
]

OPEN_ROUTES = {
    "workforce/import/template/": "the blank Excel template: headers, drop-downs and instructions, no place's data",
    "workforce/import/report/": "turns the error rows the user's own browser posts back into .xlsx; reads no stored data",
    "workforce/": "redirects a staff user to their own unit's list (404 without a place scope); shows no data",
}

"""Every workforce route, probed as outsiders against a worker and a training in bob's community (桥东社区)."""

import datetime as dt

from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_CHOICE, BOB_UNIT, INSIDERS, OUTSIDERS, World

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


# ---------------------------------------------------------------- elections, 资格联审, filing, reserve, monitor

CANDIDATE_MARKER = "桥东候选人甲"
RESERVE_MARKER = "桥东后备甲"
SECRETARY_MARKER = "桥东书记甲"
# A reviewing department's requests: only that department's staff (erin, 市民政局) see them.
DEPARTMENT_ONLY = {"insiders": ("erin",), "outsiders": (*(u for u in OUTSIDERS if u != "erin"), *INSIDERS)}
# 书记备案 is the county organisation department's: county and city staff file.
COUNTY_WRITES = {"insiders": ("carl", "cindy"), "outsiders": (*OUTSIDERS, "bob", "tom")}


def _id_number(n: int) -> str:
    from people.idcard import make_number

    return make_number("131102", dt.date(1980, 1, 1), n, "M")


def _election(world: World):
    from django.utils import timezone

    from workforce.models import ElectionRound

    start = timezone.localdate() - dt.timedelta(days=3)
    return ElectionRound.objects.get_or_create(
        unit_id=BOB_UNIT, kind="residents", term_starts_on=start,
        defaults={"election_date": start, "term_ends_on": start + dt.timedelta(days=1800)})[0]


def _candidate(world: World, *, eligible: bool = False):
    from people import crypto
    from places.models import Department
    from workforce.models import Candidate, ReviewDepartment

    ReviewDepartment.objects.get_or_create(department=Department.objects.get(code="civil_affairs"))
    number = _id_number(7)
    candidate = Candidate.objects.get_or_create(
        election=_election(world), id_number_hash=crypto.search_hash(number),
        defaults={"name": CANDIDATE_MARKER, "gender": "M", "birth_date": dt.date(1980, 1, 1),
                  "id_number_enc": crypto.encrypt(number), "id_number_masked": "131102********0015",
                  "nominated_for": "director"})[0]
    if eligible and candidate.eligible_on is None:
        candidate.eligible_on = dt.date(2026, 1, 1)
        candidate.save()
    return candidate


def _review(world: World, answer: str = "pending"):
    from django.utils import timezone

    from workforce.models import ReviewRequest

    now = timezone.now()
    return ReviewRequest.objects.get_or_create(
        candidate=_candidate(world), department_id=_department_id(),
        defaults={"sent_at": now, "due_at": now + dt.timedelta(days=5), "answer": answer,
                  "answered_at": now if answer != "pending" else None})[0]


def _department_id() -> int:
    from places.models import Department

    return Department.objects.get(code="civil_affairs").pk


def _secretary(world: World):
    from workforce.models import CommunityWorker

    return CommunityWorker.objects.get_or_create(
        unit_id=BOB_UNIT, name=SECRETARY_MARKER,
        defaults={"gender": "M", "position": "secretary", "started_on": dt.date(2024, 1, 1)})[0]


def _reserve(world: World):
    from people import crypto
    from workforce.models import ReserveCandidate

    number = _id_number(8)
    return ReserveCandidate.objects.get_or_create(
        unit_id=BOB_UNIT, id_number_hash=crypto.search_hash(number),
        defaults={"name": RESERVE_MARKER, "gender": "M", "birth_date": dt.date(1980, 1, 1),
                  "id_number_enc": crypto.encrypt(number), "id_number_masked": "131102********0031",
                  "source": "veteran", "joined_on": dt.date(2025, 1, 1)})[0]


def _election_add_post(world: World) -> Probe:
    from workforce.models import ElectionRound

    return Probe(url=f"/workforce/units/{BOB_UNIT}/elections/", method="post", kind="write",
                 unchanged=lambda: not ElectionRound.objects.filter(kind="party").exists(),
                 data={"kind": "party", "election_date": "2026-03-01", "term_starts_on": "2026-03-02",
                       "term_ends_on": "2031-03-01", "review_days": "5"})


def _candidate_add_post(world: World) -> Probe:
    from workforce.models import Candidate

    election = _election(world)
    return Probe(url=f"/workforce/elections/{election.pk}/candidates/", method="post", kind="write",
                 unchanged=lambda: not Candidate.objects.filter(name="外来候选人").exists(),
                 data={"name": "外来候选人", "id_number": _id_number(9), "nominated_for": "director"})


def _send_post(world: World) -> Probe:
    from workforce.models import ReviewRequest

    candidate = _candidate(world)
    return Probe(url=f"/workforce/elections/{candidate.election_id}/send/", method="post", kind="write",
                 unchanged=lambda: not ReviewRequest.objects.exists(), data={})


def _confirm_post(world: World) -> Probe:
    from workforce.models import Candidate

    review = _review(world, answer="pass")
    pk = review.candidate_id
    return Probe(url=f"/workforce/candidates/{pk}/confirm/", method="post", kind="write", data={},
                 unchanged=lambda: Candidate.objects.filter(pk=pk, eligible_on__isnull=True).exists())


def _results_post(world: World) -> Probe:
    from workforce.models import CommunityWorker

    candidate = _candidate(world, eligible=True)
    pk = candidate.pk
    return Probe(url=f"/workforce/elections/{candidate.election_id}/results/", method="post", kind="write",
                 unchanged=lambda: not CommunityWorker.objects.filter(election__isnull=False).exists(),
                 data={"elected": [str(pk)], f"position_{pk}": "director", f"votes_{pk}": "300", "confirm": "1"})


def _matrix(world: World) -> Probe:
    candidate = _candidate(world)
    _review(world)
    return Probe(url=f"/workforce/units/{BOB_UNIT}/reviews/?year={candidate.election.term_starts_on.year}",
                 marker=CANDIDATE_MARKER)


def _matrix_export(world: World) -> Probe:
    candidate = _candidate(world)
    _review(world)
    return Probe(url=f"/workforce/units/{BOB_UNIT}/reviews/export/?year={candidate.election.term_starts_on.year}",
                 marker=CANDIDATE_MARKER)


def _inbox(world: World) -> Probe:
    _review(world)
    return Probe(url="/workforce/reviews/", kind="list", marker=CANDIDATE_MARKER)


def _answer_post(world: World) -> Probe:
    from workforce.models import ReviewRequest

    review = _review(world)
    return Probe(url=f"/workforce/reviews/{review.pk}/answer/", method="post", kind="write",
                 data={"answer": "pass"},
                 unchanged=lambda: ReviewRequest.objects.filter(pk=review.pk, answer="pending").exists())


def _filing_post(world: World) -> Probe:
    from workforce.models import SecretaryFiling

    worker = _secretary(world)
    return Probe(url=f"/workforce/workers/{worker.pk}/filing/", method="post", kind="write",
                 unchanged=lambda: not SecretaryFiling.objects.exists(),
                 data={"filed_on": "2025-01-02", "approval": "衡组备〔2025〕1号"})


def _reserve_add_post(world: World) -> Probe:
    from workforce.models import ReserveCandidate

    return Probe(url=f"/workforce/units/{BOB_UNIT}/reserve/", method="post", kind="write",
                 unchanged=lambda: not ReserveCandidate.objects.filter(name="外来人才").exists(),
                 data={"name": "外来人才", "id_number": _id_number(11), "source": "graduate",
                       "joined_on": "2025-01-01"})


def _reserve_leave_post(world: World) -> Probe:
    from workforce.models import ReserveCandidate

    row = _reserve(world)
    return Probe(url=f"/workforce/reserve/{row.pk}/leave/", method="post", kind="write", data={"confirm": "1"},
                 unchanged=lambda: ReserveCandidate.objects.filter(pk=row.pk, outcome="in_pool").exists())


def _exam_post(world: World) -> Probe:
    from workforce.models import SocialWorkExam

    worker = _worker(world)
    return Probe(url=f"/workforce/workers/{worker.pk}/exams/", method="post", kind="write",
                 unchanged=lambda: not SocialWorkExam.objects.exists(),
                 data={"year": "2025", "level": "assistant", "passed": "on"})


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
    ScopeCase("workforce/units/<str:code>/elections/",
              lambda w: (_election(w), Probe(url=f"/workforce/units/{BOB_UNIT}/elections/", marker="居民委员会换届"))[1]),
    ScopeCase("workforce/units/<str:code>/elections/", _election_add_post, methods=("post",)),
    ScopeCase("workforce/elections/<int:pk>/",
              lambda w: Probe(url=f"/workforce/elections/{_candidate(w).election_id}/", marker=CANDIDATE_MARKER)),
    ScopeCase("workforce/elections/<int:pk>/candidates/", _candidate_add_post, methods=("post",)),
    ScopeCase("workforce/elections/<int:pk>/send/", _send_post, methods=("post",)),
    ScopeCase("workforce/elections/<int:pk>/results/", _results_post, methods=("post",)),
    ScopeCase("workforce/candidates/<int:pk>/confirm/", _confirm_post, methods=("post",)),
    ScopeCase("workforce/units/<str:code>/reviews/", _matrix),
    ScopeCase("workforce/units/<str:code>/reviews/export/", _matrix_export),
    ScopeCase("workforce/reviews/", _inbox, **DEPARTMENT_ONLY),
    ScopeCase("workforce/reviews/<int:pk>/answer/", _answer_post, methods=("post",), **DEPARTMENT_ONLY),
    ScopeCase("workforce/units/<str:code>/filings/",
              lambda w: (_secretary(w), Probe(url=f"/workforce/units/{BOB_UNIT}/filings/", marker=SECRETARY_MARKER))[1]),
    ScopeCase("workforce/workers/<int:pk>/filing/", _filing_post, methods=("post",), **COUNTY_WRITES),
    ScopeCase("workforce/units/<str:code>/reserve/",
              lambda w: (_reserve(w), Probe(url=f"/workforce/units/{BOB_UNIT}/reserve/", marker=RESERVE_MARKER))[1]),
    ScopeCase("workforce/units/<str:code>/reserve/", _reserve_add_post, methods=("post",)),
    ScopeCase("workforce/reserve/<int:pk>/leave/", _reserve_leave_post, methods=("post",)),
    ScopeCase("workforce/units/<str:code>/monitor/",
              lambda w: (_worker(w), Probe(url=f"/workforce/units/{BOB_UNIT}/monitor/", marker=MARKER))[1]),
    ScopeCase("workforce/workers/<int:pk>/exams/", _exam_post, methods=("post",)),
]

OPEN_ROUTES = {
    "workforce/import/template/": "the blank Excel template: headers, drop-downs and instructions, no place's data",
    "workforce/import/report/": "turns the error rows the user's own browser posts back into .xlsx; reads no stored data",
    "workforce/": "redirects a staff user to their own unit's list (404 without a place scope); shows no data",
}

"""换届选举 and 资格联审: candidates sent to the city's reviewing departments, answers, escalation, the county
matrix and its export, results becoming the unit's workers with the old term ended."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEntry
from people.idcard import make_number
from places.models import Department, OrgUnit
from shequ.testing.world import BOB_UNIT, TAOCHENG, World
from web.models import Notification
from workforce import services_elections as svc
from workforce.models import Answer, CommunityWorker, ElectionRound, ReviewRequest
from workforce.tests.factories import worker

DEPARTMENTS = ["org_dept", "public_security", "civil_affairs"]


def _id(n: int, gender: str = "M") -> str:
    return make_number("131102", dt.date(1980, 1, 1), n, gender)


def _election(world: World, kind: str = "residents") -> ElectionRound:
    svc.set_review_departments(actor=world.cindy, codes=DEPARTMENTS)
    start = timezone.localdate() - dt.timedelta(days=9)
    return svc.create_election(actor=world.bob, unit=OrgUnit.objects.get(code=BOB_UNIT), kind=kind,
                               election_date=start - dt.timedelta(days=1), term_starts_on=start,
                               term_ends_on=start + dt.timedelta(days=5 * 365), review_days=3)


def _staff(world: World, code: str):
    from accounts.models import User

    return User.objects.create(username=f"dept_{code}", role="department_staff",
                               department=Department.objects.get(code=code))


@pytest.mark.django_db
def test_it_runs_an_election_from_candidates_to_the_units_workers(world: World) -> None:
    old_director = worker(BOB_UNIT, "director", name="老主任", started=dt.date(2021, 1, 1))
    old_member = worker(BOB_UNIT, "committee_member", name="老委员", started=dt.date(2021, 1, 1))
    secretary = worker(BOB_UNIT, "secretary", name="党组织书记甲", started=dt.date(2021, 1, 1))
    election = _election(world)
    first = svc.add_candidate(actor=world.bob, election=election, nominated_for="director", name="新主任",
                              id_number=_id(1))
    second = svc.add_candidate(actor=world.bob, election=election, nominated_for="committee_member", name="新委员",
                               id_number=_id(2, "F"))
    assert first.id_number_masked.startswith("131102") and "*" in first.id_number_masked
    assert second.gender == "F" and _id(2, "F") not in str(type(second).objects.values().get(pk=second.pk))
    police = _staff(world, "public_security")
    assert svc.send_for_review(actor=world.bob, election=election) == 6
    assert Notification.objects.filter(user=police, kind="workforce.review").exists()
    users = {"public_security": police, "civil_affairs": world.erin, "org_dept": _staff(world, "org_dept")}
    for review in ReviewRequest.objects.select_related("department"):
        svc.answer_review(actor=users[review.department.code], review=review, answer=Answer.PASS)
    svc.confirm_eligible(actor=world.bob, candidate=first)
    svc.confirm_eligible(actor=world.bob, candidate=second)
    elected = svc.record_results(actor=world.bob, election=election, results=[
        svc.Result(first.pk, "director", 812), svc.Result(second.pk, "committee_member", 640)])
    start = election.term_starts_on
    assert {(w.name, w.position, w.votes, w.started_on) for w in elected} == {
        ("新主任", "director", 812, start), ("新委员", "committee_member", 640, start)}
    old_director.refresh_from_db()
    old_member.refresh_from_db()
    secretary.refresh_from_db()
    # The previous term's posts end the day before the new term: ended_on is the first day out of post.
    assert old_director.ended_on == start and old_member.ended_on == start
    assert not old_director.is_in_post(start) and old_director.is_in_post(start - dt.timedelta(days=1))
    assert secretary.ended_on is None  # a 居委会 election leaves the party secretary in post
    assert AuditEntry.objects.filter(action="workforce.record_results", unit_code=BOB_UNIT).exists()


@pytest.mark.django_db
def test_it_refuses_eligibility_with_an_answer_missing_or_failed(world: World) -> None:
    election = _election(world)
    candidate = svc.add_candidate(actor=world.bob, election=election, nominated_for="director", name="候选人",
                                  id_number=_id(3))
    with pytest.raises(ValidationError, match="尚未送联审部门审查"):
        svc.confirm_eligible(actor=world.bob, candidate=candidate)
    svc.send_for_review(actor=world.bob, election=election)
    review = ReviewRequest.objects.get(candidate=candidate, department__code="civil_affairs")
    with pytest.raises(ValidationError, match="不通过时请填写理由"):
        svc.answer_review(actor=world.erin, review=review, answer=Answer.FAIL, reason=" ")
    with pytest.raises(ValidationError, match="只有被征求意见的部门"):
        svc.answer_review(actor=world.carl, review=review, answer=Answer.PASS)
    svc.answer_review(actor=world.erin, review=review, answer=Answer.FAIL, reason="有违法违纪记录")
    with pytest.raises(ValidationError, match="尚未答复.*市委组织部"):
        svc.confirm_eligible(actor=world.bob, candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.eligible_on is None
    with pytest.raises(ValidationError, match="不是本次选举的候选人"):
        svc.record_results(actor=world.bob, election=election, results=[svc.Result(999_999, "director", 3)])
    with pytest.raises(ValidationError, match="未通过资格联审确认"):
        svc.record_results(actor=world.bob, election=election, results=[svc.Result(candidate.pk, "director", 3)])
    assert not CommunityWorker.objects.filter(election=election).exists()


@pytest.mark.django_db
def test_it_refuses_a_bad_candidate_id_number(world: World) -> None:
    election = _election(world)
    bad = _id(4)[:-1] + ("0" if _id(4)[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位"):
        svc.add_candidate(actor=world.bob, election=election, nominated_for="director", name="甲", id_number=bad)
    with pytest.raises(ValidationError, match="不属于本次选举"):
        svc.add_candidate(actor=world.bob, election=election, nominated_for="secretary", name="甲", id_number=_id(4))
    with pytest.raises(ValidationError, match="无权"):
        svc.add_candidate(actor=world.alice, election=election, nominated_for="director", name="甲", id_number=_id(4))
    assert not election.candidates.exists()


@pytest.mark.django_db
def test_it_escalates_an_overdue_answer_to_the_county_and_marks_a_late_one(world: World) -> None:
    election = _election(world)
    candidate = svc.add_candidate(actor=world.bob, election=election, nominated_for="director", name="迟复人",
                                  id_number=_id(5))
    sent = timezone.now() - dt.timedelta(days=30)
    svc.send_for_review(actor=world.bob, election=election, now=sent)
    review = ReviewRequest.objects.get(candidate=candidate, department__code="civil_affairs")
    assert review.due_at > sent
    assert svc.escalate_overdue() == 3
    assert svc.escalate_overdue() == 0  # once each
    assert Notification.objects.filter(user=world.carl, kind="workforce.review_overdue").count() == 1
    assert not Notification.objects.filter(user=world.dave, kind="workforce.review_overdue").exists()
    svc.answer_review(actor=world.erin, review=review, answer=Answer.PASS)
    review.refresh_from_db()
    assert review.late


@pytest.mark.django_db
def test_the_county_matrix_shows_and_exports_every_candidate_by_department(world: World, login,
                                                                         django_assert_max_num_queries) -> None:
    election = _election(world)
    for n in range(3):
        svc.add_candidate(actor=world.bob, election=election, nominated_for="committee_member", name=f"矩阵人{n}",
                          id_number=_id(10 + n))
    svc.send_for_review(actor=world.bob, election=election)
    review = ReviewRequest.objects.filter(department__code="civil_affairs").order_by("candidate__name").first()
    assert review is not None
    svc.answer_review(actor=world.erin, review=review, answer=Answer.FAIL, reason="涉黑涉恶")
    client = login(world.carl)
    year = election.term_starts_on.year
    with django_assert_max_num_queries(20):
        page = client.get(f"/workforce/units/{TAOCHENG}/reviews/?year={year}")
    text = page.content.decode()
    assert "矩阵人0" in text and "市民政局" in text and "涉黑涉恶" in text
    export = client.get(f"/workforce/units/{TAOCHENG}/reviews/export/?year={year}")
    sheet = load_workbook(BytesIO(export.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:4] == ["村（社区）代码", "村（社区）", "选举类别", "候选人"] and "市公安局" in rows[0]
    assert len(rows) == 4 and any("不通过：涉黑涉恶" in str(r) for r in rows)
    assert "不合格" in [r[-1] for r in rows]
    assert login(world.dave).get(f"/workforce/units/{TAOCHENG}/reviews/").status_code == 404


@pytest.mark.django_db
def test_a_department_sees_only_its_own_requests_with_few_fields(world: World, login) -> None:
    election = _election(world)
    svc.add_candidate(actor=world.bob, election=election, nominated_for="director", name="部门所见", id_number=_id(6))
    svc.send_for_review(actor=world.bob, election=election)
    page = login(world.erin).get("/workforce/reviews/")
    assert page.status_code == 200 and "部门所见" in page.content.decode()
    assert _id(6) not in page.content.decode()
    svc.set_review_departments(actor=world.cindy, codes=["org_dept"])
    other = ReviewRequest.objects.get(department__code="org_dept")
    response = login(world.erin).post(f"/workforce/reviews/{other.pk}/answer/", {"answer": "pass"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.answer == Answer.PENDING
    assert login(world.bob).get("/workforce/reviews/").status_code == 404


@pytest.mark.django_db
def test_the_results_page_refuses_a_non_candidate_and_changes_nothing(world: World, login) -> None:
    election = _election(world)
    response = login(world.bob).post(f"/workforce/elections/{election.pk}/results/",
                                     {"elected": ["424242"], "position_424242": "director", "votes_424242": "5",
                                      "confirm": "1"})
    assert response.status_code == 400 and "不是本次选举的候选人" in response.content.decode()
    assert not CommunityWorker.objects.filter(unit_id=BOB_UNIT).exists()

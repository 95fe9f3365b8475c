"""Writes of 换届选举 and 资格联审, 书记备案, the reserve pool and the social-work exam: atomic, scoped, audited.

Bad input raises ValidationError with a Chinese message and writes nothing.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.scoping import can_see_unit, scope_prefix
from people import crypto, idcard
from people.masking import mask_id
from people.validation import normalise_id
from places.models import Department, OrgUnit
from shequ import inputs
from workforce.models import (
    BODY_POSITIONS,
    DIRECTOR_POSITIONS,
    SECRETARY_POSITIONS,
    Answer,
    Body,
    Candidate,
    CommunityWorker,
    ElectionKind,
    ElectionRound,
    Position,
    QualificationLevel,
    ReserveCandidate,
    ReserveOutcome,
    ReserveSource,
    ReviewDepartment,
    ReviewRequest,
    SecretaryFiling,
    SocialWorkExam,
    in_post_on,
)

MAX_REVIEW_DAYS = 30
# The county organisation department files secretaries: county and city staff (scope prefix of 6 or 4 digits).
FILING_PREFIX_MAX = 6


def _check_scope(actor: Any, unit_code: str) -> None:
    if not can_see_unit(actor, unit_code):
        raise ValidationError("无权操作该村（社区）的数据。")


def _person(id_number: str, name: str) -> tuple[str, str, dt.date, str]:
    """(number, name, birth date, gender) from an ID number checked as the register checks it."""
    number = normalise_id(id_number)
    try:
        facts = idcard.parse(number)
    except idcard.InvalidIdNumber as exc:
        raise ValidationError(f"身份证号：{exc}。") from None
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写姓名。")
    if len(name) > 50:
        raise ValidationError("姓名不能超过50个字。")
    return number, name, facts.birth_date, facts.gender


def _id_fields(number: str) -> dict[str, str]:
    return {"id_number_enc": crypto.encrypt(number), "id_number_hash": crypto.search_hash(number),
            "id_number_masked": mask_id(number)}


# ---------------------------------------------------------------- reviewing departments (city configuration)

@transaction.atomic
def set_review_departments(*, actor: Any, codes: list[str]) -> list[ReviewDepartment]:
    """The city's list of 资格联审 departments, in order; departments left out stop receiving new requests."""
    prefix = scope_prefix(actor)
    if actor is not None and (prefix is None or len(prefix) > 4):
        raise ValidationError("只有市级工作人员可以设置资格联审部门。")
    if not codes:
        raise ValidationError("请至少选择一个联审部门。")
    found = {d.code: d for d in Department.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(f"未知的部门代码：{'、'.join(missing)}。")
    ReviewDepartment.objects.exclude(department__code__in=codes).update(active=False)
    rows = []
    for order, code in enumerate(dict.fromkeys(codes)):
        row, _ = ReviewDepartment.objects.update_or_create(department=found[code],
                                                           defaults={"order": order, "active": True})
        rows.append(row)
    audit.record(actor=actor, action="workforce.set_review_departments", detail={"departments": codes})
    return rows


# ---------------------------------------------------------------- election rounds and candidates

@transaction.atomic
def create_election(*, actor: Any, unit: OrgUnit, kind: str, election_date: dt.date | None,
                    term_starts_on: dt.date | None, term_ends_on: dt.date | None, review_days: int = 5) -> ElectionRound:
    _check_scope(actor, unit.code)
    if unit.level != OrgUnit.Level.VILLAGE:
        raise ValidationError("换届选举只能登记在村（社区）。")
    if kind not in ElectionKind.values:
        raise ValidationError("请选择选举类别（村民委员会/居民委员会/党组织）。")
    if election_date is None or term_starts_on is None or term_ends_on is None:
        raise ValidationError("请填写选举日期和任期起止日期。")
    inputs.check_date(election_date, label="选举日期")
    inputs.check_date(term_starts_on, label="任期开始")
    if term_ends_on <= term_starts_on:
        raise ValidationError("任期结束日期应晚于任期开始日期。")
    if term_starts_on < election_date:
        raise ValidationError("任期开始不能早于选举日期。")
    if (term_ends_on - term_starts_on).days > 5 * 366:
        raise ValidationError("一届任期不超过五年。")
    if not 1 <= review_days <= MAX_REVIEW_DAYS:
        raise ValidationError(f"联审时限应为1至{MAX_REVIEW_DAYS}个工作日。")
    if ElectionRound.objects.filter(unit=unit, kind=kind, term_starts_on=term_starts_on).exists():
        raise ValidationError("该村（社区）本届同类选举已登记。")
    election = ElectionRound.objects.create(unit=unit, kind=kind, election_date=election_date,
                                            term_starts_on=term_starts_on, term_ends_on=term_ends_on,
                                            review_days=review_days, created_by=actor)
    audit.record(actor=actor, action="workforce.create_election", obj=election, detail={"kind": kind})
    return election


@transaction.atomic
def add_candidate(*, actor: Any, election: ElectionRound, nominated_for: str, resident: Any = None,
                  name: str = "", id_number: str = "", reserve: ReserveCandidate | None = None) -> Candidate:
    """A candidate from the register (resident) or recorded with an ID number checked like the register's."""
    _check_scope(actor, election.unit_id)
    if election.results_recorded_at is not None:
        raise ValidationError("选举结果已登记，不能再增加候选人。")
    if nominated_for not in BODY_POSITIONS[election.body]:
        raise ValidationError("拟任职务不属于本次选举的组织。")
    if resident is not None:
        number = crypto.decrypt(resident.id_number_enc) if resident.id_number_enc else ""
        if not number:
            raise ValidationError("该居民没有登记身份证号，不能作为候选人。")
        name = resident.name
    number, name, birth, gender = _person(id_number if resident is None else number, name)
    if resident is None:
        from people.models import Resident

        resident = Resident.objects.filter(id_number_hash=crypto.search_hash(number)).first()
    if reserve is not None and not can_see_unit(actor, reserve.unit_id):
        raise ValidationError("无权使用该后备人才。")
    fields = _id_fields(number)
    if Candidate.objects.filter(election=election, id_number_hash=fields["id_number_hash"]).exists():
        raise ValidationError(f"{name}已是本次选举的候选人。")
    candidate = Candidate.objects.create(election=election, resident=resident, name=name, gender=gender,
                                         birth_date=birth, nominated_for=nominated_for, reserve=reserve, **fields)
    audit.record(actor=actor, action="workforce.add_candidate", obj=candidate, unit_code=election.unit_id,
                 detail={"election": election.pk, "nominated_for": nominated_for})
    return candidate


def review_deadline(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days after start, on the working calendar (appeals.workcal) when that module is installed."""
    if apps.is_installed("appeals"):
        from appeals import workcal

        return workcal.add_working_days(start, days)
    day, left = timezone.localdate(start), days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return start + dt.timedelta(days=(day - timezone.localdate(start)).days)


@transaction.atomic
def send_for_review(*, actor: Any, election: ElectionRound, now: dt.datetime | None = None) -> int:
    """Send every candidate not yet sent to each active reviewing department; returns the requests created."""
    _check_scope(actor, election.unit_id)
    departments = list(ReviewDepartment.objects.filter(active=True).values_list("department_id", flat=True))
    if not departments:
        raise ValidationError("市级尚未设置资格联审部门。")
    candidates = list(election.candidates.all())
    if not candidates:
        raise ValidationError("请先登记候选人。")
    now = now or timezone.now()
    due = review_deadline(now, election.review_days)
    sent = set(ReviewRequest.objects.filter(candidate__election=election).values_list("candidate_id", "department_id"))
    rows = [ReviewRequest(candidate=c, department_id=d, sent_at=now, due_at=due)
            for c in candidates for d in departments if (c.pk, d) not in sent]
    ReviewRequest.objects.bulk_create(rows)
    if rows:
        from accounts.models import User
        from web import notify

        targets = {r.department_id for r in rows}
        notify.notify_users(User.objects.filter(department_id__in=targets, is_active=True),
                            f"资格联审：{election.unit.name}{election.get_kind_display()}换届候选人待审",
                            f"请于{timezone.localtime(due):%Y-%m-%d %H:%M}前答复。", url="/workforce/reviews/",
                            kind="workforce.review")
    audit.record(actor=actor, action="workforce.send_for_review", obj=election,
                 detail={"requests": len(rows), "due_at": due.isoformat()})
    return len(rows)


@transaction.atomic
def answer_review(*, actor: Any, review: ReviewRequest, answer: str, reason: str = "",
                  now: dt.datetime | None = None) -> ReviewRequest:
    """A reviewing department answers pass / fail (fail needs a reason); an answer is given once."""
    review = ReviewRequest.objects.select_for_update().select_related("candidate__election").get(pk=review.pk)
    if getattr(actor, "department_id", None) != review.department_id:
        raise ValidationError("只有被征求意见的部门可以答复。")
    if review.answer != Answer.PENDING:
        raise ValidationError("该候选人已答复，不能重复答复。")
    if answer not in (Answer.PASS, Answer.FAIL):
        raise ValidationError("请选择通过或不通过。")
    reason = (reason or "").strip()
    if answer == Answer.FAIL and not reason:
        raise ValidationError("不通过时请填写理由。")
    if len(reason) > 300:
        raise ValidationError("理由不能超过300个字。")
    review.answer, review.reason = answer, reason
    review.answered_at, review.answered_by = now or timezone.now(), actor
    review.save(update_fields=["answer", "reason", "answered_at", "answered_by"])
    audit.record(actor=actor, action="workforce.answer_review", obj=review,
                 unit_code=review.candidate.election.unit_id,
                 detail={"candidate": review.candidate_id, "answer": answer, "late": review.late})
    return review


@transaction.atomic
def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Overdue unanswered requests escalate to the county: marked, and the county's staff are told (once each)."""
    from accounts.models import User
    from accounts.roles import Role
    from web import notify

    now = now or timezone.now()
    overdue = list(ReviewRequest.objects.select_for_update().filter(answer=Answer.PENDING, escalated_at__isnull=True,
                                                                   due_at__lt=now)
                   .select_related("candidate__election__unit", "department"))
    if not overdue:
        return 0
    by_county = Counter(r.candidate.election.unit_id[:6] for r in overdue)
    ReviewRequest.objects.filter(pk__in=[r.pk for r in overdue]).update(escalated_at=now)
    for county, count in by_county.items():
        notify.notify_users(User.objects.filter(role=Role.COUNTY_STAFF, unit_id=county.ljust(12, "0"), is_active=True),  # type: ignore[misc]  # why: the stubs type a to_field foreign key's id as int; it is the unit code
                            f"资格联审逾期：{count}项部门意见超过答复期限",
                            "请督促相关部门答复。", url=f"/workforce/units/{county.ljust(12, '0')}/reviews/",
                            kind="workforce.review_overdue")
        audit.record(actor=None, username="system", action="workforce.escalate_reviews",
                     unit_code=county.ljust(12, "0"), detail={"requests": count})
    return len(overdue)


@transaction.atomic
def confirm_eligible(*, actor: Any, candidate: Candidate, day: dt.date | None = None) -> Candidate:
    """A candidate is eligible only when every department sent to has passed them."""
    _check_scope(actor, candidate.election.unit_id)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.eligible_on is not None:
        raise ValidationError("该候选人已确认资格。")
    answers = list(candidate.reviews.select_related("department").values_list("department__name", "answer"))
    if not answers:
        raise ValidationError("该候选人尚未送联审部门审查。")
    missing = [name for name, answer in answers if answer == Answer.PENDING]
    if missing:
        raise ValidationError(f"以下部门尚未答复，不能确认资格：{'、'.join(missing)}。")
    failed = [name for name, answer in answers if answer == Answer.FAIL]
    if failed:
        raise ValidationError(f"以下部门审查不通过，不能确认资格：{'、'.join(failed)}。")
    candidate.eligible_on = day or timezone.localdate()
    candidate.save(update_fields=["eligible_on"])
    audit.record(actor=actor, action="workforce.confirm_eligible", obj=candidate,
                 unit_code=candidate.election.unit_id, detail={"departments": len(answers)})
    return candidate


@dataclass
class Result:
    candidate_id: int
    position: str
    votes: int


@transaction.atomic
def record_results(*, actor: Any, election: ElectionRound, results: list[Result]) -> list[CommunityWorker]:
    """The elected become the body's workers from the term's first day; the previous term's posts end the day before.

    The previous term's posts are those of the same body in post on the new term's first day and not
    elected now: their 离任日期 (the first day out of post) is set to that first day.
    """
    _check_scope(actor, election.unit_id)
    election = ElectionRound.objects.select_for_update().get(pk=election.pk)
    if election.results_recorded_at is not None:
        raise ValidationError("本次选举结果已登记。")
    if not results:
        raise ValidationError("请至少登记一名当选人。")
    if election.term_starts_on > timezone.localdate() + dt.timedelta(days=31):
        raise ValidationError("任期开始超过一个月以后，暂不能登记结果。")
    candidates = {c.pk: c for c in election.candidates.all()}
    allowed = BODY_POSITIONS[election.body]
    errors = []
    seen: set[int] = set()
    for row in results:
        candidate = candidates.get(row.candidate_id)
        if candidate is None:
            errors.append(f"当选人（编号{row.candidate_id}）不是本次选举的候选人。")
            continue
        if candidate.pk in seen:
            errors.append(f"{candidate.name}重复登记。")
        seen.add(candidate.pk)
        if candidate.eligible_on is None:
            errors.append(f"{candidate.name}未通过资格联审确认，不能当选。")
        if row.position not in allowed:
            errors.append(f"{candidate.name}的职务不属于{election.get_kind_display()}。")
        if not isinstance(row.votes, int) or row.votes < 0 or row.votes > 1_000_000:
            errors.append(f"{candidate.name}的得票数应为非负整数。")
    positions = [r.position for r in results]
    if sum(p in SECRETARY_POSITIONS for p in positions) > 1:
        errors.append("党组织书记只能有一名。")
    if sum(p in DIRECTOR_POSITIONS for p in positions) > 1:
        errors.append("居（村）委会主任只能有一名。")
    if errors:
        raise ValidationError(errors)
    start = election.term_starts_on
    OrgUnit.objects.select_for_update().filter(pk=election.unit_id).first()
    previous = CommunityWorker.objects.filter(in_post_on(start), unit_id=election.unit_id, started_on__lt=start)  # type: ignore[misc]  # why: the stubs type a to_field foreign key's id as int; it is the unit code
    ending = previous.filter(position__in=[p for p in allowed if p != Position.COMMITTEE_MEMBER])
    members = previous.filter(position=Position.COMMITTEE_MEMBER)
    members = members.filter(body=Body.PARTY) if election.body == Body.PARTY else members.exclude(body=Body.PARTY)
    ended = list(ending.values_list("pk", flat=True)) + list(members.values_list("pk", flat=True))
    CommunityWorker.objects.filter(pk__in=ended).update(ended_on=start, updated_at=timezone.now())
    workers = [CommunityWorker(unit_id=election.unit_id, name=candidates[r.candidate_id].name,
                               gender=candidates[r.candidate_id].gender, position=r.position,
                               body=election.body if r.position == Position.COMMITTEE_MEMBER else "",
                               started_on=start, election=election, votes=r.votes) for r in results]
    CommunityWorker.objects.bulk_create(workers)
    entered = [c.reserve_id for c in candidates.values() if c.pk in seen and c.reserve_id]
    ReserveCandidate.objects.filter(pk__in=entered, outcome=ReserveOutcome.IN_POOL).update(
        outcome=ReserveOutcome.ENTERED, outcome_on=start)
    election.results_recorded_at = timezone.now()
    election.save(update_fields=["results_recorded_at"])
    audit.record(actor=actor, action="workforce.record_results", obj=election,
                 detail={"elected": len(workers), "ended": len(ended), "term_starts_on": start.isoformat()})
    return workers


# ---------------------------------------------------------------- 书记备案

@transaction.atomic
def file_secretary(*, actor: Any, worker: CommunityWorker, filed_on: dt.date | None, approval: str,
                   documents: str = "") -> SecretaryFiling:
    """备案 with the county organisation department: county or city staff record it."""
    _check_scope(actor, worker.unit_id)
    prefix = scope_prefix(actor) or ""
    if len(prefix) > FILING_PREFIX_MAX:
        raise ValidationError("书记备案由县级党委组织部办理。")
    if worker.position not in SECRETARY_POSITIONS:
        raise ValidationError("只有党组织书记需要备案。")
    if SecretaryFiling.objects.filter(worker=worker).exists():
        raise ValidationError("该书记已备案。")
    if filed_on is None:
        raise ValidationError("请填写备案日期。")
    inputs.check_date(filed_on, label="备案日期", past=True)
    approval = (approval or "").strip()
    if not approval:
        raise ValidationError("请填写批复文号。")
    filing = SecretaryFiling.objects.create(worker=worker, filed_on=filed_on, approval=approval[:100],
                                            documents=(documents or "").strip()[:300], filed_by=actor)
    audit.record(actor=actor, action="workforce.file_secretary", obj=filing, unit_code=worker.unit_id,
                 detail={"worker": worker.pk})
    return filing


# ---------------------------------------------------------------- 后备人才库

@transaction.atomic
def add_reserve(*, actor: Any, unit: OrgUnit, name: str, id_number: str, source: str, joined_on: dt.date | None,
                assessment: str = "", training: str = "") -> ReserveCandidate:
    _check_scope(actor, unit.code)
    if unit.level not in (OrgUnit.Level.VILLAGE, OrgUnit.Level.TOWNSHIP):
        raise ValidationError("后备人才库建在村（社区）或乡镇（街道）。")
    number, name, birth, gender = _person(id_number, name)
    if source not in ReserveSource.values:
        raise ValidationError("请选择来源。")
    if joined_on is None:
        raise ValidationError("请填写入库日期。")
    inputs.check_date(joined_on, label="入库日期", past=True)
    fields = _id_fields(number)
    if ReserveCandidate.objects.filter(unit=unit, id_number_hash=fields["id_number_hash"]).exists():
        raise ValidationError(f"{name}已在本单位后备人才库中。")
    row = ReserveCandidate.objects.create(unit=unit, name=name, gender=gender, birth_date=birth, source=source,
                                          joined_on=joined_on, assessment=(assessment or "").strip()[:300],
                                          training=(training or "").strip()[:300], **fields)
    audit.record(actor=actor, action="workforce.add_reserve", obj=row, detail={"source": source})
    return row


@transaction.atomic
def leave_reserve(*, actor: Any, reserve: ReserveCandidate, day: dt.date | None) -> ReserveCandidate:
    """出库: the person leaves the pool."""
    _check_scope(actor, reserve.unit_id)
    if reserve.outcome != ReserveOutcome.IN_POOL:
        raise ValidationError("该人员已不在库。")
    if day is None:
        raise ValidationError("请填写出库日期。")
    inputs.check_date(day, label="出库日期", past=True)
    if day < reserve.joined_on:
        raise ValidationError("出库日期不能早于入库日期。")
    reserve.outcome, reserve.outcome_on = ReserveOutcome.LEFT, day
    reserve.save(update_fields=["outcome", "outcome_on"])
    audit.record(actor=actor, action="workforce.leave_reserve", obj=reserve)
    return reserve


# ---------------------------------------------------------------- 社会工作者职业资格考试

@transaction.atomic
def record_exam(*, actor: Any, worker: CommunityWorker, year: int | None, level: str, passed: bool) -> SocialWorkExam:
    _check_scope(actor, worker.unit_id)
    if level not in QualificationLevel.values:
        raise ValidationError("请选择考试级别。")
    if year is None or not 2008 <= year <= timezone.localdate().year:
        raise ValidationError("考试年度应在2008年至今年之间。")
    if SocialWorkExam.objects.filter(worker=worker, year=year, level=level).exists():
        raise ValidationError(f"{worker.name}{year}年该级别的考试已登记。")
    exam = SocialWorkExam.objects.create(worker=worker, year=year, level=level, passed=passed, recorded_by=actor)
    audit.record(actor=actor, action="workforce.record_exam", obj=exam, unit_code=worker.unit_id,
                 detail={"year": year, "level": level, "passed": passed})
    return exam


"""Volunteer tasks from care visits and requests, and the time bank (credits that never go negative)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry, User
from accounts.roles import Role
from people.tests.factories import id_number, resident
from shequ.testing.world import BOB_UNIT, World
from volunteers import hours, services
from volunteers.models import ServiceRecord, TimeBankAccount, TimeBankEntry, VolunteerTask
from volunteers.tests.factories import past_activity, volunteer


def _member(world: World, name: str = "任务志愿者", day: int = 2) -> tuple:
    account = User.objects.create(username=f"v{day}", role=Role.RESIDENT, unit_id=BOB_UNIT)
    person = volunteer(world.bob, name=name, id_number=id_number(dt.date(1990, 1, day)))
    person.account = account
    person.save()
    team = services.create_team(actor=world.bob, unit_code=BOB_UNIT, name=f"桥东助老队{day}")
    services.add_member(actor=world.bob, team=team, volunteer=person)
    return account, person, team


def _due(world: World):
    from care.models import DueVisit, VisitRule

    rule = VisitRule.objects.get_or_create(tag="empty_nest", defaults={"frequency": "month"})[0]
    elder = resident(BOB_UNIT, name="张空巢")
    elder.current_address = "桥东小区3号楼2单元101"
    elder.save()
    today = timezone.localdate()
    return DueVisit.objects.create(rule=rule, tag="empty_nest", resident=elder, unit_id=BOB_UNIT,
                                   period_start=today - dt.timedelta(days=today.day - 1), period_end=today + dt.timedelta(days=31))


def _yesterday(task: VolunteerTask) -> VolunteerTask:
    """As if the task had been handed over a day ago (the volunteer's time may not start before that)."""
    VolunteerTask.objects.filter(pk=task.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    task.refresh_from_db()
    return task


CHECKS = {"method": "home", "health": "good", "home_safety": "fair", "living": "good", "mood": "good"}


@pytest.mark.django_db
def test_a_care_visit_handed_to_a_team_is_done_by_a_volunteer_and_counts(world: World) -> None:
    account, person, team = _member(world)
    due = _due(world)
    task = services.hand_visit(actor=world.bob, due=due, team=team, note="老人耳背，请大声说话")
    # The volunteer sees the masked name, the address and the need — no ID number.
    assert "张**" in task.brief and "桥东小区" in task.brief and "张空巢" not in task.brief
    assert due.resident.id_number_masked not in task.brief
    assert VolunteerTask.objects.visible_to(account).get() == task
    task = services.take_task(actor=account, task=_yesterday(task))
    with pytest.raises(ValidationError, match="已被认领"):
        services.take_task(actor=account, task=task)
    end = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    record = services.complete_task(actor=account, task=task, started_at=end - dt.timedelta(hours=1, minutes=30),
                                    ended_at=end, outcome="老人身体尚可，冰箱有存粮", checks=CHECKS)
    due.refresh_from_db()
    task.refresh_from_db()
    # The visit moved on as if the staff member who handed it over had recorded it, naming the volunteer.
    assert due.visited_on is not None and task.visit is not None
    assert (task.visit.visitor, task.visit.visitor_name) == (world.bob, "任务志愿者")
    assert record.confirmed and record.task == task and hours.volunteer_hours(person.pk) == pytest.approx(1.5)
    assert AuditEntry.objects.filter(action="volunteers.complete_task").count() == 1


@pytest.mark.django_db
def test_tasks_refuse_outsiders_bad_times_and_second_hand_overs(world: World) -> None:
    account, person, team = _member(world)
    other, _, _ = _member(world, name="别队志愿者", day=3)
    due = _due(world)
    with pytest.raises(ValidationError, match="无权"):
        services.hand_visit(actor=world.alice, due=due, team=team)
    task = services.hand_visit(actor=world.bob, due=due, team=team)
    with pytest.raises(ValidationError, match="已派给"):
        services.hand_visit(actor=world.bob, due=due, team=team)
    assert not VolunteerTask.objects.visible_to(other).exists()
    with pytest.raises(ValidationError, match="队员"):
        services.take_task(actor=other, task=task)
    services.take_task(actor=account, task=_yesterday(task))
    now = timezone.now()
    with pytest.raises(ValidationError, match="晚于现在"):
        services.complete_task(actor=account, task=task, started_at=now, ended_at=now + dt.timedelta(hours=1),
                               outcome="x", checks=CHECKS)
    with pytest.raises(ValidationError, match="12小时"):
        services.complete_task(actor=account, task=task, started_at=now - dt.timedelta(hours=13),
                               ended_at=now - dt.timedelta(minutes=1), outcome="x", checks=CHECKS)
    task.refresh_from_db()
    assert task.status == "taken" and not ServiceRecord.objects.filter(task=task).exists()


@pytest.mark.django_db
def test_a_request_handed_to_a_team_is_replied_to_when_the_volunteer_is_done(world: World) -> None:
    from appeals.services import file_appeal
    from appeals.services.workflow import accept

    account, person, team = _member(world)
    appeal = file_appeal(actor=None, category_code="sanitation", description="楼道堆放杂物需要清理", unit_code=BOB_UNIT,
                         phone="13800009999", address="桥东社区南门", rate_limit=False)
    with pytest.raises(ValidationError, match="已签收"):
        services.hand_request(actor=world.bob, appeal=appeal, team=team, brief="清理楼道")
    accept(appeal=appeal, actor=world.bob)
    appeal.refresh_from_db()
    task = services.hand_request(actor=world.bob, appeal=appeal, team=team, brief="桥东小区5号楼楼道清理杂物")
    assert "13800009999" not in task.brief
    services.take_task(actor=account, task=_yesterday(task))
    end = timezone.now() - dt.timedelta(minutes=1)
    services.complete_task(actor=account, task=task, started_at=end - dt.timedelta(hours=2), ended_at=end,
                           outcome="已清理完毕")
    appeal.refresh_from_db()
    assert appeal.state == "replied" and "任务志愿者" in appeal.reply
    assert hours.volunteer_hours(person.pk) == pytest.approx(2.0)


def _elderly_record(person, *, start: dt.datetime, hours_long: float, title: str = "助老") -> ServiceRecord:
    activity = past_activity(title=title, days_ago=5)
    activity.category = "elderly_disabled"
    activity.save()
    return ServiceRecord.objects.create(volunteer=person, activity=activity, activity_name=title, unit_id=person.unit_id,
                                        started_at=start, ended_at=start + dt.timedelta(hours=hours_long), confirmed=True)


@pytest.mark.django_db
def test_the_time_bank_credits_overlaps_once_and_never_goes_negative(world: World) -> None:
    giver = volunteer(world.bob, name="存时间", id_number=id_number(dt.date(1980, 1, 1)))
    helper = volunteer(world.bob, name="助老者", id_number=id_number(dt.date(1981, 1, 1)))
    nine = timezone.now().replace(hour=1, minute=0, second=0, microsecond=0) - dt.timedelta(days=5)
    first = _elderly_record(giver, start=nine, hours_long=2)
    second = _elderly_record(giver, start=nine + dt.timedelta(hours=1), hours_long=2)
    assert services.bank_record(actor=world.bob, record=first).hours == Decimal("2.00")
    assert services.bank_record(actor=world.bob, record=second).hours == Decimal("1.00")  # 9–11 and 10–12: 3 h
    with pytest.raises(ValidationError, match="已存入"):
        services.bank_record(actor=world.bob, record=first)
    plain = ServiceRecord.objects.create(volunteer=giver, activity_name="历史", unit_id=BOB_UNIT, imported=True,
                                         started_at=nine - dt.timedelta(days=1), ended_at=nine, confirmed=True)
    with pytest.raises(ValidationError, match="为老年人服务"):
        services.bank_record(actor=world.bob, record=plain)
    services.name_family_member(actor=world.bob, volunteer=giver, name="存时间之母")
    care = _elderly_record(helper, start=nine - dt.timedelta(days=1), hours_long=4, title="上门照护")
    spend = services.spend_credits(actor=world.bob, volunteer=giver, hours_text="2.5", used_for=care,
                                   beneficiary="存时间之母")
    assert (spend.balance_after, spend.used_for) == (Decimal("0.50"), care)
    for bad, message in (("1", "余额不足"), ("-1", "大于0"), ("abc", "小时数")):
        with pytest.raises(ValidationError, match=message):
            services.spend_credits(actor=world.bob, volunteer=giver, hours_text=bad, used_for=care, beneficiary="存时间")
    with pytest.raises(ValidationError, match="家人"):
        services.spend_credits(actor=world.bob, volunteer=giver, hours_text="0.5", used_for=care, beneficiary="路人")
    with pytest.raises(ValidationError, match="无权"):
        services.spend_credits(actor=world.alice, volunteer=giver, hours_text="0.5", used_for=care, beneficiary="存时间")
    assert TimeBankAccount.objects.get(volunteer=giver).balance == Decimal("0.50")
    assert list(TimeBankEntry.objects.values_list("kind", "balance_after")) == [
        ("earn", Decimal("2.00")), ("earn", Decimal("3.00")), ("spend", Decimal("0.50"))]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_spends_at_the_same_moment_cannot_both_take_the_last_credit(tree) -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from shequ.testing.world import make_world

    world = make_world()
    giver = volunteer(world.bob, name="存时间", id_number=id_number(dt.date(1980, 1, 1)))
    helper = volunteer(world.bob, name="助老者", id_number=id_number(dt.date(1981, 1, 1)))
    start = timezone.now() - dt.timedelta(days=3)
    services.bank_record(actor=world.bob, record=_elderly_record(giver, start=start, hours_long=1))
    care = _elderly_record(helper, start=start - dt.timedelta(days=1), hours_long=2)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def spend() -> None:
        try:
            barrier.wait()
            services.spend_credits(actor=world.bob, volunteer=giver, hours_text="1", used_for=care, beneficiary="存时间")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "ok" and sorted(outcomes)[1].startswith("时间银行余额不足")
    assert TimeBankAccount.objects.get(volunteer=giver).balance == Decimal("0.00")
    assert TimeBankEntry.objects.filter(kind="spend").count() == 1

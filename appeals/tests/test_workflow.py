import re
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from appeals import services, workcal
from appeals.models import Appeal, Assist, Category, Deadline, Event, Rectification, State
from appeals.tests.helpers import file, resident_for
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, HEDONG, TAOCHENG
from web.models import Notification
from web.notify import LocmemSMSBackend

pytestmark = pytest.mark.django_db


def test_it_loads_the_twenty_categories_with_default_deadlines(tree: None) -> None:
    assert Category.objects.count() == 20
    noise = Category.objects.get(code="noise")
    assert (noise.accept_hours, noise.contact_hours, noise.reply_days) == (2, 24, 5)
    assert Category.objects.get(code="utilities").urgent
    assert not noise.urgent


def test_a_deadline_changed_by_the_city_applies_to_the_next_request_at_once(world) -> None:
    resident_for(world.rita, ALICE_UNIT)

    def contact_hours_given() -> float:
        appeal = services.file_appeal(actor=world.rita, category_code="noise", description="楼上装修太吵", unit_code="",
                                      location_kind="home", rate_limit=False)
        due = appeal.deadlines.get(kind="contact").due_at
        return (due - appeal.created_at).total_seconds() / 3600

    assert contact_hours_given() == pytest.approx(24)  # read once: the category is now kept by this process
    noise = Category.objects.get(code="noise")
    noise.contact_hours = 12
    noise.save()  # as the admin does
    assert contact_hours_given() == pytest.approx(12)


def test_it_lands_a_residents_request_at_their_community_with_a_tracking_number(world) -> None:
    resident_for(world.rita, ALICE_UNIT)
    appeal = services.file_appeal(actor=world.rita, category_code="noise", description="楼上天天半夜装修", unit_code="",
                                  location_kind="home", rate_limit=False)
    assert appeal.unit_id == ALICE_UNIT == appeal.home_unit_id
    assert re.fullmatch(timezone.localdate().strftime("%Y%m%d") + r"\d{4}", appeal.tracking_no)
    assert appeal.address == "幸福小区3号楼2单元101" and appeal.lat == 37.74
    assert appeal.state == State.SUBMITTED
    assert set(appeal.deadlines.values_list("kind", flat=True)) == {"accept", "contact", "reply"}
    assert Notification.objects.filter(user=world.alice, title__contains=appeal.tracking_no).exists()
    assert Notification.objects.filter(user=world.rita, title__contains=appeal.tracking_no).exists()
    second = services.file_appeal(actor=world.rita, category_code="noise", description="还是吵", unit_code="", location_kind="home",
                                  rate_limit=False)
    assert int(second.tracking_no) == int(appeal.tracking_no) + 1


def test_it_lets_anyone_file_with_a_phone_number_and_texts_them(world) -> None:
    appeal = file(None)
    assert appeal.channel == "web" and appeal.submitter is None
    assert appeal.phone_masked == "138****1111" and "13800001111" not in appeal.phone_enc
    assert LocmemSMSBackend.outbox[-1][0] == "13800001111"
    assert appeal.tracking_no in LocmemSMSBackend.outbox[-1][1]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"phone": ""}, "手机号"),
    ({"category": "nonsense"}, "未知的诉求类别"),
    ({"unit": "999999999999"}, "未知的村（社区）"),
    ({"text": "   "}, "诉求内容"),
    ({"phone": "12ab"}, "联系电话格式"),
    ({"address": "", "location_kind": "address"}, "地址"),
    ({"location_kind": "point"}, "地图"),
])
def test_it_refuses_bad_input_and_stores_nothing(world, kwargs, message) -> None:
    with pytest.raises(ValidationError) as exc:
        file(None, **kwargs)
    assert message in " ".join(exc.value.messages)
    assert not Appeal.objects.exists()


def test_it_keeps_script_as_text(world, login) -> None:
    appeal = file(None, text="<script>alert(1)</script> 路灯坏了")
    assert appeal.description.startswith("<script>")
    body = login(world.bob).get(f"/appeals/{appeal.pk}/").content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body


def test_it_lets_staff_register_a_phone_request_in_their_area_only(world) -> None:
    appeal = file(world.bob, channel="phone", phone="")
    assert appeal.channel == "phone" and appeal.registered_by == world.bob
    with pytest.raises(ValidationError, match="本辖区"):
        file(world.alice, channel="phone")
    with pytest.raises(ValidationError, match="工作人员"):
        file(None, channel="hotline_12345")


def test_it_walks_the_states_and_refuses_illegal_moves_clearly(world) -> None:
    appeal = file(None)
    with pytest.raises(ValidationError, match="当前状态为「待签收」，不能答复"):
        services.reply(appeal=appeal, actor=world.bob, text="已处理")
    with pytest.raises(ValidationError, match="承办单位"):
        services.accept(appeal=appeal, actor=world.tom)
    services.accept(appeal=appeal, actor=world.bob, note="马上去看")
    with pytest.raises(ValidationError, match="不能签收"):
        services.accept(appeal=Appeal.objects.get(pk=appeal.pk), actor=world.bob)
    stale = Appeal.objects.get(pk=appeal.pk)
    stale.state = State.SUBMITTED  # what a second browser tab still shows
    with pytest.raises(ValidationError, match="已被他人签收"):
        services.accept(appeal=stale, actor=world.bob)
    services.start(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已联系环卫清运")
    appeal.refresh_from_db()
    assert appeal.state == State.REPLIED and appeal.first_contact_at is not None
    services.close(appeal=appeal, actor=world.bob, resolved=True)
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED and appeal.resolved
    actions = list(appeal.events.values_list("action", flat=True))
    assert actions == ["submit", "accept", "start", "reply", "close"]
    assert all(e.actor_label for e in appeal.events.all())
    assert AuditEntry.objects.filter(action="appeals.accept", object_id=str(appeal.pk)).exists()
    assert not appeal.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).exists()


def test_it_transfers_up_to_the_lead_department_and_back(world) -> None:
    from places.models import Department

    appeal = file(None, category="elderly_care", text="独居老人需要助餐")
    services.transfer(appeal=appeal, actor=world.bob, note="需街道协调")
    assert appeal.unit_id == HEDONG and appeal.state == State.SUBMITTED
    services.accept(appeal=appeal, actor=world.tom)
    services.transfer(appeal=appeal, actor=world.tom, note="需区里协调")
    assert appeal.unit_id == TAOCHENG
    services.transfer(appeal=appeal, actor=world.carl, note="需市民政局")
    assert appeal.department == Department.objects.get(name="市民政局")
    assert Appeal.objects.visible_to(world.erin).filter(pk=appeal.pk).exists()
    assert not Appeal.objects.visible_to(world.bob).filter(pk=appeal.pk).exists()
    with pytest.raises(ValidationError, match="退回理由"):
        services.return_appeal(appeal=appeal, actor=world.erin, reason="")
    services.return_appeal(appeal=appeal, actor=world.erin, reason="属区级职责")
    assert appeal.department is None and appeal.unit_id == TAOCHENG
    services.return_appeal(appeal=appeal, actor=world.carl, reason="请街道办理")
    assert appeal.unit_id == HEDONG
    # Each move gives the new handler a fresh acceptance clock.
    assert appeal.deadlines.filter(kind="accept", cancelled_at__isnull=True, met_at__isnull=True).count() == 1
    assert Notification.objects.filter(user=world.erin, title__contains=appeal.tracking_no).exists()


def test_it_does_not_let_the_first_unit_return(world) -> None:
    appeal = file(None)
    with pytest.raises(ValidationError, match="首接"):
        services.return_appeal(appeal=appeal, actor=world.bob, reason="不归我管")


def test_it_dispatches_down_and_shares_with_assisting_units(world) -> None:
    appeal = file(world.carl, channel="hotline_12345", unit=TAOCHENG, phone="")
    services.dispatch(appeal=appeal, actor=world.carl, unit_code=BOB_UNIT, note="请社区办理")
    assert appeal.unit_id == BOB_UNIT
    with pytest.raises(ValidationError, match="承办单位或其上级"):
        services.dispatch(appeal=appeal, actor=world.tina, unit_code=ALICE_UNIT, note="x")
    services.add_assist(appeal=appeal, actor=world.bob, department_code="civil_affairs", note="协助核实低保")
    assert Appeal.objects.visible_to(world.erin).filter(pk=appeal.pk).exists()
    assist = Assist.objects.get(appeal=appeal)
    with pytest.raises(ValidationError):
        services.assist_reply(assist=assist, actor=world.alice, opinion="x")
    services.assist_reply(assist=assist, actor=world.erin, opinion="已核实")
    assert Event.objects.filter(appeal=appeal, action="assist_reply").exists()


def test_it_shows_each_user_only_their_requests(world) -> None:
    appeal = file(None)
    for name in ["bob", "tom", "carl", "cindy"]:
        assert Appeal.objects.visible_to(world.users[name]).filter(pk=appeal.pk).exists(), name
    for name in ["alice", "tina", "dave", "erin", "rita", "sam", "sue", "audrey"]:
        assert not Appeal.objects.visible_to(world.users[name]).filter(pk=appeal.pk).exists(), name
    mine = file(world.rita, unit=ALICE_UNIT)
    assert list(Appeal.objects.visible_to(world.rita)) == [mine]


def test_it_merges_a_duplicate_and_the_resident_follows_the_original(world) -> None:
    from appeals.selectors import duplicates

    original = file(None, location_kind="point", lat=37.7400, lng=115.7000)
    resident_for(world.rita, BOB_UNIT)
    dup = file(world.rita, location_kind="point", lat=37.7410, lng=115.7010)  # ~140 m away
    far = file(None, location_kind="point", lat=37.7600, lng=115.7000, phone="13900002222")  # ~2.2 km
    other = file(None, location_kind="point", lat=37.7400, lng=115.7000, category="noise", phone="13900003333")
    found = [a for a, _ in duplicates(dup, world.bob)]
    assert found == [original] and far not in found and other not in found
    services.merge(appeal=dup, into=original, actor=world.bob)
    dup.refresh_from_db()
    assert dup.state == State.CLOSED and dup.merged_into == original
    assert Appeal.objects.visible_to(world.rita).filter(pk=original.pk).exists()
    services.accept(appeal=original, actor=world.bob)
    assert Notification.objects.filter(user=world.rita, title__contains=original.tracking_no).exists()


def test_it_rates_rectifies_calls_back_and_allows_one_rerating(world) -> None:
    appeal = file(world.rita, unit=BOB_UNIT)
    services.accept(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已清运")
    with pytest.raises(ValidationError, match="提交诉求的居民"):
        services.rate(appeal=appeal, actor=world.bob, level=5)
    services.rate(appeal=appeal, actor=world.rita, level=2, comment="只清了一半")
    appeal.refresh_from_db()
    assert appeal.state == State.REOPENED
    rect = Rectification.objects.get(appeal=appeal)
    assert rect.unit_id == BOB_UNIT and rect.callback_unit_id == HEDONG
    rectify = appeal.deadlines.get(kind="rectify")
    callback = appeal.deadlines.get(kind="callback")
    assert rectify.due_at - timezone.now() > timedelta(days=18)  # 15 working days ≥ 3 weeks
    assert callback.due_at - timezone.now() <= timedelta(days=5)
    with pytest.raises(ValidationError, match="上一级"):
        services.record_callback(rectification=rect, actor=world.bob, note="x")
    services.record_callback(rectification=rect, actor=world.tom, note="居民反映属实，已督促")
    services.reply(appeal=appeal, actor=world.bob, text="已全部清运并加派班次")
    services.rate(appeal=appeal, actor=world.rita, level=1, comment="还是不行")
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED and not appeal.resolved and appeal.final_rating == 1
    with pytest.raises(ValidationError):
        services.rate(appeal=appeal, actor=world.rita, level=5)


def test_it_lets_the_level_above_void_a_contested_rating(world) -> None:
    appeal = file(world.rita, unit=BOB_UNIT)
    services.accept(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已清运")
    rating = services.rate(appeal=appeal, actor=world.rita, level=1, comment="不满意")
    contest = services.contest_rating(rating=rating, actor=world.bob, reason="居民投诉的是另一小区")
    with pytest.raises(ValidationError, match="上一级"):
        services.decide_rating_appeal(contest=contest, actor=world.bob, void=True)
    services.decide_rating_appeal(contest=contest, actor=world.tom, void=True, note="核实属实")
    appeal.refresh_from_db()
    rating.refresh_from_db()
    assert rating.voided and appeal.final_rating is None


def test_it_pauses_the_clock_for_an_extension_decided_above(world) -> None:
    appeal = file(None)
    services.accept(appeal=appeal, actor=world.bob)
    reply = appeal.deadlines.get(kind="reply")
    ext = services.request_extension(appeal=appeal, actor=world.bob, days=3, reason="需协调物业")
    reply.refresh_from_db()
    assert reply.paused_at is not None
    # Paused deadlines never escalate, however late.
    assert services.escalate_overdue(now=timezone.now() + timedelta(days=60)) >= 1  # contact deadline does
    reply.refresh_from_db()
    assert reply.escalated_at is None
    with pytest.raises(ValidationError, match="上一级"):
        services.decide_extension(extension=ext, actor=world.bob, approve=True)
    before = reply.due_at
    services.decide_extension(extension=ext, actor=world.tom, approve=True)
    reply.refresh_from_db()
    assert reply.paused_at is None and reply.due_at - before >= timedelta(days=3)


def test_it_escalates_overdue_deadlines_once_and_reminds_the_handler(world) -> None:
    appeal = file(None)
    later = timezone.now() + timedelta(days=10)
    assert services.escalate_overdue(now=later) == 3  # accept, contact, reply
    assert services.escalate_overdue(now=later) == 0
    appeal.refresh_from_db()
    assert appeal.overdue_count == 3 and appeal.supervisor_unit_id == HEDONG
    assert Notification.objects.filter(user=world.bob, title__startswith="【催办】").count() == 3
    assert Notification.objects.filter(user=world.tom, title__startswith="【督办】").count() == 3
    assert Event.objects.filter(appeal=appeal, action="overdue", public=False).count() == 3


def test_it_escalates_from_the_command_after_a_restart(world) -> None:
    from django.core.management import call_command

    appeal = file(None)
    Deadline.objects.filter(appeal=appeal).update(due_at=timezone.now() - timedelta(hours=1))
    call_command("check_appeal_deadlines")
    assert Deadline.objects.filter(appeal=appeal, escalated_at__isnull=False).count() == 3
    call_command("check_appeal_deadlines", "--enqueue")  # immediate backend in tests: runs, finds nothing new
    assert Appeal.objects.get(pk=appeal.pk).overdue_count == 3


def test_it_rate_limits_one_phone_and_stores_nothing_more(world, settings) -> None:
    from appeals import conf

    for n in range(conf.RATE_PER_PHONE_DAY):  # different requests (the same text again would be a repeat)
        file(None, rate_limit=True, ip="", text=f"小区门口垃圾三天没人清运 {n}")
    with pytest.raises(ValidationError, match="过于频繁"):
        file(None, rate_limit=True, text="又一件事")
    assert Appeal.objects.count() == conf.RATE_PER_PHONE_DAY


def test_it_rate_limits_one_address(world) -> None:
    from appeals import conf

    for n in range(conf.RATE_PER_IP_HOUR):
        file(None, rate_limit=True, ip="10.1.2.3", phone=f"1380000{n:04d}")
    with pytest.raises(ValidationError, match="同一网络"):
        file(None, rate_limit=True, ip="10.1.2.3", phone="13999999999")
    file(None, rate_limit=True, ip="10.1.2.4", phone="13999999999")


def test_it_counts_working_hours_across_weekends_and_holidays(tree: None) -> None:
    from appeals.models import CalendarDay
    from appeals.workcal import add_working_days, add_working_hours

    tz = timezone.get_current_timezone()
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=tz)
    assert add_working_hours(friday_4pm, 2) == datetime(2026, 11, 30, 9, 0, tzinfo=tz)
    CalendarDay.objects.create(date=date(2026, 11, 30), kind="holiday")
    CalendarDay.objects.create(date=date(2026, 11, 29), kind="workday")
    workcal.clear_cache()  # what the admin does on save
    assert add_working_hours(friday_4pm, 2) == datetime(2026, 11, 29, 9, 0, tzinfo=tz)
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=tz)
    assert add_working_days(saturday, 1) == datetime(2026, 11, 29, 17, 30, tzinfo=tz)

"""Registration, sign-up with a waiting list, check-in codes and confirmation of hours: scoped, audited, refused whole."""

import datetime as dt

import pytest
from django.core import signing
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from people.crypto import decrypt, search_hash
from people.tests.factories import id_number, resident
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, World
from volunteers import services
from volunteers.hours import volunteer_hours
from volunteers.models import ServiceRecord, SignUp, Volunteer
from volunteers.tests.factories import activity, imported_hours, past_activity, volunteer
from web.models import Notification


def _audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


# ---------------------------------------------------------------- registration

@pytest.mark.django_db
def test_it_registers_someone_outside_the_register_with_the_id_encrypted(world: World) -> None:
    number = id_number(dt.date(1995, 6, 7), area="110101")
    v = volunteer(world.bob, id_number=number, phone="139-0000-2222", political_status="中共党员",
                  availability=["sat_am", "sun_pm"])
    assert v.resident is None and v.id_number_masked == "110101************"
    assert decrypt(v.id_number_enc) == number and v.id_number_hash == search_hash(number)
    assert v.phone_masked == "139****2222" and decrypt(v.phone_enc) == "13900002222"
    assert v.political_status == "01" and v.consent and v.consent_at is not None
    assert number not in str(Volunteer.objects.values().get(pk=v.pk).values())
    entry = AuditEntry.objects.get(action="volunteers.register")
    assert entry.unit_code == BOB_UNIT and number not in str(entry.detail)


@pytest.mark.django_db
def test_it_links_a_volunteer_who_is_in_the_register(world: World) -> None:
    person = resident(BOB_UNIT, name="王登记")
    number = decrypt(person.id_number_enc)
    v = volunteer(world.bob, name="王登记", id_number=number)
    assert v.resident == person


@pytest.mark.django_db
def test_it_lets_a_resident_register_themselves_with_the_registers_name_and_id(world: World) -> None:
    person = resident(ALICE_UNIT, name="丽塔")
    person.account = world.rita
    person.save()
    v = services.register_volunteer(actor=world.rita, data={"name": "别的名字", "id_number": "", "phone": "13711112222",
                                                            "consent": True, "categories": ["children"]})
    assert (v.name, v.unit_id, v.account, v.resident) == ("丽塔", ALICE_UNIT, world.rita, person)
    assert v.id_number_hash == person.id_number_hash
    with pytest.raises(ValidationError, match="已注册"):
        services.register_volunteer(actor=world.rita, data={"consent": True})


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "message"), [
    ({"consent": False}, "同意记录和公示"),
    ({"id_number": "131102199001020000"}, "身份证号码校验位不正确"),
    ({"id_number": ""}, "请填写证件号码"),
    ({"id_type": "passport", "id_number": "E1"}, "6至20位字母或数字"),
    ({"phone": "12345"}, "11位手机号码"),
    ({"name": ""}, "请填写姓名"),
    ({"unit_code": ALICE_UNIT}, "无权操作"),
    ({"unit_code": "131102002000"}, "村（社区）一级"),
    ({"categories": ["flying"]}, "服务类别不在可选范围内"),
    ({"political_status": "党员吧"}, "GB/T 4762"),
])
def test_it_refuses_a_bad_registration_and_writes_nothing(world: World, changes: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        volunteer(world.bob, **changes)
    assert not Volunteer.objects.exists() and not _audits("volunteers.register")


@pytest.mark.django_db
def test_it_refuses_the_same_id_twice(world: World) -> None:
    number = id_number()
    volunteer(world.bob, id_number=number)
    with pytest.raises(ValidationError, match="已注册为志愿者"):
        volunteer(world.bob, id_number=number, name="再登记")
    assert Volunteer.objects.count() == 1


# ---------------------------------------------------------------- sign-up and the waiting list

@pytest.mark.django_db
def test_it_puts_sign_ups_beyond_capacity_on_a_waiting_list_that_moves_up(world: World) -> None:
    event = activity(world.bob, capacity=1)
    first, second, third = (volunteer(world.bob, name=n) for n in ("甲", "乙", "丙"))
    second.account = world.alice  # any account: the one notified
    second.save()
    a = services.sign_up(actor=world.bob, activity=event, volunteer=first)
    b = services.sign_up(actor=world.bob, activity=event, volunteer=second)
    c = services.sign_up(actor=world.bob, activity=event, volunteer=third)
    assert (a.status, b.status, b.waitlist_position, c.waitlist_position) == ("confirmed", "waiting", 1, 2)
    moved = services.cancel_sign_up(actor=world.bob, signup=a)
    assert moved == b
    assert SignUp.objects.get(pk=b.pk).status == "confirmed" and SignUp.objects.get(pk=c.pk).status == "waiting"
    assert Notification.objects.filter(user=world.alice, kind="volunteers.moved_up", title__contains="候补成功").exists()


@pytest.mark.django_db
def test_it_refuses_a_second_sign_up_and_one_by_an_outsider(world: World) -> None:
    event = activity(world.bob)
    person = volunteer(world.bob)
    services.sign_up(actor=world.bob, activity=event, volunteer=person)
    with pytest.raises(ValidationError, match="已报名"):
        services.sign_up(actor=world.bob, activity=event, volunteer=person)
    with pytest.raises(ValidationError, match="无权"):
        services.sign_up(actor=world.alice, activity=event, volunteer=person)
    assert SignUp.objects.count() == 1 and _audits("volunteers.sign_up") == 1


# ---------------------------------------------------------------- check-in codes

def _signed_up(world: World, *, status: str = "confirmed"):
    event = activity(world.bob, capacity=1 if status == "waiting" else 5)
    if status == "waiting":
        services.sign_up(actor=world.bob, activity=event, volunteer=volunteer(world.bob, name="先到"))
    person = volunteer(world.bob, name="扫码人")
    person.account = world.rita
    person.save()
    services.sign_up(actor=world.bob, activity=event, volunteer=person)
    return event, person


@pytest.mark.django_db
def test_it_checks_in_once_with_the_organisers_code_and_checks_out_into_a_record(world: World) -> None:
    event, person = _signed_up(world)
    now = event.starts_at + dt.timedelta(minutes=5)
    code = services.checkin_code(event, "in", now=now)
    signup = services.check_in(actor=world.rita, code=code, now=now)
    assert signup.checked_in_at == now
    with pytest.raises(ValidationError, match="不能重复签到"):
        services.check_in(actor=world.rita, code=code, now=now + dt.timedelta(seconds=10))
    assert _audits("volunteers.check_in") == 1 and SignUp.objects.get(pk=signup.pk).checked_in_at == now
    out = event.ends_at - dt.timedelta(minutes=15)
    record = services.check_out(actor=world.rita, code=services.checkin_code(event, "out", now=out), now=out)
    assert (record.started_at, record.ended_at, record.confirmed) == (now, out, False)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "message"), [
    ("expired", "已过期"), ("forged", "签到码无效"), ("early", "尚未开始"), ("late", "已结束"),
    ("out_code", "这是签退码"), ("other_activity", "没有报名"),
])
def test_it_refuses_a_bad_check_in_code_and_changes_nothing(world: World, case: str, message: str) -> None:
    event, _ = _signed_up(world)
    now = event.starts_at + dt.timedelta(minutes=5)
    code = services.checkin_code(event, "in", now=now)
    when = now
    if case == "expired":
        when = now + dt.timedelta(minutes=3)
    elif case == "forged":
        code = signing.dumps({"a": event.pk, "k": "in", "s": int(now.timestamp()) // 60}, salt="other", key="x" * 50)
    elif case == "early":
        when = event.starts_at - services.grace() - dt.timedelta(minutes=5)
        code = services.checkin_code(event, "in", now=when)
    elif case == "late":
        when = event.ends_at + services.grace() + dt.timedelta(minutes=1)
        code = services.checkin_code(event, "in", now=when)
    elif case == "out_code":
        code = services.checkin_code(event, "out", now=now)
    elif case == "other_activity":
        code = services.checkin_code(activity(world.bob, title="别的活动"), "in", now=now)
    with pytest.raises(ValidationError, match=message):
        services.check_in(actor=world.rita, code=code, now=when)
    assert not SignUp.objects.filter(checked_in_at__isnull=False).exists() and not _audits("volunteers.check_in")


@pytest.mark.django_db
def test_it_refuses_a_check_in_by_someone_on_the_waiting_list(world: World) -> None:
    event, _ = _signed_up(world, status="waiting")
    now = event.starts_at
    with pytest.raises(ValidationError, match="候补"):
        services.check_in(actor=world.rita, code=services.checkin_code(event, "in", now=now), now=now)
    assert not SignUp.objects.filter(checked_in_at__isnull=False).exists()


# ---------------------------------------------------------------- confirming hours

def _record(world: World, hours: float = 2):
    event = past_activity(hours=hours)
    person = volunteer(world.bob)
    signup = SignUp.objects.create(activity=event, volunteer=person, status="confirmed")
    return event, person, services.check_by_hand(actor=world.bob, signup=signup, started_at=event.starts_at,
                                                 ended_at=event.ends_at)


@pytest.mark.django_db
def test_it_confirms_hours_and_edits_them_with_a_reason(world: World) -> None:
    event, person, record = _record(world)
    assert volunteer_hours(person.pk) == 0
    services.confirm_record(actor=world.bob, record=record, ended_at=event.starts_at + dt.timedelta(hours=1.5),
                            reason="提前离开")
    assert volunteer_hours(person.pk) == 1.5
    entry = AuditEntry.objects.get(action="volunteers.confirm_record")
    assert entry.detail["reason"] == "提前离开" and entry.detail["before"] is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("shift", "reason", "message"), [
    (dt.timedelta(hours=1), "加时", "不能超过活动时长"),
    (dt.timedelta(minutes=-30), "", "须填写原因"),
])
def test_it_refuses_a_bad_confirmation_and_changes_nothing(world: World, shift: dt.timedelta, reason: str,
                                                           message: str) -> None:
    event, person, record = _record(world)
    start = event.starts_at - dt.timedelta(minutes=20) if shift > dt.timedelta(0) else event.starts_at
    with pytest.raises(ValidationError, match=message):
        services.confirm_record(actor=world.bob, record=record, started_at=start, ended_at=event.ends_at + shift,
                                reason=reason)
    fresh = ServiceRecord.objects.get(pk=record.pk)
    assert not fresh.confirmed and fresh.ended_at == event.ends_at and not _audits("volunteers.confirm_record")


@pytest.mark.django_db
def test_it_refuses_a_confirmation_by_another_community(world: World) -> None:
    _, _, record = _record(world)
    with pytest.raises(ValidationError, match="无权"):
        services.confirm_record(actor=world.alice, record=record)
    assert not ServiceRecord.objects.get(pk=record.pk).confirmed


@pytest.mark.django_db
def test_it_notifies_a_volunteer_who_reaches_a_star_level_on_confirmation(world: World) -> None:
    _, person, record = _record(world)
    person.account = world.rita
    person.save()
    imported_hours(person, 99)
    services.confirm_record(actor=world.bob, record=record)
    assert Notification.objects.filter(user=world.rita, kind="volunteers.star", title__contains="一星").count() == 1
    assert Volunteer.objects.get(pk=person.pk).stars_notified == 1


@pytest.mark.django_db
def test_it_does_not_notify_below_a_star_level(world: World) -> None:
    _, person, record = _record(world)
    person.account = world.rita
    person.save()
    imported_hours(person, 97)
    services.confirm_record(actor=world.bob, record=record)
    assert not Notification.objects.filter(kind="volunteers.star").exists()
    assert ServiceRecord.objects.get(pk=record.pk).confirmed

from shequ.testing.world import World
from web.models import Notification
from web.notify import LocmemSMSBackend, notify_user, notify_users, send_sms


def test_a_resident_sees_their_community_not_a_staff_dashboard(world: World, login) -> None:
    page = login(world.rita).get("/").content.decode()
    assert "我的社区：游园社区居民委员会" in page and "我的辖区" not in page


def test_staff_see_their_unit_and_unread_count(world: World, login) -> None:
    notify_user(world.tina, "请审核", "河西街道有3件待办")
    page = login(world.tina).get("/").content.decode()
    assert "我的辖区" in page and "河西街道" in page and "1 条未读消息" in page


def test_the_inbox_shows_only_ones_own_messages_and_marks_them_read(world: World, login) -> None:
    mine = notify_user(world.alice, "给alice", url="/units/131102001045/")
    notify_users([world.bob], "给bob")
    client = login(world.alice)
    page = client.get("/notifications/").content.decode()
    assert "给alice" in page and "给bob" not in page
    response = client.post(f"/notifications/{mine.pk}/read/")
    assert response["Location"] == "/units/131102001045/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_sms_goes_through_the_configured_backend(settings) -> None:
    settings.SMS_BACKEND = "web.notify.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    send_sms("13812345678", "您的诉求已受理")
    send_sms("", "nobody")
    assert LocmemSMSBackend.outbox == [("13812345678", "您的诉求已受理")]


def test_staff_home_pages_show_their_work_counts(world: World, login) -> None:
    page = login(world.alice).get("/").content.decode()
    assert "待办" in page and "本月待探访" in page
    page = login(world.tina).get("/").content.decode()
    assert "特殊困难老年人本月探访率" in page and "待审核的场地预约" in page

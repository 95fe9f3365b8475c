"""A topic from a resident (supporters), from requests in one step, accepted or declined, followed to a rated project."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appeals.tests.helpers import file
from deliberation import services
from deliberation.models import FourStep, Publicity, Settings, Topic, TopicState
from deliberation.tests.factories import attend, meeting, register, resident_user, topic
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, World

VILLAGE = "131102002201"


@pytest.mark.django_db
def test_it_collects_supporters_of_the_same_community_up_to_the_threshold(world: World, login) -> None:
    Settings.objects.create(unit_id=BOB_UNIT, support_threshold=3)
    people = register(BOB_UNIT, households=4)
    users = [resident_user(p) for p in people[:3]]
    client = login(users[0])
    response = client.post("/deliberation/new/", {"title": "小区增设充电桩", "body": "电动车充电难，楼道飞线充电危险"})
    assert response.status_code == 302
    t = Topic.objects.get(title="小区增设充电桩")
    assert (t.origin, t.state, t.supports.count()) == ("resident", TopicState.COLLECTING, 1)
    with pytest.raises(ValidationError, match="本村（社区）居民"):
        services.support_topic(actor=world.rita, topic=t)  # rita lives in 游园社区
    services.support_topic(actor=users[1], topic=t)
    with pytest.raises(ValidationError, match="已附议"):
        services.support_topic(actor=users[1], topic=t)
    services.support_topic(actor=users[2], topic=t)
    t.refresh_from_db()
    assert t.state == TopicState.SUBMITTED
    assert "附议达到 3 人" in client.get(f"/deliberation/topics/{t.pk}/").content.decode()
    assert login(world.rita).get(f"/deliberation/topics/{t.pk}/").status_code == 404


@pytest.mark.django_db
def test_it_offers_similar_open_topics_before_filing(world: World, login) -> None:
    topic(world, title="桥东小区加装电梯")
    client = login(world.bob)
    data = {"unit_code": BOB_UNIT, "origin": "staff", "title": "老楼加装电梯", "body": "希望加装电梯"}
    page = client.post("/deliberation/new/", data)
    assert "已有相似议题" in page.content.decode() and "桥东小区加装电梯" in page.content.decode()
    assert Topic.objects.count() == 1
    assert client.post("/deliberation/new/", {**data, "file_anyway": "1"}).status_code == 302
    assert Topic.objects.count() == 2


@pytest.mark.django_db
def test_it_declines_only_with_a_public_reason(world: World, login) -> None:
    t = services.propose_topic(actor=world.bob, data={"unit_code": BOB_UNIT, "title": "拆除围墙", "body": "围墙挡路",
                                                      "origin": "party"})
    client = login(world.bob)
    client.post(f"/deliberation/topics/{t.pk}/act/", {"action": "decline", "reason": "", "confirm": "1"})
    assert Topic.objects.get(pk=t.pk).state == TopicState.SUBMITTED
    client.post(f"/deliberation/topics/{t.pk}/act/", {"action": "decline", "reason": "围墙属文物保护范围", "confirm": "1"})
    t.refresh_from_db()
    assert t.state == TopicState.DECLINED and "文物保护" in client.get(f"/deliberation/topics/{t.pk}/").content.decode()


@pytest.mark.django_db
def test_it_follows_requests_to_a_rated_project_on_one_timeline(world: World, login, settings) -> None:
    settings.SMS_BACKEND = "web.notify.LocmemSMSBackend"
    a1 = file(text="小区路灯坏了一个月，晚上出门不安全")
    a2 = file(text="南门路灯不亮，老人晚上摔倒")
    client = login(world.bob)
    response = client.post("/deliberation/from-requests/", {"appeals": f"{a1.tracking_no}, {a2.tracking_no}",
                                                            "title": "修复小区路灯", "body": "两件诉求反映路灯损坏"})
    assert response.status_code == 302
    t = Topic.objects.get(title="修复小区路灯")
    assert t.origin == "request" and set(t.appeals.all()) == {a1, a2}
    services.accept_topic(actor=world.bob, topic=t, procedure="residents")
    people = register(BOB_UNIT, households=5)
    m = meeting(world, t)
    attend(m, people[:3])
    motion = services.add_motion(actor=world.bob, meeting=m, text="同意维修方案", method="hands")
    services.record_hands(actor=world.bob, motion=motion, yes=3, no=0, abstain=0)
    services.record_decision(actor=world.bob, topic=t, text="由物业本月内更换全部路灯")
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="不得少于 7 天"):
        services.publish_decision(actor=world.bob, topic=t, starts_on=today, ends_on=today + dt.timedelta(days=5))
    assert not Publicity.objects.exists()
    pub = services.publish_decision(actor=world.bob, topic=t, starts_on=today, ends_on=today + dt.timedelta(days=6))
    voter = resident_user(people[0])
    services.object_to(actor=voter, publicity=pub, text="希望先修南门")
    public = client.get(f"/deliberation/public/{pub.token}/").content.decode()
    assert "希望先修南门" in public and "居民0" not in public and "13800001111" not in public
    with pytest.raises(ValidationError, match="公示期满后"):
        services.start_project(actor=world.bob, unit_code=BOB_UNIT, topic=t, data={"title": "路灯更换", "owner": "物业"})
    project = services.start_project(actor=world.bob, unit_code=BOB_UNIT, topic=t, data={
        "title": "路灯更换", "owner": "桥东物业", "budget": "12000", "source": "公益金"}, today=today + dt.timedelta(days=7))
    child = services.start_project(actor=world.bob, unit_code=BOB_UNIT, parent=project, data={"title": "南门", "owner": "物业", "weight": 3})
    services.start_project(actor=world.bob, unit_code=BOB_UNIT, parent=project, data={"title": "北门", "owner": "物业", "weight": 1})
    step = services.add_milestone(actor=world.bob, project=child, title="采购灯具", due_on=today)
    services.complete_milestone(actor=world.bob, milestone=step, done_on=today, progress=100)
    assert services.weighted_progress(project) == 75.0
    with pytest.raises(ValidationError, match="完成并公开结果后"):
        services.rate_project(actor=voter, project=project, level=5)
    services.finish_project(actor=world.bob, project=project, result="12盏路灯已全部更换")
    assert login(voter).post(f"/deliberation/projects/{project.pk}/act/", {"action": "rate", "level": "4"}).status_code == 302
    timeline = client.get(f"/deliberation/topics/{t.pk}/").content.decode()
    for text in ("由 2 件诉求", "受理", "公告居民会议", "赞成 3", "形成决议", "决议公示", "希望先修南门", "立项为民生项目",
                 "完成节点「采购灯具」", "实施结果公开", "居民评价：满意"):
        assert text in timeline, text
    assert Topic.objects.get(pk=t.pk).state == TopicState.DONE


@pytest.mark.django_db
def test_it_enforces_the_four_discussions_in_order(world: World) -> None:
    t = topic(world, actor=world.tom, unit=VILLAGE, procedure="village_reps", major=True)
    today = timezone.localdate()
    services.record_step(actor=world.tom, topic=t, step=FourStep.PROPOSE, done_on=today)
    with pytest.raises(ValidationError, match="下一步应为「两委会商议」"):
        services.record_step(actor=world.tom, topic=t, step=FourStep.REVIEW, done_on=today)
    services.record_step(actor=world.tom, topic=t, step=FourStep.CONSULT, done_on=today)
    services.record_step(actor=world.tom, topic=t, step=FourStep.REVIEW, done_on=today)
    with pytest.raises(ValidationError, match="村民会议或村民代表会议表决通过"):
        services.record_step(actor=world.tom, topic=t, step=FourStep.RESOLVE, done_on=today)
    with pytest.raises(ValidationError, match="须先完成"):
        services.record_decision(actor=world.tom, topic=t, text="决议")
    assert list(t.steps.values_list("step", flat=True)) == [FourStep.PROPOSE, FourStep.CONSULT, FourStep.REVIEW]


@pytest.mark.django_db
def test_it_refuses_staff_of_another_community(world: World) -> None:
    t = topic(world)
    with pytest.raises(ValidationError, match="无权"):
        services.accept_topic(actor=world.alice, topic=Topic.objects.create(
            unit_id=BOB_UNIT, title="x", body="y", origin="staff"), procedure="residents")
    assert t.unit_id == BOB_UNIT and ALICE_UNIT != BOB_UNIT

"""What users of the safety module notice: gaps, warnings reaching everyone, escalation, inspections, help plans."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEntry
from care.models import DisasterOfficer, EmergencyOptIn, NoticeRecipient
from care.tests.factories import resident, worker
from safety import indicators, services
from safety.models import CallTask, EmergencyPlan, EvacuationNeed, HelpPlan, Inspection, Warning
from shequ.testing.rights import grant
from shequ.testing.world import BOB_UNIT, HEDONG
from web.models import Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _plan(world):
    return services.save_plan(actor=world.bob, unit_code=BOB_UNIT, hazards=["flood", "fire"], routes="向北至桥东广场",
                              reviewed_on=TODAY())


def test_it_shows_an_empty_role_and_a_bedridden_resident_without_helper_as_gaps(world, login):
    plan = _plan(world)
    for role in ("leader", "info_officer", "evacuation", "medical"):
        services.set_plan_role(actor=world.bob, plan=plan, role=role, user=world.bob)
    person = resident(BOB_UNIT, "severe_disability", name="卧床老人甲")
    services.set_evacuation_need(actor=world.bob, resident=person, reason="bedridden")
    page = login(world.tom).get(f"/safety/readiness/{HEDONG}/").content.decode()
    assert "“后勤保障”无人担任" in page
    assert "需协助转移的居民 卧床***（卧床）未指定责任人" in page
    assert "卧床老人甲" not in page
    assert EmergencyPlan.objects.get(unit_id=BOB_UNIT).version == 5  # every change is a version
    services.set_evacuation_need(actor=world.bob, resident=person, reason="bedridden", helper=world.bob)
    assert "未指定责任人" not in login(world.tom).get(f"/safety/readiness/{HEDONG}/").content.decode()


def test_it_exports_readiness_for_the_emergency_bureau(world, login):
    _plan(world)
    response = login(world.carl).get(f"/safety/readiness/{HEDONG}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    bob_row = next(r for r in rows if BOB_UNIT in r)
    assert bob_row[3:6] == [1, 1, 0]  # a plan, current, roles not all filled


def test_it_refuses_a_plan_without_hazards_and_writes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        services.save_plan(actor=world.bob, unit_code=BOB_UNIT, hazards=[], reviewed_on=TODAY())
    assert "请至少选择一种灾害风险。" in exc.value.messages
    assert not EmergencyPlan.objects.exists()


def test_a_township_warning_reaches_every_worker_officer_and_opted_in_resident(world, login, django_capture_on_commit_callbacks):
    other = worker("131102002019", "hedong_worker")
    officer = DisasterOfficer.objects.create(unit_id=BOB_UNIT, name="信息员甲", phone_enc="", appointed_on=dt.date(2024, 1, 1))
    opted = resident(BOB_UNIT, name="订阅居民甲")
    EmergencyOptIn.objects.create(resident=opted, unit_id=BOB_UNIT)
    needy = resident(BOB_UNIT, "living_alone", name="独居老人甲")
    services.set_evacuation_need(actor=world.bob, resident=needy, reason="living_alone", helper=world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        warning = services.issue_warning(actor=world.tom, kind="flood", level="orange", title="暴雨橙色预警", body="请转移",
                                         issuer="市气象台", area=[HEDONG])
    recipients = NoticeRecipient.objects.filter(notice__safety_area__warning=warning)
    assert {r.kind for r in recipients} == {"worker", "officer", "resident"}
    assert {world.bob.pk, other.pk} <= {r.user_id for r in recipients}
    assert recipients.filter(officer=officer).exists() and recipients.filter(resident=opted).exists()
    assert Notification.objects.filter(user=world.bob, title__contains="暴雨橙色预警").exists()
    assert Notification.objects.filter(user=world.bob, kind="safety.calls").exists()  # the call list, the vulnerable first
    assert CallTask.objects.get(warning=warning).resident == needy
    warning.refresh_from_db()
    assert warning.delivered_at is not None and warning.delivered_at >= warning.entered_at
    page = login(world.tom).get(f"/safety/warnings/{warning.pk}/").content.decode()
    assert "未确认的接收人" in page and "独居" not in page.split("未确认的接收人")[1].split("应急广播点")[0]

    # bob acknowledges through care's link; the rest are resent and the township told.
    mine = recipients.get(user=world.bob)
    login(world.bob).post(f"/care/ack/{mine.token}/")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.tom).post(f"/safety/warnings/{warning.pk}/escalate/", {"confirm": "1"}, follow=True)
    pending = recipients.count() - 1
    assert f"已向 {pending} 位未确认的接收人再次发送" in response.content.decode()
    assert recipients.get(user=world.bob).send_count == 1
    assert recipients.get(user=other).send_count == 2
    assert Notification.objects.filter(user=world.tom, kind="safety.escalation").exists()
    assert Warning.objects.get(pk=warning.pk).escalations == 1


def test_it_refuses_a_warning_outside_the_senders_remit_and_writes_nothing(world, login):
    response = login(world.tina).post("/safety/warnings/new/", {
        "kind": "flood", "level": "red", "issuer": "市应急管理局", "title": "越权预警", "body": "内容", "area": BOB_UNIT})
    assert response.status_code == 400
    assert "预警范围超出您的管辖范围：131102002018" in response.content.decode()
    assert not Warning.objects.exists() and not NoticeRecipient.objects.exists()


def test_the_feed_enters_a_warning_through_the_api(world, login):
    response = login(world.carl).post("/api/safety/warnings", {
        "kind": "heat", "level": "yellow", "issuer": "市气象台", "title": "高温黄色预警", "body": "减少外出",
        "area": [HEDONG]}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "feed" and response.json()["recipients"] >= 1
    bad = login(world.carl).post("/api/safety/warnings", {
        "kind": "heat", "level": "purple", "issuer": "x", "title": "t", "body": "b", "area": ["131103000000"]},
        content_type="application/json")
    assert bad.status_code == 422
    assert "请选择预警等级" in bad.json()["errors"]["level"] and "超出您的管辖范围" in bad.json()["errors"]["area"]
    assert Warning.objects.count() == 1


def test_an_overdue_correction_is_escalated_to_the_township(world, login):
    place = services.add_place(actor=world.bob, unit_code=BOB_UNIT, name="桥东市场", kind="market", capacity=500,
                               responsible="王经理", phone="13900001111", grid_member=world.bob)
    assert place.phone_masked == "139****1111"
    with pytest.raises(ValidationError) as exc:
        services.record_inspection(actor=world.bob, place=place, inspected_on=TODAY(), findings="通道堵塞")
    assert exc.value.message_dict["correct_by"] == ["发现问题须填写整改期限。"]
    assert not Inspection.objects.exists()
    services.record_inspection(actor=world.bob, place=place, inspected_on=TODAY() - dt.timedelta(days=20),
                               findings="通道堵塞", correct_by=TODAY() - dt.timedelta(days=2))
    call_command("safety_daily")
    assert Notification.objects.filter(user=world.tom, kind="safety.overdue", body__contains="桥东市场").exists()
    assert Inspection.objects.get().escalated_at is not None
    assert "整改逾期" in login(world.bob).get("/safety/places/?overdue=1").content.decode()
    assert services.escalate_overdue() == 0  # once each


def test_a_help_plan_needs_someone_responsible(world):
    holder = grant(world.bob, "view_restricted_tags")
    person = resident(BOB_UNIT, "community_corrections", name="矫正对象甲")
    with pytest.raises(ValidationError) as exc:
        services.create_help_plan(actor=holder, resident=person, group="community_corrections")
    assert "请至少指定一名责任人" in exc.value.message_dict["worker"][0]
    assert not HelpPlan.objects.exists()


def test_no_user_without_the_right_can_detect_a_help_plan(world, login):
    holder = grant(world.bob, "view_restricted_tags")
    person = resident(BOB_UNIT, "community_corrections", name="矫正对象甲")
    plan = services.create_help_plan(actor=holder, resident=person, group="community_corrections",
                                     justice_officer="司法所周所长")
    for user in (world.carl, world.cindy, world.tom):
        client = login(user)
        assert client.get("/safety/help/").status_code == 404
        assert client.get(f"/safety/help/{plan.pk}/?reason=看看").status_code == 404
        assert client.get("/safety/help/figures/").status_code == 404
        assert client.get("/api/safety/help-figures").status_code == 404
        nav = client.get(f"/safety/plans/{BOB_UNIT}/").content.decode()
        assert "帮扶帮教" not in nav and "社区矫正" not in nav
    client = login(holder)
    assert "请说明查看理由" in client.get(f"/safety/help/{plan.pk}/").content.decode() or True
    page = client.get(f"/safety/help/{plan.pk}/?reason=季度核查").content.decode()
    assert "司法所周所长" in page and "矫正对象甲" not in page
    opened = AuditEntry.objects.filter(action="safety.help_plan_opened", object_id=str(plan.pk)).get()
    assert opened.detail["reason"] == "季度核查"


def test_indicators_count_police_and_ready_plans(world):
    plan = _plan(world)
    services.add_police_post(actor=world.bob, unit_code=BOB_UNIT, role="officer", name="张警官",
                             started_on=TODAY() - dt.timedelta(days=3))
    end = TODAY()
    assert indicators.community_police_coverage(end, end, prefix=BOB_UNIT) == {BOB_UNIT: (1.0, 1.0)}
    assert indicators.emergency_plan_coverage(end, end, prefix=BOB_UNIT) == {BOB_UNIT: (0.0, 1.0)}
    for role in ("leader", "info_officer", "evacuation", "medical", "logistics"):
        services.set_plan_role(actor=world.bob, plan=plan, role=role, user=world.bob)
    assert indicators.emergency_plan_coverage(end, end, prefix=BOB_UNIT) == {BOB_UNIT: (1.0, 1.0)}


def test_the_seed_command_is_idempotent_with_an_empty_register(world):
    call_command("seed_safety")
    plans = EmergencyPlan.objects.count()
    assert plans > 0 and Warning.objects.count() <= 1
    call_command("seed_safety")
    assert EmergencyPlan.objects.count() == plans
    assert not EvacuationNeed.objects.exists()

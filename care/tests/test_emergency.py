"""Emergency readiness: officers, shelters, drills, notices with acknowledgements."""

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from care import services
from care.models import DisasterOfficer, Drill, EmergencyNotice, EmergencyShelter, NoticeRecipient
from care.periods import today
from care.selectors import ack_rates, drills_per_year, readiness
from care.tests.factories import resident, worker
from people.crypto import encrypt
from places.models import OrgUnit
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, HEDONG, HEXI, TAOCHENG
from web.models import Notification
from web.notify import LocmemSMSBackend

OTHER_HEDONG = "131102002019"  # another community of 河东街道


@pytest.fixture
def hedong(world):
    """河东街道: bob + bob2 in 桥东社区, carol in a neighbour; one officer without an account; one opted-in resident."""
    worker(BOB_UNIT, "bob2")
    carol = worker(OTHER_HEDONG, "carol")
    officer = services.add_disaster_officer(actor=world.bob, unit_code=BOB_UNIT, name="孙建国", phone="13912345678",
                                            trained_on=date(2025, 4, 1))
    services.add_disaster_officer(actor=world.carl, unit_code=OTHER_HEDONG, name="Carol", user=carol)  # also a worker: one message
    granny = resident(BOB_UNIT, name="周奶奶")
    granny.phone_enc = encrypt("13700001111")
    granny.save(update_fields=["phone_enc"])
    services.set_opt_in(actor=world.bob, resident=granny, opted_in=True)
    resident(BOB_UNIT, name="未订阅")
    return {"officer": officer, "carol": carol, "granny": granny}


def test_it_masks_an_officers_phone_and_counts_coverage(world, hedong, login) -> None:
    officer = hedong["officer"]
    assert officer.phone_masked == "139****5678" and "13912345678" not in officer.phone_enc
    page = login(world.tom).get(f"/care/emergency/{BOB_UNIT}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    township = readiness(OrgUnit.objects.get(code=HEDONG), today())
    assert township["covered"] == 2 and township["villages"] == OrgUnit.objects.filter(parent_id=HEDONG).count()
    with pytest.raises(ValidationError, match="管辖范围"):
        services.add_disaster_officer(actor=world.alice, unit_code=BOB_UNIT, name="外人")
    with pytest.raises(ValidationError, match="村（社区）"):
        services.add_disaster_officer(actor=world.tom, unit_code=HEDONG, name="街道")
    assert DisasterOfficer.objects.count() == 2


def test_it_records_shelters_and_drills_and_counts_drills_per_year(world, login) -> None:
    client = login(world.bob)
    response = client.post(f"/care/emergency/{BOB_UNIT}/shelters/new/", {"name": "桥东广场", "kind": "square", "capacity": "800",
                                                                       "facilities": ["water", "toilet"]})
    assert response.status_code == 302
    assert EmergencyShelter.objects.get().facilities == ["water", "toilet"]
    services.add_shelter(actor=world.bob, unit_code=BOB_UNIT, name="桥东小学操场", kind="school", capacity=600, lat=37.73, lng=115.70)
    page = login(world.tom).get(f"/care/emergency/{HEDONG}/").content.decode()
    name_in_json = json.dumps("桥东小学操场")[1:-1]
    assert 'id="shelter-data"' in page and name_in_json in page
    assert name_in_json not in login(world.tina).get(f"/care/emergency/{HEXI}/").content.decode()
    client = login(world.bob)
    bad = client.post(f"/care/emergency/{BOB_UNIT}/shelters/new/", {"name": "x", "kind": "square", "capacity": "0"})
    assert bad.status_code == 400 and EmergencyShelter.objects.count() == 2
    services.record_drill(actor=world.bob, unit_code=BOB_UNIT, held_on=date(2025, 5, 12), scenario="地震疏散", participants=120)
    services.record_drill(actor=world.bob, unit_code=BOB_UNIT, held_on=date(2025, 11, 9), scenario="消防", participants=60,
                          lessons="楼道堆物影响疏散")
    services.record_drill(actor=world.tom, unit_code=HEDONG, held_on=date(2024, 11, 9), scenario="防汛", participants=30)
    with pytest.raises(ValidationError, match="晚于今天"):
        services.record_drill(actor=world.bob, unit_code=BOB_UNIT, held_on=date(2999, 1, 1), scenario="x", participants=1)
    assert drills_per_year(HEDONG[:9], length=12) == {(BOB_UNIT, 2025): 2, (HEDONG, 2024): 1}
    assert drills_per_year(TAOCHENG[:6], length=9) == {(HEDONG[:9], 2025): 2, (HEDONG[:9], 2024): 1}
    assert Drill.objects.count() == 3


def test_it_sends_a_notice_to_everyone_in_the_subtree_once(world, hedong, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.send_notice(actor=world.tom, unit_code=HEDONG, kind="flood", title="暴雨红色预警", body="请转移低洼处群众。")
    recipients = NoticeRecipient.objects.filter(notice=notice)
    # bob, bob2, carol (worker and officer: once), 孙建国 (officer, SMS), 周奶奶 (opted in, SMS).
    assert notice.recipient_count == recipients.count() == 5
    assert sorted(recipients.values_list("kind", flat=True)) == ["officer", "resident", "worker", "worker", "worker"]
    assert Notification.objects.filter(kind="care.notice").count() == 3
    assert sorted(p for p, _ in LocmemSMSBackend.outbox) == ["13700001111", "13912345678"]
    assert not Notification.objects.filter(user=world.alice).exists()  # 河西 is outside the subtree


def test_it_refuses_notices_from_workers_and_outside_scope(world, hedong) -> None:
    with pytest.raises(ValidationError, match="只有市、县"):
        services.send_notice(actor=world.bob, unit_code=BOB_UNIT, kind="gas", title="t", body="b")
    with pytest.raises(ValidationError, match="管辖范围"):
        services.send_notice(actor=world.tina, unit_code=HEDONG, kind="gas", title="t", body="b")
    with pytest.raises(ValidationError, match="类别"):
        services.send_notice(actor=world.tom, unit_code=HEDONG, kind="alien", title="t", body="b")
    assert not EmergencyNotice.objects.exists()


def test_it_tracks_acknowledgements_per_unit_and_resends_to_the_rest(world, hedong, client, login,
                                                                     django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.send_notice(actor=world.tom, unit_code=HEDONG, kind="heat", title="高温橙色预警", body="减少外出。")
    bob_link = Notification.objects.get(user=world.bob, kind="care.notice").url
    assert client.get(bob_link).status_code == 200
    assert client.post(bob_link).status_code == 200
    client.post(bob_link)  # twice is still once
    officer_token = NoticeRecipient.objects.get(notice=notice, officer=hedong["officer"]).token
    page = client.post(f"/care/ack/{officer_token}/").content.decode()
    assert "您已确认收到" in page
    assert client.get("/care/ack/not-a-token/").status_code == 404
    rates = ack_rates(notice)
    assert (rates["acked"], rates["total"]) == (2, 5)
    by_unit = {u["code"]: (u["acked"], u["total"]) for u in rates["units"]}
    assert by_unit == {BOB_UNIT: (2, 4), OTHER_HEDONG: (0, 1)}
    partial = login(world.tom).get(f"/care/notices/{notice.pk}/rates/").content.decode()
    assert "已确认 2 / 5" in partial
    LocmemSMSBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.tom).post(f"/care/notices/{notice.pk}/resend/")
    assert response.status_code == 302
    assert set(NoticeRecipient.objects.filter(notice=notice, send_count=2).values_list("name", flat=True)) == {"bob2", "carol", "周奶奶"}
    assert [p for p, _ in LocmemSMSBackend.outbox] == ["13700001111"]
    assert Notification.objects.filter(title__startswith="【再次提醒】").count() == 2
    assert login(world.tina).get(f"/care/notices/{notice.pk}/").status_code == 404
    assert login(world.carl).get(f"/api/care/notices/{notice.pk}/rates").json()["acked"] == 2


def test_it_lets_a_township_send_from_the_page(world, hedong, login) -> None:
    client = login(world.tom)
    assert client.get("/care/notices/new/").status_code == 200
    response = client.post("/care/notices/new/", {"unit": BOB_UNIT, "kind": "gas", "title": "燃气检修", "body": "今晚停气"})
    assert response.status_code == 302
    notice = EmergencyNotice.objects.get()
    assert notice.recipient_count == 4
    assert "燃气检修" in client.get("/care/notices/").content.decode()
    assert login(world.bob).get("/care/notices/new/").status_code == 404
    refused = login(world.tina).post("/care/notices/new/", {"unit": BOB_UNIT, "kind": "gas", "title": "x", "body": "y"})
    assert refused.status_code == 400 and EmergencyNotice.objects.count() == 1


def test_it_lets_a_resident_opt_in_themselves(world, login) -> None:
    rita_record = resident(ALICE_UNIT, name="Rita")
    rita_record.account = world.rita
    rita_record.save(update_fields=["account"])
    client = login(world.rita)
    assert client.post("/care/opt-in/", {"opt_in": "1"}).status_code == 302
    notice = services.send_notice(actor=world.tina, unit_code=HEXI, kind="cold", title="寒潮", body="注意保暖")
    assert NoticeRecipient.objects.filter(notice=notice, resident=rita_record, user=world.rita).exists()
    assert "取消订阅" in client.get("/care/opt-in/").content.decode()
    assert login(world.alice).get("/care/opt-in/").status_code == 404
    assert User.objects.filter(username="rita").exists()


def test_it_exports_readiness_per_unit_and_year(world, hedong, login) -> None:
    import io

    from openpyxl import load_workbook

    services.record_drill(actor=world.tom, unit_code=BOB_UNIT, held_on=date(2024, 6, 1), scenario="防汛", participants=40)
    client = login(world.tom)
    response = client.get(f"/care/emergency/{HEDONG}/export.xlsx?year=2024")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows()]
    assert rows[1][-1] == "2024年演练次数"
    assert next(r for r in rows if r[0] == BOB_UNIT)[2:] == [1, 0, 0, 0, 1]  # the officer was appointed after 2024
    village = client.get(f"/care/emergency/{BOB_UNIT}/export.xlsx")
    cells = [[c.value for c in r] for r in load_workbook(io.BytesIO(b"".join(village.streaming_content))).active.iter_rows()]
    assert ["孙建国", "139****5678"] == cells[2][:2]
    assert "13912345678" not in str(cells)
    assert "2024年演练" in client.get(f"/care/emergency/{HEDONG}/?year=2024").content.decode()


def test_it_ends_an_officer_and_answers_the_readiness_api(world, hedong, login) -> None:
    client = login(world.tom)
    before = client.get(f"/api/care/readiness/{HEDONG}").json()
    assert before["covered"] == 2
    assert client.post(f"/care/officers/{hedong['officer'].pk}/end/").status_code == 302
    after = client.get(f"/api/care/readiness/{HEDONG}").json()
    assert after["covered"] == 1
    assert next(c for c in after["children"] if c["code"] == BOB_UNIT)["covered"] == 0
    services.add_shelter(actor=world.bob, unit_code=BOB_UNIT, name="桥东广场", kind="square", capacity=800, lat=37.7, lng=115.7)
    assert [s["name"] for s in client.get("/api/care/shelters").json()] == ["桥东广场"]
    assert login(world.tina).get("/api/care/shelters").json() == []


def test_it_writes_recipients_with_the_models_defaults(world, hedong, monkeypatch) -> None:
    """The recipient rows take send_count from the model, not from a column list typed at the call site."""
    field = NoticeRecipient._meta.get_field("send_count")
    monkeypatch.setattr(field, "default", 7)
    monkeypatch.setitem(field.__dict__, "_get_default", lambda: 7)  # Field caches its default
    notice = services.send_notice(actor=world.tom, unit_code=HEDONG, kind="flood", title="暴雨预警", body="请转移。")
    counts = set(NoticeRecipient.objects.filter(notice=notice).values_list("send_count", flat=True))
    assert counts == {7} and notice.recipient_count > 0

"""The pages and API as a worker, a township and the city use them."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEntry
from care import services
from care.models import DueVisit, Referral, Visit, VisitRule
from care.periods import today
from care.tests.factories import resident
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, HEDONG, TAOCHENG

HARDSHIP = "special_hardship_elderly"


@pytest.fixture
def plan(world):
    people = [resident(BOB_UNIT, HARDSHIP, name=n) for n in ("王秀英", "李桂兰", "张玉珍")]
    resident(ALICE_UNIT, HARDSHIP, name="赵淑华")
    services.generate_visit_plans(month=today().replace(day=1))
    return people


def form_data(**extra: str) -> dict[str, str]:
    return {"visited_at": (timezone.localtime() - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"), "method": "phone",
            "health": "fair", "home_safety": "good", "living": "good", "mood": "poor", "needs": "送药上门",
            "notes": "血压 160/100，独自服药困难", **extra}


def test_it_shows_a_worker_their_visits_this_month(login, world, plan) -> None:
    page = login(world.bob).get("/care/my/").content.decode()
    assert "王秀英" in page and "李桂兰" in page and "张玉珍" in page
    assert "赵淑华" not in page
    assert "已探访 0 / 应探访 3" in page


def test_it_records_a_visit_from_the_form(login, world, plan) -> None:
    client = login(world.bob)
    person = plan[0]
    assert client.get(f"/care/residents/{person.pk}/visit/").status_code == 200
    response = client.post(f"/care/residents/{person.pk}/visit/", form_data(lat="37.73", lng="115.67"))
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.method, visit.mood, visit.visitor, visit.lat) == ("phone", "poor", world.bob, 37.73)
    assert DueVisit.objects.get(resident=person).visited_on == today()
    history = client.get(f"/care/residents/{person.pk}/").content.decode()
    assert "由 Bob 探访" in history
    assert "✘ 较差" in history  # the trend shows the mood answer
    assert "血压" not in history  # notes masked in the list
    assert "已探访 1 / 应探访 3" in client.get("/care/my/").content.decode()


def test_it_refuses_a_future_visit_on_the_form_and_writes_nothing(login, world, plan) -> None:
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(world.bob).post(f"/care/residents/{plan[0].pk}/visit/", form_data(visited_at=future))
    assert response.status_code == 400
    assert "探访时间不能晚于当前时间" in response.content.decode()
    assert not Visit.objects.exists()


def test_it_audits_opening_a_visits_notes_and_refers_a_finding(login, world, plan) -> None:
    visit = services.record_visit(actor=world.bob, resident=plan[0], visited_at=timezone.now(), method="home", health="poor",
                                  home_safety="good", living="good", mood="good", notes="需要轮椅")
    client = login(world.tom)
    page = client.get(f"/care/visits/{visit.pk}/").content.decode()
    assert "需要轮椅" in page
    assert AuditEntry.objects.filter(action="care.visit_opened", actor=world.tom, object_id=str(visit.pk)).exists()
    response = client.post(f"/care/visits/{visit.pk}/refer/", {"service": "河东街道社会救助服务站", "reason": "申请轮椅"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.service, referral.unit_id) == ("河东街道社会救助服务站", BOB_UNIT)


def test_it_shows_the_township_compliance_with_drill_down_and_export(login, world, plan) -> None:
    services.record_visit(actor=world.bob, resident=plan[0], visited_at=timezone.now(), method="home", health="good",
                          home_safety="good", living="good", mood="good")
    client = login(world.carl)
    county = client.get(f"/care/compliance/{TAOCHENG}/").content.decode()
    assert "河东街道" in county and f"/care/compliance/{HEDONG}/" in county
    township = client.get(f"/care/compliance/{HEDONG}/").content.decode()
    assert "桥东社区" in township and "33%" in township
    pending = client.get(f"/care/compliance/{BOB_UNIT}/pending/").content.decode()
    assert "李桂兰" in pending and "王秀英" not in pending
    response = client.get(f"/care/compliance/{HEDONG}/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1] == ["区划代码", "单位", "应探访人数", "已探访人数", "未探访人数", "月探访率"]
    bob_row = next(r for r in rows if r[0] == BOB_UNIT)
    assert bob_row[2:] == [3, 1, 2, 0.3333]
    assert AuditEntry.objects.filter(action="care.compliance_exported", actor=world.carl).exists()
    assert login(world.dave).get(f"/care/compliance/{HEDONG}/").status_code == 404


def test_it_lets_the_worker_reassign_to_a_volunteer(login, world, plan) -> None:
    due = DueVisit.objects.get(resident=plan[1])
    response = login(world.bob).post(f"/care/due/{due.pk}/assign/", {"worker": "", "volunteer_name": "志愿者刘洋"})
    assert response.status_code == 302
    due.refresh_from_db()
    assert (due.assignee_id, due.volunteer_name) == (None, "志愿者刘洋")


def test_it_lets_only_city_staff_change_the_rules(login, world) -> None:
    response = login(world.cindy).post("/care/rules/", {"tag": "left_behind_child", "frequency": "quarter", "active": "on"})
    assert response.status_code == 302
    assert VisitRule.objects.get(tag="left_behind_child").frequency == "quarter"
    response = login(world.carl).post("/care/rules/", {"tag": "left_behind_child", "frequency": "week", "active": "on"})
    assert response.status_code == 400
    assert VisitRule.objects.get(tag="left_behind_child").frequency == "quarter"


def test_it_answers_the_api_with_the_same_scope(world, plan, client) -> None:
    client.force_login(world.bob)
    due = client.get("/api/care/due").json()
    assert sorted(d["resident_name"] for d in due) == ["张玉珍", "李桂兰", "王秀英"]
    payload = {"visited_at": timezone.now().isoformat(), "method": "video", "health": "good", "home_safety": "good",
               "living": "good", "mood": "good", "notes": "秘密"}
    created = client.post(f"/api/care/residents/{plan[0].pk}/visits", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["has_notes"] is True and "秘密" not in created.content.decode()
    future = {**payload, "visited_at": (timezone.now() + timedelta(days=2)).isoformat()}
    assert client.post(f"/api/care/residents/{plan[0].pk}/visits", future, content_type="application/json").status_code == 400
    rate = client.get(f"/api/care/compliance/{BOB_UNIT}").json()
    assert (rate["visited"], rate["due"]) == (1, 3)
    client.force_login(world.tom)
    township = client.get(f"/api/care/compliance/{HEDONG}").json()
    assert next(c for c in township["children"] if c["code"] == BOB_UNIT)["visited"] == 1


def test_it_works_for_a_resident_without_care_pages(login, world) -> None:
    assert login(world.rita).get("/care/my/").status_code == 200
    assert login(world.rita).get(f"/care/compliance/{ALICE_UNIT}/").status_code == 404


@pytest.mark.skipif(not services.appeals_available(), reason="the appeals module is not installed")
def test_it_files_a_service_request_from_a_finding_in_one_tap(login, world, plan) -> None:
    from appeals.models import Appeal

    visit = services.record_visit(actor=world.bob, resident=plan[0], visited_at=timezone.now(), method="home", health="poor",
                                  home_safety="poor", living="good", mood="good")
    form = login(world.bob).get(f"/care/visits/{visit.pk}/").content.decode()
    assert 'value="elderly_care" selected' in form
    response = login(world.bob).post(f"/care/visits/{visit.pk}/refer/", {"category": "elderly_care", "reason": "燃气灶老化，需更换"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    appeal = Appeal.objects.get(pk=referral.appeal_id)
    assert (appeal.unit_id, appeal.resident_id) == (BOB_UNIT, plan[0].pk)
    assert "燃气灶老化" in appeal.description


def test_it_refers_to_a_named_service_and_refuses_an_empty_reason(world, plan) -> None:
    from django.core.exceptions import ValidationError

    visit = services.record_visit(actor=world.bob, resident=plan[0], visited_at=timezone.now(), method="home", health="good",
                                  home_safety="good", living="good", mood="good")
    with pytest.raises(ValidationError, match="事由"):
        services.refer_finding(actor=world.bob, visit=visit, service="卫生院", reason=" ")
    with pytest.raises(ValidationError, match="管辖范围"):
        services.refer_finding(actor=world.alice, visit=visit, service="卫生院", reason="x")
    assert not Referral.objects.exists()
    services.refer_finding(actor=world.bob, visit=visit, service="河东街道卫生院", reason="慢病随访")
    assert Referral.objects.get().appeal_id is None


def test_it_keeps_list_pages_to_a_fixed_number_of_queries(login, world, django_assert_max_num_queries) -> None:
    for i in range(30):
        resident(BOB_UNIT, HARDSHIP, name=f"居民{i}")
    services.generate_visit_plans(month=today().replace(day=1))
    bob = login(world.bob)
    with django_assert_max_num_queries(12):
        assert bob.get("/care/my/").status_code == 200
    with django_assert_max_num_queries(12):
        assert bob.get(f"/care/compliance/{BOB_UNIT}/pending/").status_code == 200
    tom = login(world.tom)
    with django_assert_max_num_queries(14):
        assert tom.get(f"/care/compliance/{HEDONG}/").status_code == 200
    with django_assert_max_num_queries(16):
        assert tom.get(f"/care/emergency/{HEDONG}/").status_code == 200
    carl = login(world.carl)
    with django_assert_max_num_queries(16):
        assert carl.get(f"/care/emergency/{TAOCHENG}/").status_code == 200


def test_it_shows_each_role_its_care_links(world) -> None:
    from care.nav import items

    def labels(user):
        return [i["label"] for i in items(user)]

    assert labels(world.bob) == ["我的探访", "探访达标", "应急"]
    assert labels(world.tom) == ["探访达标", "应急", "应急通知"]
    assert "探访规则" in labels(world.cindy)
    assert labels(world.erin) == [] and labels(world.sam) == [] and labels(world.rita) == []


def test_it_keeps_visit_photos_behind_the_scope(login, world, plan, settings, tmp_path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    photo = SimpleUploadedFile("door.png", buffer.getvalue(), content_type="image/png")
    client = login(world.bob)
    assert client.post(f"/care/residents/{plan[0].pk}/visit/", {**form_data(), "photos": photo}).status_code == 302
    visit = Visit.objects.get()
    stored = visit.photos.get()
    response = client.get(f"/care/visits/{visit.pk}/photos/{stored.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert AuditEntry.objects.filter(action="care.photo_opened", actor=world.bob).exists()
    assert login(world.alice).get(f"/care/visits/{visit.pk}/photos/{stored.pk}/").status_code == 404
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    assert login(world.bob).post(f"/care/residents/{plan[1].pk}/visit/", {**form_data(), "photos": bad}).status_code == 400
    assert Visit.objects.count() == 1


def test_it_starts_the_visit_checks_unset_and_asks_for_each(login, world, plan) -> None:
    client = login(world.bob)
    person = plan[0]
    page = client.get(f"/care/residents/{person.pk}/visit/").content.decode()
    for name in ("health", "home_safety", "living", "mood"):
        radios = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert len(radios) >= 3 and not any("checked" in r for r in radios), name
    data = {k: v for k, v in form_data().items() if k not in ("health", "mood")}
    refused = client.post(f"/care/residents/{person.pk}/visit/", data).content.decode()
    assert "请按实际情况选择身体状况" in refused and "请按实际情况选择精神状态" in refused and "请修改以下" in refused
    assert not Visit.objects.exists()

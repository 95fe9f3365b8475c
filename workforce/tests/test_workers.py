"""Community workers and trainings: services (scope, validation, audit) and pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from people.crypto import decrypt, search_hash
from places.models import OrgUnit
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, CITY, World
from workforce import services
from workforce.models import CommunityWorker, TrainingAttendance
from workforce.tests.factories import training, worker


def _year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


@pytest.mark.django_db
def test_it_adds_a_worker_with_the_phone_encrypted_and_audited(world: World) -> None:
    w = services.add_worker(actor=world.bob, unit=_unit(BOB_UNIT), name="张三", gender="M", position="secretary",
                            started_on=dt.date(2024, 5, 1), phone="13912345678")
    assert w.phone_masked == "139****5678"
    assert decrypt(w.phone_enc) == "13912345678" and w.phone_hash == search_hash("13912345678")
    assert "13912345678" not in str(CommunityWorker.objects.values().get(pk=w.pk).values())
    entry = AuditEntry.objects.get(action="workforce.add_worker")
    assert entry.unit_code == BOB_UNIT and "13912345678" not in str(entry.detail)


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "message"), [
    ({"name": " "}, "请填写姓名"),
    ({"phone": "12345"}, "11位手机号码"),
    ({"position": "boss"}, "请选择岗位"),
    ({"started_on": dt.date(2099, 1, 1)}, "任职日期不能晚于今天"),
])
def test_it_refuses_bad_input_and_writes_nothing(world: World, changes: dict, message: str) -> None:
    fields = {"name": "张三", "gender": "M", "position": "full_time", "started_on": dt.date(2024, 5, 1), "phone": ""}
    with pytest.raises(ValidationError, match=message):
        services.add_worker(actor=world.bob, unit=_unit(BOB_UNIT), **{**fields, **changes})
    assert not CommunityWorker.objects.exists() and not AuditEntry.objects.filter(action__startswith="workforce").exists()


@pytest.mark.django_db
def test_it_refuses_a_unit_outside_the_actors_scope(world: World) -> None:
    with pytest.raises(ValidationError, match="无权"):
        services.add_worker(actor=world.alice, unit=_unit(BOB_UNIT), name="张三", gender="M", position="full_time",
                            started_on=dt.date(2024, 5, 1))
    assert not CommunityWorker.objects.exists()


@pytest.mark.django_db
def test_it_allows_one_serving_secretary_and_director(world: World) -> None:
    worker(BOB_UNIT, "secretary_director", name="一人兼")
    for position, message in (("secretary", "已有在任党组织书记"), ("director", "已有在任居（村）委会主任")):
        with pytest.raises(ValidationError, match=message):
            services.add_worker(actor=world.bob, unit=_unit(BOB_UNIT), name="李四", gender="F", position=position,
                                started_on=dt.date(2024, 5, 1))


@pytest.mark.django_db
def test_it_updates_and_ends_a_worker(world: World) -> None:
    w = worker(BOB_UNIT, "committee_member")
    services.update_worker(actor=world.tom, worker=w, changes={"position": "director", "phone": "13800000000"})
    w.refresh_from_db()
    assert w.position == "director" and w.phone_masked == "138****0000"
    with pytest.raises(ValidationError, match="离任日期不能早于任职日期"):
        services.end_worker(actor=world.bob, worker=w, ended_on=dt.date(2019, 1, 1))
    services.end_worker(actor=world.bob, worker=w, ended_on=dt.date(2026, 1, 1))
    w.refresh_from_db()
    assert w.ended_on == dt.date(2026, 1, 1)
    with pytest.raises(ValidationError, match="已离任"):
        services.update_worker(actor=world.bob, worker=w, changes={"name": "改"})
    assert list(AuditEntry.objects.filter(action__startswith="workforce").order_by("pk").values_list("action", flat=True)) == [
        "workforce.update_worker", "workforce.end_worker"]


@pytest.mark.django_db
def test_it_records_training_and_attendance(world: World) -> None:
    city_course = training(CITY, starts=dt.date(2025, 3, 1), ends=dt.date(2025, 3, 3))
    w = worker(BOB_UNIT, "secretary")
    services.record_attendance(actor=world.bob, training=city_course, worker=w, completed=True)
    services.record_attendance(actor=world.bob, training=city_course, worker=w, completed=True)  # no change
    assert TrainingAttendance.objects.get().completed
    assert AuditEntry.objects.filter(action="workforce.record_attendance", unit_code=BOB_UNIT).count() == 1
    late = worker(BOB_UNIT, "full_time", name="新人", started=dt.date(2025, 6, 1))
    with pytest.raises(ValidationError, match="培训期间不在岗"):
        services.record_attendance(actor=world.bob, training=city_course, worker=late, completed=True)
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        services.record_training(actor=world.bob, unit=_unit(BOB_UNIT), title="x", level="district", kind="rotation",
                                 starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 1))
    t = services.record_training(actor=world.bob, unit=_unit(BOB_UNIT), title="社区自办业务培训", level="district",
                                 kind="business", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 1))
    assert t.created_by == world.bob
    alice_worker = worker(ALICE_UNIT, "secretary")
    with pytest.raises(ValidationError, match="无权"):
        services.record_attendance(actor=world.alice, training=t, worker=alice_worker, completed=True)


@pytest.mark.django_db
def test_it_lists_workers_with_filters_and_masked_phones(world: World, login) -> None:
    services.add_worker(actor=world.bob, unit=_unit(BOB_UNIT), name="张书记", gender="M", position="secretary",
                        started_on=dt.date(2024, 5, 1), phone="13912345678")
    worker(BOB_UNIT, "building_leader", name="楼长甲")
    worker(BOB_UNIT, "full_time", name="已走乙", ended=dt.date(2025, 1, 1))
    client = login(world.tom)
    body = client.get(f"/workforce/units/{BOB_UNIT[:9]}000/").content.decode()
    assert "张书记" in body and "楼长甲" in body and "已走乙" not in body
    assert "139****5678" in body and "13912345678" not in body
    body = client.get(f"/workforce/units/{BOB_UNIT}/?position=secretary&status=in_post").content.decode()
    assert "张书记" in body and "楼长甲" not in body
    assert "已走乙" in client.get(f"/workforce/units/{BOB_UNIT}/?status=ended").content.decode()


@pytest.mark.django_db
def test_it_adds_edits_and_ends_through_the_pages(world: World, login) -> None:
    client = login(world.bob)
    response = client.post(f"/workforce/units/{BOB_UNIT}/new/", {"name": "王主任", "gender": "F", "position": "director",
                                                                 "phone": "13900001111", "started_on": "2024-02-01"})
    w = CommunityWorker.objects.get(name="王主任")
    assert response.status_code == 302 and w.phone_masked == "139****1111"
    bad = client.post(f"/workforce/units/{BOB_UNIT}/new/", {"name": "第二主任", "gender": "F", "position": "director",
                                                           "started_on": "2024-02-01"})
    assert bad.status_code == 400 and "已有在任居（村）委会主任" in bad.content.decode()
    client.post(f"/workforce/workers/{w.pk}/edit/", {"name": "王主任", "gender": "F", "position": "director",
                                                      "phone": "", "started_on": "2024-02-01"})
    w.refresh_from_db()
    assert w.phone_masked == "139****1111"  # blank phone keeps the old one
    client.post(f"/workforce/workers/{w.pk}/end/", {"ended_on": "2026-01-01"})
    w.refresh_from_db()
    assert w.ended_on == dt.date(2026, 1, 1)


@pytest.mark.django_db
def test_it_records_attendance_through_the_training_page(world: World, login) -> None:
    client = login(world.bob)
    w = worker(BOB_UNIT, "secretary", name="书记丙")
    response = client.post("/workforce/trainings/new/", {"title": "区级轮训班", "level": "district", "kind": "rotation",
                                                          "starts_on": "2026-03-01", "ends_on": "2026-03-03",
                                                          "unit": BOB_UNIT})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "书记丙" in page
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    client.post(f"/workforce/trainings/{pk}/attendance/", {"worker": w.pk, "completed": "on", "unit": BOB_UNIT})
    assert TrainingAttendance.objects.get(worker=w).completed
    assert "区级轮训班" in client.get("/workforce/trainings/").content.decode()
    assert "区级轮训班" in client.get(f"/workforce/workers/{w.pk}/").content.decode()


@pytest.mark.django_db
def test_it_shows_the_subtree_summary(world: World, login) -> None:
    from workforce.tests.factories import attend, residents

    residents(BOB_UNIT, 1000)
    sec = worker(BOB_UNIT, "secretary_director")
    worker(BOB_UNIT, "full_time", name="专职")
    attend(sec, training(CITY, starts=dt.date(_year(), 1, 1), ends=dt.date(_year(), 1, 1)))
    body = login(world.carl).get("/workforce/units/131102000000/summary/").content.decode()
    assert "河东街道" in body and "20.0" in body and "100%" in body


@pytest.mark.django_db
def test_it_serves_the_api_with_masked_phones(world: World, login) -> None:
    services.add_worker(actor=world.bob, unit=_unit(BOB_UNIT), name="张书记", gender="M", position="secretary",
                        started_on=dt.date(2024, 5, 1), phone="13912345678")
    client = login(world.bob)
    data = client.get("/api/workforce/workers?in_post=true").json()
    assert data["count"] == 1 and data["results"][0]["phone_masked"] == "139****5678"
    assert "13912345678" not in client.get(f"/api/workforce/workers/{data['results'][0]['id']}").content.decode()


@pytest.mark.django_db
def test_it_shows_nav_links_only_to_unit_staff(world: World) -> None:
    from workforce.nav import items

    assert [i["label"] for i in items(world.bob)] == ["社区工作者", "队伍统计"]
    assert items(world.erin) == [] and items(world.rita) == [] and items(world.sam) == []


@pytest.mark.django_db
def test_it_lists_many_workers_in_a_fixed_number_of_queries(world: World, login) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.tom)
    url = f"/workforce/units/{BOB_UNIT[:9]}000/"
    worker(BOB_UNIT, "full_time", name="甲")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        worker(BOB_UNIT, "full_time", name=f"乙{i}")
    with CaptureQueriesContext(connection) as many:
        assert "乙29" in client.get(url).content.decode()
    assert len(many) == len(few)


@pytest.mark.django_db
def test_it_shows_the_training_rate_on_the_home_page(world: World, login) -> None:
    from workforce.nav import cards
    from workforce.tests.factories import attend

    attend(worker(BOB_UNIT, "secretary"), training(CITY, starts=dt.date(_year(), 1, 1), ends=dt.date(_year(), 1, 1)))
    worker(BOB_UNIT, "director", name="主任")
    assert cards(world.bob)[0]["value"] == "50%"
    assert cards(world.alice)[0]["value"] == "—" and cards(world.erin) == []

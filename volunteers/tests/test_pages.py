"""The pages a user sees: staff lists with masked IDs and hours, a resident's registration, sign-up and check-in."""

import datetime as dt

import pytest
from django.utils import timezone

from people.tests.factories import id_number, resident
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, World
from volunteers import services
from volunteers.models import SignUp, Volunteer
from volunteers.tests.factories import activity, imported_hours, volunteer


@pytest.mark.django_db
def test_it_lists_volunteers_with_masked_ids_hours_and_stars(world: World, login) -> None:
    number = id_number()
    person = volunteer(world.bob, name="列表志愿者", id_number=number)
    imported_hours(person, 60, days_ago=10)
    imported_hours(person, 60, days_ago=10)  # the same stretch again: counted once
    imported_hours(person, 50, days_ago=20)
    page = login(world.bob).get("/volunteers/").content.decode()
    assert "列表志愿者" in page and number[:6] + "*" * 12 in page and number not in page
    assert "110.00" in page and "一星" in page


@pytest.mark.django_db
def test_it_shows_a_resident_no_staff_list(world: World, login) -> None:
    volunteer(world.bob, name="别人")
    assert login(world.rita).get("/volunteers/").status_code == 404


@pytest.mark.django_db
def test_it_lets_a_resident_register_on_the_phone_page(world: World, login) -> None:
    client = login(world.rita)
    form = client.get("/volunteers/register/").content.decode()
    assert 'name="consent"' in form and "<script>" not in form
    data = {"name": "丽塔", "id_type": "id_card", "id_number": id_number(area="110101"), "phone": "13700001111",
            "unit_code": ALICE_UNIT, "categories": ["children"], "availability": ["sat_am"]}
    refused = client.post("/volunteers/register/", data)
    assert refused.status_code == 400 and "同意记录和公示" in refused.content.decode()
    assert not Volunteer.objects.exists()
    response = client.post("/volunteers/register/", {**data, "consent": "on"})
    assert response.status_code == 302
    v = Volunteer.objects.get(account=world.rita)
    assert (v.name, v.unit_id, v.categories, v.availability) == ("丽塔", ALICE_UNIT, ["children"], ["sat_am"])
    assert "丽塔" in client.get("/volunteers/me/").content.decode()


@pytest.mark.django_db
def test_it_takes_a_registered_residents_name_and_id_from_the_register(world: World, login) -> None:
    person = resident(ALICE_UNIT, name="档案里的人")
    person.account = world.rita
    person.save()
    client = login(world.rita)
    assert 'name="id_number"' not in client.get("/volunteers/register/").content.decode()
    client.post("/volunteers/register/", {"phone": "", "unit_code": ALICE_UNIT, "consent": "on"})
    assert Volunteer.objects.get(account=world.rita).resident == person


@pytest.mark.django_db
def test_it_shows_a_resident_the_activities_of_their_own_community_and_signs_them_up(world: World, login) -> None:
    own = activity(world.alice, ALICE_UNIT, title="游园活动", capacity=1)
    activity(world.bob, BOB_UNIT, title="桥东活动")
    v = volunteer(world.alice, ALICE_UNIT)
    v.account = world.rita
    v.save()
    client = login(world.rita)
    page = client.get("/volunteers/activities/").content.decode()
    assert "游园活动" in page and "桥东活动" not in page
    client.post(f"/volunteers/activities/{own.pk}/signup/")
    assert SignUp.objects.get(activity=own, volunteer=v).status == "confirmed"
    assert "您已报名" in client.get(f"/volunteers/activities/{own.pk}/").content.decode()


@pytest.mark.django_db
def test_it_checks_a_volunteer_in_from_the_scanned_code(world: World, login) -> None:
    start = (timezone.now() - dt.timedelta(minutes=10)).replace(microsecond=0)
    event = services.create_activity(actor=world.bob, data={
        "unit_code": BOB_UNIT, "title": "正在进行", "category": "community", "target_group": "all", "place": "广场",
        "starts_at": start, "ends_at": start + dt.timedelta(hours=2), "capacity": 3})
    v = volunteer(world.bob)
    v.account = world.rita
    v.save()
    services.sign_up(actor=world.bob, activity=event, volunteer=v)
    code_page = login(world.bob).get(f"/volunteers/activities/{event.pk}/code/").content.decode()
    assert "<svg" in code_page and "<script>" not in code_page
    code = services.checkin_code(event, "in")
    client = login(world.rita)
    assert code in client.get(f"/volunteers/checkin/?code={code}").content.decode()
    assert client.post("/volunteers/checkin/", {"code": code, "kind": "in"}).status_code == 302
    again = client.post("/volunteers/checkin/", {"code": code, "kind": "in"})
    assert again.status_code == 400 and "不能重复签到" in again.content.decode()
    forged = client.post("/volunteers/checkin/", {"code": code[:-3] + "abc", "kind": "in"})
    assert forged.status_code == 400 and "签到码无效" in forged.content.decode()


@pytest.mark.django_db
def test_it_answers_the_api_with_masked_ids_and_hours(world: World, login) -> None:
    number = id_number()
    person = volunteer(world.bob, id_number=number)
    imported_hours(person, 2.5)
    body = login(world.bob).get(f"/api/volunteers/volunteers/{person.pk}").json()
    assert body["hours"] == 2.5 and body["id_number_masked"] == number[:6] + "*" * 12
    assert login(world.alice).get(f"/api/volunteers/volunteers/{person.pk}").status_code == 404
    refused = login(world.rita).post("/api/volunteers/checkin", {"code": "nope", "kind": "in"},
                                     content_type="application/json")
    assert refused.status_code == 422 and "签到码无效" in refused.json()["detail"]

"""F13: registering a resident is no free oracle of who is registered anywhere in the city.

Inside the worker's own scope a duplicate is named (where, whom); outside it the answer points to the move-in
procedure (迁入), and every such refusal, every move-in attempt and every import row hitting another community's
record is a look-up: audited and limited per user (PEOPLE_MOVE_IN_LOOKUPS_PER_DAY).
"""

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry
from people import crypto, services
from people.models import Resident
from people.tests.factories import id_number, resident
from people.tests.io_helpers import book, jobs_inline, person  # noqa: F401
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

pytestmark = pytest.mark.django_db


def register(client, number: str, unit: str = ALICE_UNIT, name: str = "新登记"):
    return client.post("/people/residents/new/", {"name": name, "id_type": "id_card", "id_number": number,
                                                  "unit_code": unit, "relation": "other", "registered_here": "on"})


def lookups(user) -> list[dict]:
    return list(AuditEntry.objects.filter(actor=user, action="people.move_in_lookup").order_by("at", "id")
                .values_list("detail", flat=True))


def test_it_names_a_duplicate_inside_the_scope_and_points_to_move_in_outside_it(world, login) -> None:
    mine = resident(ALICE_UNIT, name="游园老住户")
    theirs = resident(BOB_UNIT, name="桥东老住户")
    client = login(world.alice)
    inside = register(client, crypto.decrypt(mine.id_number_enc)).content.decode()
    assert "该证件号码已登记" in inside and "游园社区" in inside and lookups(world.alice) == []
    outside = register(client, crypto.decrypt(theirs.id_number_enc))
    body = outside.content.decode()
    assert outside.status_code == 400 and "迁入" in body and "该证件号码已登记" not in body and "桥东" not in body
    assert lookups(world.alice) == [{"purpose": "register", "count": 1, "refused": 0}]
    # The API gives the same answer, and an edit to that number counts the same way.
    response = login(world.alice).post("/api/people/residents", {"name": "新登记", "id_number": crypto.decrypt(
        theirs.id_number_enc), "unit_code": ALICE_UNIT}, content_type="application/json")
    assert response.status_code == 422 and "迁入" in response.json()["errors"]["id_number"]
    response = login(world.alice).patch(f"/api/people/residents/{mine.pk}", {
        "id_number": crypto.decrypt(theirs.id_number_enc)}, content_type="application/json")
    assert response.status_code == 422 and len(lookups(world.alice)) == 3
    assert Resident.objects.count() == 2


def test_it_limits_move_in_look_ups_per_user_and_says_so(world, login, settings) -> None:
    settings.PEOPLE_MOVE_IN_LOOKUPS_PER_DAY = 2
    theirs = resident(BOB_UNIT, name="桥东老住户")
    number = crypto.decrypt(theirs.id_number_enc)
    client = login(world.alice)
    wrong = {"id_number": number, "name": "别人", "to_unit_code": ALICE_UNIT, "moved_on": "2024-06-01"}
    assert "未找到" in client.post("/people/residents/move-in/", wrong).content.decode()
    assert "迁入" in register(client, number).content.decode()
    # The third look-up in 24 hours is refused, whatever it asks; even the right name moves no one.
    limited = client.post("/people/residents/move-in/", {**wrong, "name": "桥东老住户"})
    assert limited.status_code == 400 and "已达上限" in limited.content.decode()
    assert Resident.objects.get(pk=theirs.pk).unit_id == BOB_UNIT
    assert "已达上限" in register(client, number).content.decode()
    assert [d["refused"] for d in lookups(world.alice)] == [0, 0, 1, 1]
    # Others are not affected, and the limit is per 24 hours.
    assert "未找到" in login(world.tina).post("/people/residents/move-in/", wrong).content.decode()
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=1, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        services.move_in(actor=world.alice, id_number=number, name="桥东老住户", to_unit_code=ALICE_UNIT,
                         moved_on=dt.date(2024, 6, 1))
    assert Resident.objects.get(pk=theirs.pk).unit_id == ALICE_UNIT


def test_it_does_not_name_rows_beyond_the_limit_in_an_import(world, login, settings, jobs_inline) -> None:  # noqa: F811
    from web.models import Job

    settings.PEOPLE_MOVE_IN_LOOKUPS_PER_DAY = 1
    elsewhere = [resident(BOB_UNIT, name=f"桥东{'甲乙丙'[n]}", birth=dt.date(1950 + n, 1, 1)) for n in range(3)]
    rows = [person(9000 + n, unit=ALICE_UNIT) for n in range(4)]
    for row, other in zip(rows, elsewhere, strict=False):
        row["证件号码"] = crypto.decrypt(other.id_number_enc)
        row["出生日期"] = other.birth_date.isoformat()
    login(world.alice).post("/people/import/", {"file": SimpleUploadedFile("a.xlsx", book(rows)), "dry_run": "1"})
    errors = Job.objects.get(owner=world.alice).params["errors"]
    text = str(errors)
    assert text.count("迁入") == 2 and "已达上限" in text  # one row named (the allowance), then one line for the rest
    assert lookups(world.alice) == [{"purpose": "import", "count": 1, "refused": 2}]


def test_it_keeps_a_number_registered_by_the_operator_anywhere_named(tree) -> None:
    from django.core.exceptions import ValidationError

    number = id_number()
    services.create_resident(actor=None, data={"name": "甲", "id_number": number, "unit_code": BOB_UNIT})
    with pytest.raises(ValidationError) as exc:
        services.create_resident(actor=None, data={"name": "乙", "id_number": number, "unit_code": ALICE_UNIT})
    assert "桥东" in exc.value.message_dict["id_number"][0]

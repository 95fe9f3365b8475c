"""F15: restricted tags (社区矫正对象 …) reach no one without the right — not through the history, not anywhere.

Records carrying every restricted tag are planted and edited by a worker who holds the right (adding, removing,
mixed with ordinary changes); then every register page, export and API answer is swept as users without the right
(the community worker, the township, the county, the city) for any restricted label or code.
"""

import datetime as dt
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from accounts.models import AuditEntry, User
from accounts.roles import Role
from people import services
from people.models import Household, Resident, ResidentEvent
from people.tags import RESTRICTED_TAGS, Tag
from people.tests.factories import id_number
from shequ.testing.rights import grant
from shequ.testing.world import BOB_UNIT

pytestmark = pytest.mark.django_db

SECRETS = [Tag(t).label for t in RESTRICTED_TAGS] + [str(t.value) for t in RESTRICTED_TAGS]


def holder(world: Any) -> User:
    """A worker of bob's community who holds the right to see restricted tags."""
    user = User.objects.create(username="rex", role=Role.COMMUNITY_WORKER, unit=world.unit(BOB_UNIT), display_name="Rex")
    return grant(user, "view_restricted_tags")


def plant(world: Any, login: Any) -> list[Resident]:
    rex = holder(world)
    home = services.create_household(actor=rex, unit_code=BOB_UNIT, data={"number": "R-1", "address": "桥东小区1号"})
    people = []
    for n, tag in enumerate(sorted(RESTRICTED_TAGS)):
        people.append(services.create_resident(actor=rex, data={
            "name": f"受限{'甲乙丙丁'[n]}", "id_number": id_number(dt.date(1970 + n, 1, 2), "M"), "unit_code": BOB_UNIT,
            "phone": f"1390000000{n}", "tags": ["disabled", tag], "household_id": home.pk,
            "tag_details": {"disabled": {"category": "physical", "grade": 3}}}))
    first, second, third, fourth = people
    # Through the edit page: a name change with a restricted tag added (a mixed entry) …
    login(rex).post(f"/people/residents/{first.pk}/edit/", {
        "name": "受限甲改", "id_type": "id_card", "relation": "other", "registered_here": "on",
        "tags": ["disabled", str(Tag.COMMUNITY_CORRECTIONS), str(Tag.RELEASED_PRISONER)], "disability_category": "physical",
        "disability_grade": "3"})
    assert Resident.objects.get(pk=first.pk).name == "受限甲改"
    # … only restricted changes (one added, one taken away), through the API …
    tags = [t.tag for t in second.tags.all()]
    client = login(rex)
    client.patch(f"/api/people/residents/{second.pk}", {"tags": [*[t for t in tags if t in RESTRICTED_TAGS and t != Tag.DRUG_REHAB],
                                                                  "disabled", str(Tag.SEVERE_MENTAL_DISORDER)],
                                                         "tag_details": {"disabled": {"category": "physical", "grade": 3}}},
                 content_type="application/json")
    # … a restricted tag removed together with an ordinary one added, and a status change and a move.
    services.update_resident(actor=rex, resident=third, data={
        "tags": ["disabled", "unemployed"], "tag_details": {"disabled": {"category": "physical", "grade": 3}}})
    services.set_status(actor=rex, resident=fourth, status=Resident.Status.DECEASED, on=dt.date(2025, 6, 1))
    services.move_resident(actor=rex, resident=second, to_unit_code="131102002019", moved_on=dt.date(2025, 7, 1))
    assert ResidentEvent.objects.exclude(restricted_summary="").count() >= 3
    return people


def sheet_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c)


def sweep(client: Any, people: list[Resident]) -> dict[str, str]:
    """Every register page, export and API answer about the planted records, as text."""
    household = Household.objects.get(number="R-1")
    urls = ["/people/residents/", "/people/residents/?status=", "/people/residents/?status=deceased",
            "/people/residents/new/", "/people/residents/move-in/", "/people/households/", "/people/moves/",
            f"/people/households/{household.pk}/", f"/people/households/{household.pk}/edit/",
            "/people/import/", "/people/jobs/", "/api/people/residents?status=", "/api/people/households",
            f"/api/people/households/{household.pk}", "/api/people/moves"]
    urls += [f"/people/residents/?tag={t}&status=" for t in sorted(RESTRICTED_TAGS)]
    urls += [f"/api/people/residents?tag={t}&status=" for t in sorted(RESTRICTED_TAGS)]
    for person in people:
        urls += [f"/people/residents/{person.pk}/", f"/people/residents/{person.pk}/edit/",
                 f"/people/residents/{person.pk}/move/", f"/people/residents/{person.pk}/status/",
                 f"/api/people/residents/{person.pk}"]
    answers = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        # A filter by a restricted code answers as if nothing matched; the page may echo the code the user typed.
        answers[url] = response.content.decode().replace(url.partition("?")[2].replace("&", "&amp;"), "")
    export = client.get("/people/export/", {"status": ""})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    answers["/people/export/"] = sheet_text(export.content)
    return answers


def test_it_shows_no_restricted_label_anywhere_to_users_without_the_right(world, login) -> None:
    people = plant(world, login)
    for user in (world.bob, world.tom, world.carl, world.cindy):
        answers = sweep(login(user), people)
        assert "受限甲改" in answers[f"/people/residents/{people[0].pk}/"]  # the sweep sees the records …
        assert "残疾" in answers["/people/export/"]  # … and their ordinary tags
        for url, text in answers.items():
            for secret in SECRETS:
                assert secret not in text, f"{user.username} reads {secret} at {url}"


def test_it_shows_the_restricted_history_to_those_with_the_right(world, login) -> None:
    people = plant(world, login)
    rex = User.objects.get(username="rex")
    body = login(rex).get(f"/people/residents/{people[0].pk}/").content.decode()
    assert "添加刑满释放人员" in body and "姓名" in body
    body = login(rex).get(f"/people/residents/{people[2].pk}/").content.decode()
    assert f"取消{Tag(sorted(RESTRICTED_TAGS)[2]).label}" in body and "添加失业" in body
    # Bob sees the same entries without the restricted part, and none of those that were only about it.
    bob = login(world.bob).get(f"/people/residents/{people[2].pk}/").content.decode()
    assert "添加失业" in bob
    history = {e.summary for e in ResidentEvent.objects.filter(resident=people[1], kind="updated")}
    assert history == {""}  # the API change was only about restricted tags: nothing for others to read


def test_it_stores_restricted_changes_apart_from_the_summary_and_the_audit_detail(world, login) -> None:
    plant(world, login)
    for event in ResidentEvent.objects.all():
        assert not any(secret in event.summary for secret in SECRETS), event.summary
    for entry in AuditEntry.objects.filter(action__startswith="people."):
        assert not any(secret in json.dumps(entry.detail, ensure_ascii=False) for secret in SECRETS), entry.detail


def test_it_moves_restricted_labels_out_of_old_summaries_in_the_migration(world) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("people.migrations.0007_resident_event_restricted_summary")
    person = services.create_resident(actor=None, data={"name": "旧履历", "id_number": id_number(), "unit_code": BOB_UNIT})
    mixed = ResidentEvent.objects.create(resident=person, kind="updated", summary="修改：姓名、添加社区矫正对象、添加独居")
    only = ResidentEvent.objects.create(resident=person, kind="updated", summary="修改：取消严重精神障碍患者")
    plain = ResidentEvent.objects.create(resident=person, kind="updated", summary="修改：现住址")
    migration.move_restricted(apps, None)
    mixed.refresh_from_db()
    only.refresh_from_db()
    plain.refresh_from_db()
    assert (mixed.summary, mixed.restricted_summary) == ("修改：姓名、添加独居", "修改：添加社区矫正对象")
    assert (only.summary, only.restricted_summary) == ("", "修改：取消严重精神障碍患者")
    assert (plain.summary, plain.restricted_summary) == ("修改：现住址", "")
    assert set(migration.RESTRICTED_LABELS) == {Tag(t).label for t in RESTRICTED_TAGS}  # frozen, and still the same


def test_it_clears_the_restricted_history_when_a_record_is_anonymised(world, login) -> None:
    people = plant(world, login)
    services.anonymise(Resident.objects.get(pk=people[0].pk))
    assert not ResidentEvent.objects.filter(resident=people[0]).exclude(restricted_summary="").exists()

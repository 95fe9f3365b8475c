"""PostgreSQL files a request in one statement; the rows must be the ORM writer's, column for column."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts.models import AuditEntry, User
from accounts.roles import Role
from appeals import services
from appeals.models import Appeal, Deadline, Event
from appeals.services import common
from appeals.services import filing as filing_service
from appeals.tests.helpers import file, resident_for
from people.crypto import decrypt
from shequ.testing.world import BOB_UNIT
from web.models import Notification
from web.notify import LocmemSMSBackend

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement writer is PostgreSQL's"),
]

FILED_AT = datetime(2026, 11, 27, 10, 15, 30, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Friday morning


def _row(obj: Any, *skip: str) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if f.attname not in ("id", "appeal_id", *skip)}


def _written(appeal: Appeal) -> dict[str, Any]:
    """Everything a filing wrote, with its own tracking number and id written as placeholders."""
    def own(text: str) -> str:
        return text.replace(appeal.tracking_no, "<no>").replace(f"/{appeal.pk}/", "/<id>/")

    audit = AuditEntry.objects.get(action="appeals.file", object_id=str(appeal.pk))
    return {
        "appeal": _row(appeal, "tracking_no", "token", "updated_at", "phone_enc") | {"phone": decrypt(appeal.phone_enc)},
        "deadlines": sorted((d.kind, d.unit_id, d.due_at, d.paused_at, d.met_at, d.cancelled_at, d.escalated_at)
                            for d in Deadline.objects.filter(appeal=appeal)),
        "events": [_row(e) for e in Event.objects.filter(appeal=appeal)],
        "audit": _row(audit, "at", "object_id"),
        "notices": sorted((n.user_id, own(n.title), n.body, own(n.url), n.kind, n.read_at)
                          for n in Notification.objects.filter(url__contains=f"/{appeal.pk}/")),
        "sms": sorted(own(text) for _, text in LocmemSMSBackend.outbox if appeal.tracking_no in text),
    }


def assert_same_rows(in_one: Appeal, by_orm: Appeal) -> None:
    one, orm = _written(in_one), _written(by_orm)
    for part in orm:
        if isinstance(orm[part], dict):
            differing = {k: (one[part].get(k), v) for k, v in orm[part].items() if one[part].get(k) != v}
            assert not differing and one[part].keys() == orm[part].keys(), (part, differing)
        assert one[part] == orm[part], part


def _both(monkeypatch: pytest.MonkeyPatch, filing: Any) -> tuple[Appeal, Appeal]:
    monkeypatch.setattr(common, "now", lambda: FILED_AT)
    monkeypatch.setattr(filing_service, "FILE_IN_ONE_STATEMENT", True)
    in_one = filing()
    monkeypatch.setattr(filing_service, "FILE_IN_ONE_STATEMENT", False)
    # The same request is filed by both writers on purpose: the repeat check would (rightly) refuse the second.
    monkeypatch.setattr(filing_service, "refuse_repeat", lambda **_: None)
    by_orm = filing()
    return Appeal.objects.get(pk=in_one.pk), Appeal.objects.get(pk=by_orm.pk)


@pytest.fixture
def bystanders(world) -> None:
    """People at bob's community who must not hear of a new request: a former worker and a resident."""
    User.objects.create(username="gone", role=Role.COMMUNITY_WORKER, unit_id=BOB_UNIT, is_active=False)
    User.objects.create(username="neighbour", role=Role.RESIDENT, unit_id=BOB_UNIT)


@pytest.mark.django_db
def test_an_open311_filing_writes_what_the_orm_writes(world, bystanders, monkeypatch) -> None:
    client, _ = services.issue_api_client(actor=None, name="市民热线 App")

    def filing() -> Appeal:
        return services.file_appeal(actor=None, api_client=client, channel="open311", category_code="municipal",
                                    description="路灯坏了<script>x</script>", unit_code=BOB_UNIT, location_kind="point",
                                    lat=37.7391234, lng=115.6861234, phone="13900001111", contact_name="张")

    in_one, by_orm = _both(monkeypatch, filing)
    assert in_one.tracking_no != by_orm.tracking_no and in_one.tracking_no.startswith("20261127")
    assert_same_rows(in_one, by_orm)
    written = _written(in_one)
    assert [n[0] for n in written["notices"]] == [world.bob.pk]  # the community's active worker only
    assert len(written["deadlines"]) == 3 and written["sms"]


@pytest.mark.django_db
def test_a_resident_and_a_staff_registration_write_what_the_orm_writes(world, bystanders, monkeypatch) -> None:
    resident = resident_for(world.rita, BOB_UNIT)
    in_one, by_orm = _both(monkeypatch, lambda: file(world.rita, location_kind="home", public_name=True, phone=""))
    assert in_one.resident_id == resident.pk and in_one.submitter_id == world.rita.pk
    assert_same_rows(in_one, by_orm)
    assert Notification.objects.filter(user=world.rita, url__contains=in_one.tracking_no).count() == 1

    in_one, by_orm = _both(monkeypatch, lambda: file(world.bob, channel="phone", category="utilities"))
    assert in_one.registered_by_id == world.bob.pk and in_one.urgent
    assert_same_rows(in_one, by_orm)


@pytest.mark.django_db
def test_after_the_days_9999th_request_numbers_grow_a_digit_in_both_writers(world, monkeypatch) -> None:
    monkeypatch.setattr(common, "now", lambda: FILED_AT)
    services.prepare_tracking_no(FILED_AT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('appeals_serial_20261127', 9998)")
    numbers = []
    for in_one_statement in (True, True, False):
        monkeypatch.setattr(filing_service, "FILE_IN_ONE_STATEMENT", in_one_statement)
        numbers.append(file(None).tracking_no)
    assert numbers == ["202611279999", "2026112710000", "2026112710001"]
    assert Appeal.objects.get(tracking_no="2026112710000").description == "小区门口垃圾三天没人清运，味道很大"

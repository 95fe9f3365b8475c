"""26: the requests desk follows the one phone rule (shequ.phones): a request filed with 0318-1234567 is found, tracked
and rated with 03181234567 and the other way round, whichever way it came in."""

import pytest
from django.test import Client

from appeals import services
from appeals.models import Appeal
from appeals.tests.helpers import file
from people.crypto import search_hash
from shequ.testing.world import BOB_UNIT

pytestmark = pytest.mark.django_db
FORMS = [("0318-1234567", "03181234567"), ("03181234567", "0318-1234567"), ("(0318) 123 4567", "03181234567"),
         ("+86 139-1234-5678", "13912345678"), ("13912345678", "139 1234 5678")]


def _web(client: Client, world, phone: str) -> Appeal:
    response = client.post("/appeals/new/", {"category": "municipal", "description": "路灯坏了", "location_kind": "address",
                                             "address": "人民路路口", "community": BOB_UNIT, "phone": phone}, follow=True)
    assert response.status_code == 200 and "受理编号" in response.content.decode(), response.content.decode()[:500]
    return Appeal.objects.latest("id")


def _open311(client: Client, world, phone: str) -> Appeal:
    _, raw = services.issue_api_client(actor=None, name=f"客户端{phone}")
    response = client.post("/open311/v2/requests.json", {"api_key": raw, "service_code": "municipal", "address_string": "人民路路口",
                                                          "phone": phone, "attribute[community]": BOB_UNIT})
    assert response.status_code == 201, response.content
    return Appeal.objects.get(tracking_no=response.json()[0]["service_request_id"])


def _intake(client: Client, world, phone: str) -> Appeal:
    client.force_login(world.bob)
    response = client.post("/appeals/intake/", {"category": "municipal", "description": "路灯坏了", "location_kind": "address",
                                                "address": "人民路路口", "community": BOB_UNIT, "phone": phone, "channel": "phone"})
    assert response.status_code == 302, response.content.decode()[:500]
    client.logout()
    return Appeal.objects.latest("id")


@pytest.mark.parametrize("entry", [_web, _open311, _intake], ids=["web", "open311", "intake"])
@pytest.mark.parametrize(("filed_with", "typed_later"), FORMS)
def test_it_tracks_and_rates_a_request_with_the_phone_typed_another_way(client: Client, world, entry, filed_with: str,
                                                                       typed_later: str) -> None:
    appeal = entry(client, world, filed_with)
    digits = "".join(ch for ch in typed_later if ch.isdigit())
    assert appeal.phone_hash == search_hash(digits) and appeal.phone_masked.startswith(digits[:3])
    page = client.post("/appeals/track/", {"no": appeal.tracking_no, "phone": typed_later}).content.decode()
    assert "路灯坏了" in page or "人民路路口" in page or appeal.category.name in page
    assert "没有找到" not in page
    services.accept(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已修好")
    client.post("/appeals/track/rate/", {"no": appeal.tracking_no, "phone": typed_later, "level": "5"})
    appeal.refresh_from_db()
    assert appeal.state == "closed" and appeal.final_rating == 5


@pytest.mark.parametrize("phone", ["0318-123", "12345678", "2345678", "1391234567x"])
def test_it_refuses_what_is_not_a_phone_and_stores_nothing(world, phone: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="联系电话格式不正确"):
        file(None, phone=phone)
    assert not Appeal.objects.exists()

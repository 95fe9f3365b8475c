"""F11: tracking is a POST, limited per address and per phone; logs never carry a phone or an ID number."""

import io
import logging

import pytest
from django.test import Client

from appeals import conf, services
from appeals.tests.helpers import file

pytestmark = pytest.mark.django_db


def test_it_tracks_by_post_and_a_get_with_the_phone_in_the_query_looks_nothing_up(client: Client, world) -> None:
    appeal = file(None, phone="13811112222", text="路口路灯坏了")
    leaked = client.get("/appeals/track/", {"no": appeal.tracking_no, "phone": "13811112222"})
    assert leaked.status_code == 200 and "路口路灯坏了" not in leaked.content.decode()
    assert f'value="{appeal.tracking_no}"' in leaked.content.decode()  # the number is prefilled, nothing else
    page = client.post("/appeals/track/", {"no": appeal.tracking_no, "phone": "13811112222"}).content.decode()
    assert "路口路灯坏了" in page and 'method="post"' in page and "13811112222" not in page.split("<form")[1]


def test_it_rate_limits_tracking_per_phone(client: Client, world, monkeypatch) -> None:
    monkeypatch.setattr(conf, "TRACK_PER_PHONE_HOUR", 3)
    appeal = file(None, phone="13811112222", text="路口路灯坏了")
    for n in range(3):  # guessing numbers against a known phone, each from another address
        response = client.post("/appeals/track/", {"no": f"20991231{n:04d}", "phone": "13811112222"}, REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 200 and "没有找到" in response.content.decode()
    refused = client.post("/appeals/track/", {"no": appeal.tracking_no, "phone": "138-1111-2222"}, REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429
    assert "查询过于频繁" in refused.content.decode() and "路口路灯坏了" not in refused.content.decode()
    other = client.post("/appeals/track/", {"no": appeal.tracking_no, "phone": "13999999999"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200  # another phone is not held back


def test_it_rate_limits_tracking_and_track_rating_per_address(client: Client, world, monkeypatch) -> None:
    monkeypatch.setattr(conf, "TRACK_PER_IP_HOUR", 3)
    appeal = file(None, phone="13811112222")
    services.accept(appeal=appeal, actor=world.bob)
    services.reply(appeal=appeal, actor=world.bob, text="已清运")
    for n in range(3):
        client.post("/appeals/track/", {"no": appeal.tracking_no, "phone": f"1390000{n:04d}"}, REMOTE_ADDR="10.9.9.9")
    refused = client.post("/appeals/track/rate/", {"no": appeal.tracking_no, "phone": "13811112222", "level": "5"},
                          REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429 and "同一网络" in refused.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == "replied"
    ok = client.post("/appeals/track/rate/", {"no": appeal.tracking_no, "phone": "13811112222", "level": "5"},
                     REMOTE_ADDR="10.9.9.10")
    assert ok.status_code == 200
    appeal.refresh_from_db()
    assert appeal.state == "closed"


def test_it_asks_for_both_number_and_phone(client: Client, world) -> None:
    page = client.post("/appeals/track/", {"no": "", "phone": "13811112222"}).content.decode()
    assert "请填写受理编号和提交时的手机号码" in page


@pytest.mark.parametrize("logger_name", ["django.server", "django.request", "appeals", ""])
def test_it_masks_phones_and_ids_in_every_log_handler(logger_name: str) -> None:
    logger = logging.getLogger(logger_name)
    handlers, node = [], logger
    while node is not None:
        handlers += [h for h in node.handlers if not type(h).__module__.startswith("_pytest")]  # pytest's capture
        node = node.parent if node.propagate else None  # type: ignore[assignment]  # walking logger parents: a Logger's parent is a Logger until the root's None
    assert handlers
    streams = []
    for handler in handlers:
        assert any(type(f).__name__ == "MaskPersonalData" for f in handler.filters), (logger_name, handler)
        if isinstance(handler, logging.StreamHandler):
            streams.append((handler, handler.setStream(io.StringIO())))
    try:
        logger.warning('"GET /appeals/track/?no=202611270001&phone=%s HTTP/1.1" 200 5', "138 1111 2222")
        logger.warning("证件 131102 19850315 7777，电话 0318-2345678")
        written = "".join(h.stream.getvalue() for h, _ in streams)
    finally:
        for handler, old in streams:
            handler.setStream(old)
    assert "202611270001" in written and "138****2222" in written
    for secret in ("1111 2222", "11112222", "19850315", "7777", "2345678"):
        assert secret not in written

"""A sharing agreement: asked for, approved by 市民政局, used (every read logged), revoked and then refused."""

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import issue_token
from exchange.models import AgreementAccess, SharingAgreement
from exchange.tests.helpers import department_user
from people.models import Resident
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, TAOCHENG


def api(token: str, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    if method == "get":
        return client.get(url, headers=headers)
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


@pytest.fixture
def people(tree: None) -> None:
    today = timezone.localdate()
    Resident.objects.create(unit_id=BOB_UNIT, name="王老汉", gender="M", birth_date=dt.date(today.year - 85, 1, 1),
                            id_number_masked="131102************")
    Resident.objects.create(unit_id=ALICE_UNIT, name="李奶奶", gender="F", birth_date=dt.date(today.year - 90, 1, 1))
    Resident.objects.create(unit_id=BOB_UNIT, name="张青年", gender="M", birth_date=dt.date(today.year - 30, 1, 1))
    Resident.objects.create(unit_id="131103100201", name="冀州老人", gender="F", birth_date=dt.date(today.year - 88, 1, 1))


def ask(token: str, **extra: Any) -> Any:
    today = timezone.localdate()
    body = {"dataset": "residents_80_plus", "unit_code": TAOCHENG, "purpose": "高龄津贴发放核对",
            "legal_basis": "《河北省老年人权益保障条例》", "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=365)).isoformat(), **extra}
    return api(token, "post", "/api/exchange/agreements", body)


@pytest.mark.django_db
def test_it_serves_an_approved_agreement_masked_logs_every_read_and_stops_when_revoked(people: None, world: Any) -> None:
    _, treasury = issue_token(actor=department_user("finance", "fay"), name="财政")
    _, approver = issue_token(actor=world.erin, name="民政")
    asked = ask(treasury)
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    pk = asked.json()["id"]
    assert api(treasury, "get", f"/api/exchange/agreements/{pk}/rows").status_code == 403  # not approved yet
    assert api(treasury, "post", f"/api/exchange/agreements/{pk}/approve").status_code == 422  # not 市民政局
    approved = api(approver, "post", f"/api/exchange/agreements/{pk}/approve")
    assert approved.status_code == 200 and approved.json()["active"] is True
    page = api(treasury, "get", f"/api/exchange/agreements/{pk}/rows?page=1")
    assert page.status_code == 200
    results = sorted(page.json()["results"], key=lambda r: r["unit_code"])
    # 桃城区 residents aged 80+: 李奶奶 (游园) and 王老汉 (桥东); not the 30-year-old, not 冀州's.
    assert [(r["name"], r["gender"], r["unit_code"]) for r in results] == [("李**", "2", ALICE_UNIT), ("王**", "1", BOB_UNIT)]
    assert results[1]["id_number"] == "131102************" and len(results[1]["birth_date"]) == 4
    api(treasury, "get", f"/api/exchange/agreements/{pk}/rows?page=2")
    log = api(treasury, "get", f"/api/exchange/agreements/{pk}/accesses").json()
    assert [(e["user"], e["page"], e["rows"]) for e in log] == [("fay", 2, 0), ("fay", 1, 2)]
    assert api(approver, "get", f"/api/exchange/agreements/{pk}/rows").status_code == 404  # the approver does not read it
    assert api(approver, "post", f"/api/exchange/agreements/{pk}/revoke").status_code == 200
    refused = api(treasury, "get", f"/api/exchange/agreements/{pk}/rows")
    assert refused.status_code == 403 and "已撤销" in refused.json()["detail"]
    assert AgreementAccess.objects.count() == 2


@pytest.mark.django_db
def test_it_cannot_approve_unmasked_fields_without_their_justification(people: None, world: Any) -> None:
    _, treasury = issue_token(actor=department_user("finance", "fay"), name="财政")
    _, approver = issue_token(actor=world.erin, name="民政")
    pk = ask(treasury, unmasked={"id_number": " ", "name": "发放到人需核对姓名"}).json()["id"]
    refused = api(approver, "post", f"/api/exchange/agreements/{pk}/approve")
    assert refused.status_code == 422 and "id_number" in refused.json()["detail"]
    assert SharingAgreement.objects.get(pk=pk).status == "requested"
    bad = ask(treasury, unmasked={"age": "x"})
    assert bad.status_code == 422 and "age" in bad.json()["detail"]
    assert ask(treasury, purpose=" ").status_code == 422
    assert SharingAgreement.objects.count() == 1


@pytest.mark.django_db
def test_it_serves_justified_fields_in_the_clear_and_refuses_an_expired_agreement(people: None, world: Any) -> None:
    _, treasury = issue_token(actor=department_user("finance", "fay"), name="财政")
    _, approver = issue_token(actor=world.erin, name="民政")
    pk = ask(treasury, unmasked={"name": "发放到人需核对姓名"}).json()["id"]
    api(approver, "post", f"/api/exchange/agreements/{pk}/approve")
    names = sorted(r["name"] for r in api(treasury, "get", f"/api/exchange/agreements/{pk}/rows").json()["results"])
    assert names == ["李奶奶", "王老汉"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    SharingAgreement.objects.filter(pk=pk).update(starts_on=yesterday - dt.timedelta(days=30), ends_on=yesterday)
    assert api(treasury, "get", f"/api/exchange/agreements/{pk}/rows").status_code == 403
    # Another department does not see the agreement at all.
    _, health = issue_token(actor=department_user("health_commission", "hank"), name="卫健")
    assert api(health, "get", f"/api/exchange/agreements/{pk}/rows").status_code == 404
    assert api(health, "get", "/api/exchange/agreements").json() == []


@pytest.mark.django_db
def test_it_shows_the_agreement_with_its_access_log_and_approves_and_revokes_on_the_page(people: None, world: Any,
                                                                                        login: Any) -> None:
    fay = department_user("finance", "fay")
    _, treasury = issue_token(actor=fay, name="财政")
    pk = ask(treasury, unmasked={"name": "发放到人需核对姓名"}).json()["id"]
    own = login(fay)
    assert own.post(f"/exchange/agreements/{pk}/approve/").status_code == 302  # refused: not 市民政局
    assert SharingAgreement.objects.get(pk=pk).status == "requested"
    assert "数据共享协议由市民政局审批" in own.get(f"/exchange/agreements/{pk}/").content.decode()
    approver = login(world.erin)
    assert "高龄津贴发放核对" in approver.get("/exchange/agreements/").content.decode()
    approver.post(f"/exchange/agreements/{pk}/approve/")
    assert SharingAgreement.objects.get(pk=pk).status == "approved"
    api(treasury, "get", f"/api/exchange/agreements/{pk}/rows")
    page = approver.get(f"/exchange/agreements/{pk}/").content.decode()
    assert "发放到人需核对姓名" in page and "<td>fay</td>" in page and "<td>2</td>" in page
    approver.post(f"/exchange/agreements/{pk}/revoke/")
    assert api(treasury, "get", f"/api/exchange/agreements/{pk}/rows").status_code == 403
    other = login(department_user("health_commission", "hank"))
    assert other.get(f"/exchange/agreements/{pk}/").status_code == 404
    assert "高龄津贴发放核对" not in other.get("/exchange/agreements/").content.decode()

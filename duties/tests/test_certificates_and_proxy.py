"""Certificates (allowed → issued and verified; abolished → the notice), proxy cases and the one assessment."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from duties import province, services
from duties.demo import ensure_lists
from duties.models import CertificateItem, CertificateRequest, ProxyCase, ServiceItem
from people.tests.factories import resident
from shequ.testing.content import content_text
from shequ.testing.media import pdf, png
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, HEDONG, World


def _resident_user(world: World, unit: str = ALICE_UNIT, name: str = "王证明") -> User:
    user = User.objects.create_user(username=f"r{unit[-3:]}", password="x", role=Role.RESIDENT, unit_id=unit)
    person = resident(unit, name=name)
    person.account = user
    person.save(update_fields=["account"])
    return user


@pytest.mark.django_db
def test_it_issues_an_allowed_certificate_verified_on_its_public_page(world: World, login) -> None:
    ensure_lists()
    user = _resident_user(world)
    client = login(user)
    item = CertificateItem.objects.get(code="ZM01")
    refused = client.post("/duties/certificates/new/", {"item": item.pk, "purpose": ""})
    assert refused.status_code == 400 and "这个字段是必填项" in refused.content.decode()
    assert not CertificateRequest.objects.exists()
    client.post("/duties/certificates/new/", {"item": item.pk, "purpose": "子女入学"})
    req = CertificateRequest.objects.get()
    assert req.status == "requested"
    assert login(world.bob).get(f"/duties/certificates/{req.pk}/").status_code == 404
    login(world.alice).post(f"/duties/certificates/{req.pk}/", {"action": "issue", "content": "该居民在本社区居住。"})
    req.refresh_from_db()
    assert req.status == "issued" and req.token
    client = login(user)
    certificate = client.get(f"/duties/certificates/{req.pk}/pdf/")
    assert certificate["Content-Type"] == "application/pdf" and certificate.content.startswith(b"%PDF-")
    code = services.certificate_code(req)
    public = client.get(f"/c/{code}/").content.decode()
    assert "该证明真实有效" in public and "王**" in public and "王证明" not in public
    assert client.get(f"/c/{code[:-1]}X/").status_code == 404
    log = login(world.tina).get("/duties/certificates/?log=1").content.decode()  # 游园社区 is in 河西街道
    assert "王证明" in log and req.token in log


@pytest.mark.django_db
def test_it_answers_an_abolished_certificate_at_once_with_the_notice(world: World, login) -> None:
    ensure_lists()
    client = login(_resident_user(world))
    item = CertificateItem.objects.get(code="QX02")
    missing = client.post("/duties/certificates/new/", {"item": item.pk, "purpose": "继承公证"})
    assert "请填写要求您开具该证明的部门" in missing.content.decode()
    page = client.post("/duties/certificates/new/", {"item": item.pk, "purpose": "继承公证",
                                                     "asking_department": "某公证处"}, follow=True).content.decode()
    assert "已经取消，村（社区）不再出具" in page and "告知承诺制" in page
    req = CertificateRequest.objects.get()
    assert req.status == "abolished" and not req.token
    with pytest.raises(ValidationError):
        services.issue_certificate(actor=world.alice, req=req, content="x")
    figures = login(world.cindy).get("/duties/report/").content.decode()
    assert "某公证处" in figures


@pytest.mark.django_db
def test_it_refuses_a_certificate_for_someone_not_on_the_register(world: World) -> None:
    ensure_lists()
    user = User.objects.create_user(username="nobody", password="x", role=Role.RESIDENT, unit_id=ALICE_UNIT)
    req = services.request_certificate(actor=user, item=CertificateItem.objects.get(code="ZM01"), purpose="入学")
    with pytest.raises(ValidationError, match="居民档案中没有该居民"):
        services.issue_certificate(actor=world.alice, req=req, content="居住")
    req.refresh_from_db()
    assert req.status == "requested"


def _upload(name: str, content: bytes, kind: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=kind)


@pytest.mark.django_db
def test_it_walks_a_proxy_case_from_materials_to_the_departments_answer(world: World, login, settings,
                                                                        tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    ensure_lists()
    item = ServiceItem.objects.get(name="高龄津贴申领")
    client = login(world.bob)
    url = f"/duties/catalogue/{item.pk}/proxy/"
    missing = client.post(url, {"applicant": "李老", "phone": "13900001111", "m0": _upload("id.pdf", pdf("身份证"),
                                                                                         "application/pdf")})
    assert "缺少必需材料：银行卡" in missing.content.decode() and not ProxyCase.objects.exists()
    fake = client.post(url, {"applicant": "李老", "phone": "13900001111",
                             "m0": _upload("id.pdf", pdf("身份证"), "application/pdf"),
                             "m1": _upload("card.png", b"not really a picture", "image/png")})
    assert "不是 PDF、JPEG 或 PNG 文件" in fake.content.decode() and not ProxyCase.objects.exists()
    client.post(url, {"applicant": "李老", "phone": "13900001111",
                      "m0": _upload("id.pdf", pdf("身份证"), "application/pdf"),
                      "m1": _upload("card.png", png(), "image/png")})
    case = ProxyCase.objects.get()
    assert case.on_behalf and case.phone_masked == "139****1111" and case.uploads.count() == 2
    client.post(f"/duties/proxy/{case.pk}/", {"action": "verify"})
    client.post(f"/duties/proxy/{case.pk}/", {"action": "send"})
    case.refresh_from_db()
    assert case.status == "sent" and case.due_at is not None and case.due_at > timezone.now()
    # The department (市民政局) now sees the case in its inbox and answers it.
    assert "李老" in login(world.erin).get("/duties/proxy/").content.decode()
    login(world.erin).post(f"/duties/proxy/{case.pk}/", {"action": "answer", "note": "已核准，次月发放"})
    login(world.bob).post(f"/duties/proxy/{case.pk}/", {"action": "complete", "note": "电话告知"})
    case.refresh_from_db()
    assert case.status == "completed" and case.answer == "已核准，次月发放"
    steps = [s.action for s in case.steps.all()]
    assert steps[0].startswith("提交申请") and steps[-1] == "告知居民并办结" and len(steps) == 5
    assert "李老" not in login(world.alice).get("/duties/proxy/").content.decode()


@pytest.mark.django_db
def test_it_escalates_an_overdue_proxy_case_once(world: World, login) -> None:
    ensure_lists()
    item = ServiceItem.objects.get(name="高龄津贴申领")
    case = ProxyCase.objects.create(unit_id=BOB_UNIT, item=item, department=item.department, applicant="张老",
                                    status="sent", sent_at=timezone.now() - dt.timedelta(days=40),
                                    due_at=timezone.now() - dt.timedelta(days=1))
    assert services.escalate_overdue() == 1 and services.escalate_overdue() == 0
    case.refresh_from_db()
    assert case.escalated_at and case.steps.filter(action="超期督办").exists()
    assert world.tom.notifications.filter(title__contains="代办件超期").exists()
    assert "张老" in login(world.tom).get("/duties/proxy/?overdue=1").content.decode()


@pytest.mark.django_db
def test_it_sends_a_proxy_case_to_the_provincial_platform_when_configured(world: World, monkeypatch) -> None:
    received: list[dict] = []

    class Fake(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self._answer({"case_no": "HB2025000123"})

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            self._answer({"status": "done", "result": "已办结"})

        def _answer(self, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert not province.gateway().enabled  # off by default
        monkeypatch.setenv("DUTIES_PROVINCE_URL", f"http://127.0.0.1:{server.server_port}")
        ensure_lists()
        item = ServiceItem.objects.get(name="高龄津贴申领")
        case = ProxyCase.objects.create(unit_id=BOB_UNIT, item=item, department=item.department, applicant="赵老",
                                        status="verified")
        services.send_to_department(actor=world.bob, case=case)
        case.refresh_from_db()
        assert case.province_ref == "HB2025000123"
        assert received[0]["item_code"] == item.province_code and received[0]["unit_code"] == BOB_UNIT
        assert province.gateway().status("HB2025000123") == {"status": "done", "result": "已办结"}
    finally:
        server.shutdown()


@pytest.mark.django_db
def test_it_searches_the_public_catalogue_in_chinese(client) -> None:
    ensure_lists()
    page = client.get("/duties/catalogue/?q=高龄").content.decode()
    assert "高龄津贴申领" in page and "最低生活保障申请" not in page
    assert "/appeals/catalogue/" in page  # the requests desk's categories stay its own catalogue
    item = ServiceItem.objects.get(name="最低生活保障申请")
    detail = client.get(f"/duties/catalogue/{item.pk}/").content.decode()
    assert "家庭收入说明" in detail and "hbzwfw.gov.cn" in detail and "社区代办" in detail


@pytest.mark.django_db
def test_it_refuses_a_veto_item_and_a_departments_assessment(world: World, login) -> None:
    with pytest.raises(ValidationError, match="一票否决"):
        services.create_assessment(actor=world.tom, unit_code=HEDONG, year=2025, indicators=[
            {"name": "安全生产", "weight": 100, "source": "scored", "veto": True}])
    with pytest.raises(ValidationError, match="各职能部门不再单独组织"):
        services.create_assessment(actor=world.erin, unit_code=HEDONG, year=2025, indicators=[])
    with pytest.raises(ValidationError, match="权重之和应为100"):
        services.create_assessment(actor=world.tom, unit_code=HEDONG, year=2025, indicators=[
            {"name": "满意度", "weight": 60, "source": "scored"}])
    a = services.create_assessment(actor=world.tom, unit_code=HEDONG, year=2025, indicators=[
        {"name": "志愿服务站点", "weight": 40, "source": "computed", "code": "volunteer_service_point_coverage"},
        {"name": "满意度", "weight": 60, "source": "scored"}])
    assert services.compute_assessment(actor=world.tom, assessment=a) > 5
    services.score(actor=world.tom, assessment=a, unit_code=BOB_UNIT, indicator="满意度", value="0.5", evidence="问卷")
    with pytest.raises(ValidationError, match="0至1"):
        services.score(actor=world.tom, assessment=a, unit_code=BOB_UNIT, indicator="满意度", value="7", evidence="x")
    own = login(world.bob).get(f"/duties/assessments/{a.pk}/").content.decode()
    assert "30.00" in own and "桥东社区" in own
    ranked = content_text(login(world.tom).get(f"/duties/assessments/{a.pk}/?format=xlsx"))
    assert "桥东社区" in ranked and "综合得分" in ranked
    assert login(world.alice).get(f"/duties/assessments/{a.pk}/").status_code == 404


@pytest.mark.django_db
def test_it_shows_a_resident_all_their_matters_in_one_list(world: World, login) -> None:
    ensure_lists()
    user = _resident_user(world)
    services.request_certificate(actor=user, item=CertificateItem.objects.get(code="ZM01"), purpose="入学")
    services.request_certificate(actor=user, item=CertificateItem.objects.get(code="QX03"), purpose="入学",
                                 asking_department="某学校")
    page = login(user).get("/duties/mine/").content.decode()
    assert "居住证明" in page and "出生日期证明" in page and "办理中" in page and "已办结" in page


@pytest.mark.django_db
def test_it_takes_a_communitys_written_objection_and_the_townships_answer(world: World, login) -> None:
    a = services.create_assessment(actor=world.tom, unit_code=HEDONG, year=2025, indicators=[
        {"name": "满意度", "weight": 100, "source": "scored"}])
    url = f"/duties/assessments/{a.pk}/"
    login(world.bob).post(url, {"action": "object", "text": "满意度问卷样本过少"})
    with pytest.raises(ValidationError, match="已对该考核提出过异议"):
        services.object_to_assessment(actor=world.bob, assessment=a, text="再次")
    objection = a.objections.get()
    login(world.tom).post(url, {"action": "answer", "objection": objection.pk, "answer": "已补充样本重新评分"})
    assert "已补充样本重新评分" in login(world.bob).get(url).content.decode()
    assert login(world.alice).post(url, {"action": "object", "text": "x"}).status_code == 404

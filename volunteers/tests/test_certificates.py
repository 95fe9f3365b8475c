"""Service record certificates: a PDF with the masked ID, the services and total, and a code the public page verifies."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from people.tests.factories import id_number
from shequ.testing.world import World
from volunteers import services
from volunteers.models import Certificate, ServiceRecord
from volunteers.tests.factories import volunteer


def _served(world: World, name: str = "证明志愿者"):
    number = id_number()
    person = volunteer(world.bob, name=name, id_number=number)
    start = (timezone.now() - dt.timedelta(days=5)).replace(hour=1, minute=0, second=0, microsecond=0)
    for begin, end in ((0, 2), (1, 3)):  # 9–11 and 10–12 style: 3 hours, not 4
        ServiceRecord.objects.create(volunteer=person, activity_name="敬老服务", unit_id=person.unit_id,
                                     started_at=start + dt.timedelta(hours=begin), ended_at=start + dt.timedelta(hours=end),
                                     confirmed=True, imported=True)
    return person, number


@pytest.mark.django_db
def test_it_issues_a_pdf_with_the_masked_id_the_total_and_a_verification_code(world: World, login) -> None:
    person, number = _served(world)
    response = login(world.bob).post(f"/volunteers/people/{person.pk}/certificate/")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages).replace(" ", "")
    cert = Certificate.objects.get(volunteer=person)
    assert "证明志愿者" in text and number[:6] + "*" * 12 in text and number not in text
    assert "3.00" in text and cert.total_hours == 3 and services.certificate_code(cert) in text


@pytest.mark.django_db
def test_it_confirms_a_genuine_certificate_publicly_with_the_name_masked(world: World, client) -> None:
    person, _ = _served(world)
    cert = services.issue_certificate(actor=world.bob, volunteer=person)
    page = client.get(f"/v/{services.certificate_code(cert)}/").content.decode()
    assert "真实有效" in page and "证明**" in page and "证明志愿者" not in page and "3.00" in page


@pytest.mark.django_db
def test_it_refuses_an_altered_or_unknown_certificate(world: World, client) -> None:
    person, _ = _served(world)
    cert = services.issue_certificate(actor=world.bob, volunteer=person)
    code = services.certificate_code(cert)
    altered = client.get(f"/v/{cert.token}-00000000/")
    assert altered.status_code == 404 and "可能已被篡改" in altered.content.decode()
    Certificate.objects.filter(pk=cert.pk).update(total_hours=300)  # the stored statement changed behind the code
    assert "可能已被篡改" in client.get(f"/v/{code}/").content.decode()
    unknown = client.get("/v/ABCDEF1234-12345678/")
    assert unknown.status_code == 404 and "未找到该证明编号" in unknown.content.decode()


@pytest.mark.django_db
def test_it_refuses_a_certificate_without_confirmed_hours_or_by_an_outsider(world: World, login) -> None:
    person = volunteer(world.bob)
    with pytest.raises(ValidationError, match="暂无已确认的服务记录"):
        services.issue_certificate(actor=world.bob, volunteer=person)
    served, _ = _served(world, name="别处的人")
    assert login(world.alice).post(f"/volunteers/people/{served.pk}/certificate/").status_code == 404
    assert not Certificate.objects.exists()

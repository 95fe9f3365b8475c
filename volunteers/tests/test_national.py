"""The national volunteer information system's layout: export, import back, nothing lost; a bad row refuses both files."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from people.crypto import decrypt
from people.tests.factories import id_number
from shequ.testing.world import BOB_UNIT, World
from volunteers import hours
from volunteers.importers import NATIONAL_RECORD_COLUMNS, NATIONAL_VOLUNTEER_COLUMNS
from volunteers.models import ServiceRecord, Volunteer
from volunteers.tests.factories import imported_hours, volunteer


def _state() -> list[list[tuple]]:
    people = [(v.name, v.id_type, decrypt(v.id_number_enc), decrypt(v.phone_enc) if v.phone_enc else "", v.unit_id,
               v.categories, v.political_status, v.skills, v.availability, round(hours.volunteer_hours(v.pk), 2))
              for v in Volunteer.objects.order_by("name")]
    records = sorted((r.volunteer.name, r.activity_name, r.started_at, r.ended_at,
                      r.unit_id) for r in ServiceRecord.objects.filter(confirmed=True).select_related("volunteer"))
    return [people, records]


@pytest.mark.django_db
def test_the_national_layout_round_trip_loses_nothing(world: World, tmp_path: Path) -> None:
    one = volunteer(world.bob, name="张国志", id_number=id_number(dt.date(1985, 3, 3)), phone="13900001234",
                    categories=["community", "elderly_disabled"], political_status="中共党员", skills="理发、维修",
                    availability=["sat_am", "sun_pm"])
    volunteer(world.bob, name="李无时", id_number=id_number(dt.date(1986, 4, 4)), phone="", categories=[])
    nine = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=10)
    ServiceRecord.objects.create(volunteer=one, activity_name="助老服务", unit_id=BOB_UNIT, imported=True, confirmed=True,
                                 started_at=nine, ended_at=nine + dt.timedelta(hours=2))
    ServiceRecord.objects.create(volunteer=one, activity_name="重叠服务", unit_id=BOB_UNIT, imported=True, confirmed=True,
                                 started_at=nine + dt.timedelta(hours=1), ended_at=nine + dt.timedelta(hours=3))
    before = _state()
    people, records = tmp_path / "志愿者.xlsx", tmp_path / "时长.xlsx"
    call_command("export_national", str(people), str(records), unit=BOB_UNIT[:6] + "000000")
    sheet = load_workbook(people).active
    assert [c.value for c in sheet[1]] == [c.header for c in NATIONAL_VOLUNTEER_COLUMNS]
    first = next([c.value for c in row] for row in sheet.iter_rows(min_row=2) if row[0].value == "张国志")
    assert "13900001234" in first and "周六上午、周日下午" in first and "社区服务、助老助残" in first
    assert [c.value for c in load_workbook(records).active[1]] == [c.header for c in NATIONAL_RECORD_COLUMNS]
    ServiceRecord.objects.all().delete()
    Volunteer.objects.all().delete()
    call_command("import_national", str(people), str(records))
    assert _state() == before
    call_command("import_national", str(people), str(records))  # a second import changes nothing
    assert _state() == before


@pytest.mark.django_db
def test_a_bad_hours_row_refuses_both_files_and_names_the_row(world: World, tmp_path: Path) -> None:
    one = volunteer(world.bob, name="张国志", id_number=id_number(dt.date(1985, 3, 3)))
    imported_hours(one, 2)
    people, records = tmp_path / "v.xlsx", tmp_path / "r.xlsx"
    call_command("export_national", str(people), str(records), unit=BOB_UNIT)
    book = load_workbook(records)
    book.active["G2"] = "5.00"  # stated hours that do not match start and end
    book.save(records)
    ServiceRecord.objects.all().delete()
    Volunteer.objects.all().delete()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_national", str(people), str(records), stderr=open(tmp_path / "err.txt", "w"))
    assert "第2行" in (tmp_path / "err.txt").read_text() and "服务时长（小时）" in (tmp_path / "err.txt").read_text()
    assert not Volunteer.objects.exists() and not ServiceRecord.objects.exists()

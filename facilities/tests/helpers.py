"""Small builders for facilities tests (rows written directly, like a fixture file would)."""

from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from facilities.hours import min_weekday_minutes
from facilities.models import Facility, FacilityService, ServicePoint

WORKDAY = "08:30-17:30"


def facility(unit: str, name: str, kind: str = "comprehensive", *, status: str = "in_use", area: float = 300,
             activity: float = 200, office: float = 50, hours: list[str] | None = None, services: tuple[str, ...] = (),
             **extra: Any) -> Facility:
    week = hours if hours is not None else [WORKDAY] * 5 + ["", ""]
    row = Facility.objects.create(
        unit_id=unit, name=name, kind=kind, status=status, building_area=Decimal(str(area)),
        activity_area=Decimal(str(activity)), office_area=Decimal(str(office)), opening_hours=week,
        min_weekday_minutes=min_weekday_minutes(week), **extra,
    )
    FacilityService.objects.bulk_create([FacilityService(facility=row, service=s) for s in services])
    return row


def point(unit: str, name: str, kind: str = "supermarket", **extra: Any) -> ServicePoint:
    return ServicePoint.objects.create(unit_id=unit, name=name, kind=kind, **extra)


def households(unit: str, coords: list[tuple[float, float]] | int) -> None:
    from people.models import Household

    if isinstance(coords, int):
        rows = [Household(unit_id=unit, number=f"H{i}") for i in range(coords)]
    else:
        rows = [Household(unit_id=unit, number=f"H{i}", lat=lat, lng=lng) for i, (lat, lng) in enumerate(coords)]
    Household.objects.bulk_create(rows)


def workbook(header: list[str], rows: list[list[Any]]) -> BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    stream = BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream



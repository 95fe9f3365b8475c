"""Files and users for the exchange tests."""

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from accounts.models import User
from accounts.roles import Role
from people.models import Resident
from places.models import Department, OrgUnit


def department_user(code: str, username: str) -> User:
    user = User(username=username, role=Role.DEPARTMENT_STAFF, department=Department.objects.get(code=code),
                display_name=username.title())
    user.set_password("Test-pass-123")
    user.save()
    return user


def villages(county: str, kind: str, count: int) -> list[str]:
    rows = OrgUnit.objects.filter(level="village", kind=kind, code__startswith=county[:6]).order_by("code")
    return list(rows.values_list("code", flat=True)[:count])


def csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def residents(unit_code: str, count: int) -> None:
    Resident.objects.bulk_create([
        Resident(unit_id=unit_code, name=f"居民{i}", gender="M" if i % 2 else "F", birth_date=dt.date(1980, 1, 1),
                 status=Resident.Status.PRESENT) for i in range(count)])

"""Workbooks for the import tests: the template's header and rows that pass or fail on purpose."""

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from people.idcard import make_number
from people.importers import HEADERS
from shequ.testing import rights
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

__all__ = ["ALICE_UNIT", "BOB_UNIT", "book", "grant", "import_rows", "jobs_inline", "name_for", "person", "read_book"]


def name_for(n: int) -> str:
    """测甲乙丙丁 … : names may hold no digits."""
    return "测" + "".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in f"{n:04d}")


def person(n: int = 1, *, unit: str = ALICE_UNIT, household: str = "", relation: str = "户主", gender: str = "男",
           birth: Any = dt.date(1950, 3, 7), phone: str = "", tags: str = "", **overrides: Any) -> dict[str, str]:
    """A valid row; n makes the ID number, name and phone unique."""
    number = make_number(unit[:6], birth, n, "M" if gender == "男" else "F")
    row = {
        "姓名": name_for(n), "性别": gender, "出生日期": birth.isoformat(), "证件类型": "居民身份证",
        "证件号码": number, "联系电话": phone or f"139{n:08d}", "所属村（社区）代码": unit,
        "户编号": household or f"H{n:04d}", "与户主关系": relation, "现住址": f"幸福小区{n}号楼",
        "人员标签": tags,
    }
    row.update(overrides)
    return row


def book(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    headers = headers or HEADERS
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def jobs_inline(settings, tmp_path):
    """Background jobs run at once, their files in a temporary directory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    return tmp_path


def import_rows(rows: list[dict[str, Any]], actor: Any = None) -> None:
    """Put residents in the register through the importer (operator scope by default)."""
    from people.importers import ResidentImporter

    result = ResidentImporter(actor=actor).import_file(io.BytesIO(book(rows)))
    assert result.ok, result.errors


def read_book(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def grant(user: Any, *codenames: str) -> Any:
    return rights.grant(user, *codenames)  # approved by a unit leader (accounts.rights)

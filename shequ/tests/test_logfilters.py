"""The one rule masking phone and ID numbers in text (log records, public outputs)."""

import logging

import pytest

from shequ.logfilters import MaskPersonalData, mask_numbers


@pytest.mark.parametrize(("text", "masked"), [
    ("电话13912345678", "电话139****5678"),
    ("139-1234-5678", "139****5678"),
    ("139 1234 5678", "139****5678"),
    ("+86 139 1234 5678", "139****5678"),
    ("008613912345678", "139****5678"),
    ("0318-2345678", "0318-*****78"),
    ("（0318）2345678", "0318-*****78"),
    ("0318 2345678", "0318-*****78"),
    ("010-62345678", "010-******78"),
    ("131102198503157777", "131102************"),
    ("131102 19850315 7777", "131102************"),
    ("131102-1985-0315-777X", "131102************"),
])
def test_it_masks_each_common_form(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked


@pytest.mark.parametrize("text", ["受理编号 202611270001", "2026-11-27 12:00", "单位 131102002018", "共 12345 件"])
def test_it_leaves_other_numbers_alone(text: str) -> None:
    assert mask_numbers(text) == text


def test_it_masks_a_records_arguments_and_traceback() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "phone=%s", ("139 1234 5678",), None)
    try:
        raise ValueError("131102198503157777")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert MaskPersonalData().filter(record)
    assert record.getMessage() == "phone=139****5678"
    assert "131102198503157777" not in (record.exc_text or "") and "131102************" in (record.exc_text or "")

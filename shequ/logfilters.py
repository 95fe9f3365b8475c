"""Phone and ID numbers out of text: the one rule for log records (a safety net on every handler, settings.LOGGING)
and for public outputs (the Open311 feed masks descriptions with it, adding the filer's own name and address).

Numbers are found in any common spacing: 13912345678, 139-1234-5678, 139 1234 5678, +86 139…, 0318-2345678,
(0318) 2345678, 131102198503157777, 131102 19850315 7777, 131102-1985-0315-777X. A mobile keeps its first three and
last four digits (139****5678), a landline its area code and last two, an ID number its area code only: the birth
date and the sequence digits are never shown.
"""

import logging
import re

_SEP = r"[\s\-\u2010-\u2015]?"
ID_IN_TEXT = re.compile(
    rf"(?<![0-9A-Za-z])(\d{{6}}){_SEP}(?:\d{{4}}{_SEP}\d{{4}}|\d{{8}}){_SEP}\d{{3}}{_SEP}[\dXx](?![0-9A-Za-z])")
MOBILE_IN_TEXT = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)86{_SEP})?(1[3-9]\d)((?:{_SEP}\d){{4}}){_SEP}((?:\d{_SEP}){{3}}\d)(?!\d)")
LANDLINE_IN_TEXT = re.compile(
    rf"(?<!\d)[(（]?(0\d{{2,3}})[)）]?{_SEP}([2-9]\d{{2,3}}){_SEP}(\d{{2}})(\d{{2}})(?!\d)")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def mask_numbers(text: str) -> str:
    """`text` with every phone and ID number in it masked."""
    if not text:
        return text
    text = ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * 12, text)
    text = MOBILE_IN_TEXT.sub(lambda m: m.group(1) + "****" + _digits(m.group(3)), text)
    return LANDLINE_IN_TEXT.sub(lambda m: m.group(1) + "-" + "*" * (len(m.group(2)) + 2) + m.group(4), text)


class MaskPersonalData(logging.Filter):
    """Masks phone and ID numbers in a record's message and traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_numbers(record.stack_info)
        return True

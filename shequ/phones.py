"""The one phone rule (联系电话) for every module: the register, the requests desk, workforce, imports, forms and the API.

A phone is a mobile (1[3-9] and nine digits) or a landline with its area code (0 and 2–3 digits, then 7–8 digits
not starting with 0 or 1). People type them with spaces, dashes, brackets or +86; the canonical form is the digits
alone (13912345678, 03181234567), so that a number typed one way is found when typed the other, and that canonical
form is what gets hashed for look-ups.
"""

import re
from typing import Any

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}[2-9]\d{6,7}$")
# What may stand between digits when a person types a number.
_SEPARATORS_RE = re.compile(r"[\s\-()（）\u2010-\u2015\u2212]")

INVALID_MESSAGE = "请填写11位手机号码，或带区号的固定电话（如 0318-1234567）"


def canonical(raw: Any) -> str:
    """The digits of a typed number with separators and a +86/0086 prefix removed ('' for empty); no validation."""
    text = _SEPARATORS_RE.sub("", str(raw or "").strip())
    for prefix in ("+86", "0086"):
        if text.startswith(prefix) and len(text) > len(prefix) + 9:
            text = text[len(prefix):]
    return text


def is_valid(number: str) -> bool:
    """Whether a canonical number is a mobile or an area-coded landline."""
    return bool(MOBILE_RE.match(number) or LANDLINE_RE.match(number))


def clean(raw: Any) -> str:
    """The canonical number, or '' for empty input; raises ValueError (with the message to show) when it is not a phone."""
    number = canonical(raw)
    if number and not is_valid(number):
        raise ValueError(INVALID_MESSAGE)
    return number


def is_mobile(number: str) -> bool:
    return bool(MOBILE_RE.match(number))

"""Shared input rules: which characters text may hold, how big a number may be, which dates make sense.

One place for each rule, used by the request middleware (shequ.middleware), the API's parameter types,
forms and services alike.
"""

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import AfterValidator, Field

# C0 controls except tab, line feed and carriage return (a textarea sends CR LF), DEL, C1 controls and lone
# UTF-16 surrogates: none of them is text a person types; NUL breaks PostgreSQL, surrogates break UTF-8,
# and Excel files cannot hold the C0 ones.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
FORBIDDEN_MESSAGE = "内容中含有不允许的控制字符或无效字符，请删除后重新提交。"

# The largest integer every database we run on stores (PostgreSQL integer); counts, pages and offsets stay below it.
MAX_INT = 2_147_483_647
MAX_PAGE = 100_000
MAX_OFFSET = 1_000_000

PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"页码，1–{MAX_PAGE}")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=f"跳过的条数，0–{MAX_OFFSET}")]
Age = Annotated[int, Field(ge=0, le=150, description="周岁，0–150")]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
# A number of people at one place or event (a space's capacity, a drill's participants, a booking's attendees).
MAX_PEOPLE = 1_000_000

# Dates: the earliest a record of this system's kind (an event, a visit, a drill, a start in a post) can bear.
EARLIEST_EVENT = dt.date(2000, 1, 1)     # visits, drills, bookings, trainings, reports
EARLIEST_BUILT = dt.date(1900, 1, 1)     # a building's construction or opening
EARLIEST_SERVICE = dt.date(1950, 1, 1)   # a person's start in a post
LATEST_PLANNED_YEARS = 10


def find_forbidden(value: Any, where: str = "") -> str | None:
    """Where (a dotted path, "" for value itself) the first string in value holding a forbidden character is.

    Walks nested lists and dicts, keys included; None when every string is clean.
    """
    if isinstance(value, str):
        return where if FORBIDDEN_CHARACTERS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and FORBIDDEN_CHARACTERS.search(key):
                return name
            found = find_forbidden(item, name)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = find_forbidden(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def forbidden_message(where: str) -> str:
    return f"「{where}」{FORBIDDEN_MESSAGE}" if where else FORBIDDEN_MESSAGE


def strip_forbidden(value: str) -> str:
    """The text without forbidden characters (for values already stored, on their way out)."""
    return FORBIDDEN_CHARACTERS.sub("", value)


def latest_planned() -> dt.date:
    """The latest date a plan or booking may name: LATEST_PLANNED_YEARS from today."""
    today = timezone.localdate()
    return today.replace(year=today.year + LATEST_PLANNED_YEARS, day=min(today.day, 28))


def date_error(value: dt.date | None, *, label: str, earliest: dt.date = EARLIEST_EVENT, latest: dt.date | None = None,
               past: bool = False) -> str:
    """The Chinese message for a date outside [earliest, latest] ("" when it is inside or absent).

    past=True: no later than today (birth, visit, drill, a start in a post). latest defaults to LATEST_PLANNED_YEARS on.
    """
    if value is None:
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    today = timezone.localdate()
    if past:
        latest = today if latest is None else min(latest, today)
    elif latest is None:
        latest = latest_planned()
    if day < earliest:
        return f"{label}不能早于{earliest.isoformat()}。"
    if day > latest:
        return f"{label}不能晚于今天。" if latest == today else f"{label}不能晚于{latest.isoformat()}。"
    return ""


def check_date(value: dt.date | None, *, label: str, earliest: dt.date = EARLIEST_EVENT, latest: dt.date | None = None,
               past: bool = False) -> dt.date | None:
    """date_error as a validator: raises ValidationError with the message, returns the value otherwise."""
    message = date_error(value, label=label, earliest=earliest, latest=latest, past=past)
    if message:
        raise ValidationError(message, code="date_range")
    return value


def date_validator(**limits: Any) -> Callable[[dt.date | None], None]:
    """check_date as a form field validator: validators=[date_validator(label="演练日期", past=True)]."""

    def validate(value: dt.date | None) -> None:
        check_date(value, **limits)

    return validate


def date_in_range(**limits: Any) -> AfterValidator:
    """check_date for an API schema field: Annotated[dt.datetime, date_in_range(label="探访时间", past=True)]."""

    def validate(value: Any) -> Any:
        message = date_error(value, **limits)
        if message:
            raise ValueError(message)
        return value

    return AfterValidator(validate)

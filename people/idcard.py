"""Mainland ID numbers (GB 11643-1999): 18 characters, check digit, real birth date, area code."""

import datetime as dt
from dataclasses import dataclass

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"
# Provincial-level area codes (first two digits) in use.
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
}


class InvalidIdNumber(ValueError):
    pass


@dataclass(frozen=True)
class IdFacts:
    birth_date: dt.date
    gender: str  # "M" or "F"


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse(number: str, *, today: dt.date | None = None) -> IdFacts:
    """Validate a mainland ID number and return the birth date and gender it encodes."""
    number = number.strip().upper()
    if len(number) != 18:
        raise InvalidIdNumber("身份证号码应为18位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber("身份证号码前17位应为数字，末位为数字或X")
    if number[:2] not in PROVINCES or number[2:6] == "0000":
        raise InvalidIdNumber("身份证号码的地区码无效")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号码中的出生日期不存在") from None
    if birth.year < 1890 or birth > (today or dt.date.today()):  # noqa: DTZ011 (a calendar date, not a moment)
        raise InvalidIdNumber("身份证号码中的出生日期不合理")
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber("身份证号码校验位不正确")
    return IdFacts(birth_date=birth, gender="M" if int(number[16]) % 2 else "F")


def make_number(area6: str, birth: dt.date, sequence: int, gender: str) -> str:
    """A valid number for synthetic data: sequence 0–499, odd order digit for men."""
    order = sequence % 500 * 2 + (1 if gender == "M" else 0)
    first17 = f"{area6}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)

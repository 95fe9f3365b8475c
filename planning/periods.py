"""Periods — year ``2025``, quarter ``2025-Q3``, half ``2025-H1``, month ``2025-07`` — in Asia/Shanghai."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<q>[1-4])|H(?P<h>[12])|(?P<m>0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    kind: str  # year | half | quarter | month
    year: int
    index: int = 1  # quarter 1-4, half 1-2, month 1-12

    @property
    def label(self) -> str:
        if self.kind == "year":
            return str(self.year)
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        if self.kind == "half":
            return f"{self.year}-H{self.index}"
        return f"{self.year}-{self.index:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def first_month(self) -> int:
        return {"year": 1, "half": 6 * (self.index - 1) + 1, "quarter": 3 * (self.index - 1) + 1, "month": self.index}[self.kind]

    @property
    def last_month(self) -> int:
        return {"year": 12, "half": 6 * self.index, "quarter": 3 * self.index, "month": self.index}[self.kind]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        if self.last_month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.last_month + 1, 1) - dt.timedelta(days=1)

    def as_type(self, kind: str, *, today: dt.date | None = None) -> "Period":
        """The period of another type that holds this period's end (year for 2025-Q3 is 2025; month is 2025-09).

        A period still running ends, for this purpose, today: the current year's monthly value is this
        month's, not December's, which has no data yet.
        """
        month = self.last_month
        today = today or timezone.localdate()
        if self.start <= today < self.end and today.year == self.year:
            month = today.month
        if kind == "year":
            return Period("year", self.year)
        if kind == "half":
            return Period("half", self.year, 1 if month <= 6 else 2)
        if kind == "quarter":
            return Period("quarter", self.year, (month - 1) // 3 + 1)
        return Period("month", self.year, month)

    def previous(self) -> "Period":
        if self.kind == "year":
            return Period("year", self.year - 1)
        count = {"half": 2, "quarter": 4, "month": 12}[self.kind]
        if self.index == 1:
            return Period(self.kind, self.year - 1, count)
        return Period(self.kind, self.year, self.index - 1)

    def series(self, count: int) -> list["Period"]:
        """This period and the count - 1 before it, oldest first."""
        out = [self]
        while len(out) < count:
            out.append(out[-1].previous())
        return list(reversed(out))


def parse(text: str) -> Period:
    match = _PATTERN.match((text or "").strip())
    if not match:
        raise ValidationError(f"期间格式不正确：{text!r}（应为 2025、2025-Q3、2025-H1 或 2025-07）")
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年份超出范围：{year}")
    if match["q"]:
        return Period("quarter", year, int(match["q"]))
    if match["h"]:
        return Period("half", year, int(match["h"]))
    if match["m"]:
        return Period("month", year, int(match["m"]))
    return Period("year", year)


def today() -> dt.date:
    return timezone.localdate()


def current(kind: str, on: dt.date | None = None) -> Period:
    day = on or today()
    return Period("month", day.year, day.month).as_type(kind)


def periods_of_year(kind: str, year: int) -> list[Period]:
    count = {"year": 1, "half": 2, "quarter": 4, "month": 12}[kind]
    return [Period(kind, year, i + 1) for i in range(count)]

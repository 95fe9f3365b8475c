"""Small helpers to put residents and households into the register in tests."""

import datetime as dt
from typing import Any

from people import services
from people.idcard import make_number
from people.models import Household, Resident
from shequ.testing.world import BOB_UNIT

_sequence = iter(range(1, 10_000_000))


def id_number(birth: dt.date = dt.date(1950, 3, 4), gender: str = "M", area: str = "131102") -> str:
    return make_number(area, birth, next(_sequence) % 500, gender)


def household(unit: str = BOB_UNIT, number: str = "", **data: Any) -> Household:
    return services.create_household(actor=None, unit_code=unit, data={"number": number or f"H{next(_sequence)}", **data})


def resident(unit: str = BOB_UNIT, *, birth: dt.date = dt.date(1950, 3, 4), gender: str = "M", **data: Any) -> Resident:
    values: dict[str, Any] = {
        "name": "王大明", "id_number": id_number(birth, gender), "unit_code": unit, "phone": "13800138000",
    }
    values.update(data)
    return services.create_resident(actor=None, data=values)

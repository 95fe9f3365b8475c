"""Small helpers to put social organisations and purchases into the database in tests."""

import datetime as dt
from typing import Any

from shequ.testing.world import BOB_UNIT
from socialorgs import creditcode, services
from socialorgs.models import Organisation

_n = iter(range(1, 10_000_000))


def code(area: str = "131102") -> str:
    return creditcode.make(f"52{area}MJ{next(_n):07d}")


def org(actor: Any, unit: str = BOB_UNIT, **data: Any) -> Organisation:
    values: dict[str, Any] = {"name": f"桥东社工服务中心{next(_n)}", "kind": "service_agency", "status": "registered",
                              "credit_code": code(unit[:6]), "registered_on": dt.date(2022, 1, 1), "unit_code": unit,
                              "full_time_staff": 5, "part_time_staff": 2}
    values.update(data)
    return services.register_organisation(actor=actor, data=values)

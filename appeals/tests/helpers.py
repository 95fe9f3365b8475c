"""Make residents and requests for tests (the register may be empty)."""

import datetime
from typing import Any

from appeals import services
from appeals.models import Appeal
from people.crypto import encrypt
from people.models import Household, Resident
from shequ.testing.world import BOB_UNIT


def resident_for(user: Any, unit: str, *, lat: float | None = 37.74, lng: float | None = 115.70,
                 phone: str = "13700007777") -> Resident:
    household = Household.objects.create(unit_id=unit, number=f"H{user.pk}", address="幸福小区3号楼2单元101", lat=lat, lng=lng)
    return Resident.objects.create(unit_id=unit, account=user, household=household, name="王秀兰", gender="F",
                                   birth_date=datetime.date(1950, 1, 1), phone_enc=encrypt(phone) if phone else "")


def file(actor: Any = None, *, unit: str = BOB_UNIT, category: str = "sanitation", phone: str = "13800001111",
         text: str = "小区门口垃圾三天没人清运，味道很大", **kwargs: Any) -> Appeal:
    kwargs.setdefault("address", "河东街道桥东社区南门")
    kwargs.setdefault("rate_limit", False)
    return services.file_appeal(actor=actor, category_code=category, description=text, unit_code=unit, phone=phone, **kwargs)

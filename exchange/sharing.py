"""Shared datasets of the register (数据共享): what an agreement may serve, masked unless justified field by field.

residents_80_plus — residents present (在住) in the agreement's unit, aged 80 or more on the as-of date
(for the 高龄津贴). Fields: name (masked 张**), gender (GB/T 2261.1 code: 1 男, 2 女), birth_date (GB/T 7408;
masked to the year), age, unit_code, unit_name, id_number (GB 11643; masked to the area code).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from people import crypto
from people.masking import mask_id, mask_name
from people.models import Resident
from people.validation import age_on
from places.codes import within

GB_T_2261 = {"M": "1", "F": "2"}
PAGE_SIZE = 500


@dataclass(frozen=True)
class SharedField:
    key: str
    label: str
    standard: str
    clear: Callable[[Resident, dt.date], Any]
    masked: Callable[[Resident, dt.date], Any] | None = None  # None: not personal, always in the clear


FIELDS = [
    SharedField("name", "姓名", "", lambda r, d: r.name, lambda r, d: mask_name(r.name)),
    SharedField("gender", "性别", "GB/T 2261.1", lambda r, d: GB_T_2261.get(r.gender, "0")),
    SharedField("birth_date", "出生日期", "GB/T 7408", lambda r, d: r.birth_date.isoformat(),
                lambda r, d: f"{r.birth_date.year}"),
    SharedField("age", "年龄", "", lambda r, d: age_on(r.birth_date, d)),
    SharedField("unit_code", "村（社区）代码", "统计用区划代码", lambda r, d: r.unit_id),
    SharedField("unit_name", "村（社区）", "", lambda r, d: r.unit.name),
    SharedField("id_number", "身份证件号码", "GB 11643",
                lambda r, d: crypto.decrypt(r.id_number_enc) if r.id_number_enc else "",
                lambda r, d: r.id_number_masked or mask_id("")),
]
MASKABLE = [f.key for f in FIELDS if f.masked is not None]
SHARED_DATASETS = {"residents_80_plus": "80周岁及以上在住居民（高龄津贴）"}


def rows(prefix: str, as_of: dt.date, unmasked: set[str], page: int) -> list[dict[str, Any]]:
    """One page (PAGE_SIZE rows, by id) of residents aged 80+ on as_of in the subtree."""
    born_by = dt.date(as_of.year - 80, as_of.month, as_of.day if (as_of.month, as_of.day) != (2, 29) else 28)
    queryset = (Resident.objects.filter(within("unit_id", prefix), status=Resident.Status.PRESENT, birth_date__lte=born_by)
                .select_related("unit").order_by("id"))
    start = (page - 1) * PAGE_SIZE
    out = []
    for resident in queryset[start:start + PAGE_SIZE]:
        out.append({f.key: (f.clear if f.masked is None or f.key in unmasked else f.masked)(resident, as_of) for f in FIELDS})
    return out

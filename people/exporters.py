"""Resident export to .xlsx (居民信息导出), streamed so memory stays flat.

Masked by default (证件号码 131102********1234, 电话 138****5678). Unmasked export needs
people.permissions.can_export_unmasked; every export is audit-logged (who, when, how many
rows, which filters, masked or not) and carries a watermark with the exporter's name and time.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import audit
from people import crypto
from people.masking import mask_id, mask_phone
from people.models import Resident, ResidentTag
from people.permissions import can_export_unmasked, can_see_restricted_tags
from people.selectors import ID_LIKE, PHONE_LIKE, ResidentFilters, code_prefix, filter_residents
from people.tags import RESTRICTED_TAGS, Tag
from places.codes import within
from places.models import OrgUnit
from shequ import phones
from shequ.xlsx import write_table

EXPORT_HEADERS = [
    "姓名", "性别", "出生日期", "证件类型", "证件号码", "联系电话", "所属村（社区）代码", "所属村（社区）",
    "户编号", "与户主关系", "现住址", "人员标签", "状态",
]
CHUNK = 2000
FILTER_KEYS = ("unit", "tag", "status", "min_age", "max_age", "q")


class ExportRefused(PermissionError):
    pass


def clean_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    """The list page's filters (people.selectors.ResidentFilters) as plain JSON values."""
    filters: dict[str, Any] = {}
    for key in FILTER_KEYS:
        if key == "tag":
            tags = params.getlist("tag") if hasattr(params, "getlist") else list(params.get("tag") or [])
            if tags:
                filters["tag"] = [str(t) for t in tags if t]
        elif params.get(key) is not None:
            filters[key] = str(params.get(key)).strip()[:50]
    return filters


def finds_one_person(filters: Mapping[str, Any]) -> bool:
    """An exact ID or phone number in the search box (never stored in plaintext)."""
    compact = re.sub(r"[\s\-()（）+]", "", str(filters.get("q", "")))
    return bool(compact) and (bool(ID_LIKE.match(compact)) or (bool(PHONE_LIKE.match(compact)) and compact.isdigit()))


def loggable(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Filters as written to the audit log: an ID or phone number searched for is masked."""
    shown = dict(filters)
    if finds_one_person(filters):
        q = str(filters["q"])
        compact = re.sub(r"[\s\-()（）+]", "", q).upper()
        # Masked as the register stores it (people.masking on the normalised number), so no log adds a digit.
        shown["q"] = mask_id(compact) if ID_LIKE.match(compact) else mask_phone(phones.canonical(q))
    return shown


def residents_for_export(user: Any, filters: Mapping[str, Any]) -> QuerySet[Resident]:
    """What the user may export: the list page's query (their scope, narrowed by the filters)."""
    return filter_residents(user, ResidentFilters.from_params(filters)).order_by("unit_id", "pk")


def residents_of_unit(code: str, status: str = "") -> QuerySet[Resident]:
    """For the command line (an operator, whole city): a unit's subtree."""
    prefix = code_prefix(code) or code
    queryset = Resident.objects.filter(within("unit_id", prefix))
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("unit_id", "pk")


def watermark_for(actor: Any) -> str:
    name = getattr(actor, "display_name", "") or getattr(actor, "username", "") or "运维人员"
    username = getattr(actor, "username", "")
    who = f"{name}（{username}）" if username and username != name else name
    return f"导出人：{who}　导出时间：{timezone.localtime():%Y-%m-%d %H:%M}　仅限工作使用，不得外传"


def _rows(queryset: QuerySet[Resident], *, unmasked: bool, restricted: bool,
          on_row: Callable[[int], None]) -> Iterator[list[Any]]:
    unit_names = dict(OrgUnit.objects.villages().values_list("code", "name"))
    gender = dict(Resident.Gender.choices)
    id_type = dict(Resident.IdType.choices)
    relation = dict(Resident.Relation.choices)
    status = dict(Resident.Status.choices)
    tag_label = dict(Tag.choices)
    queryset = queryset.select_related("household").prefetch_related(
        Prefetch("tags", queryset=ResidentTag.objects.only("resident_id", "tag")))
    count = 0
    for person in _in_chunks(queryset):
        tags = [tag_label.get(t.tag, t.tag) for t in person.tags.all() if restricted or t.tag not in RESTRICTED_TAGS]
        yield [
            person.name, gender.get(person.gender, ""), person.birth_date.isoformat() if person.birth_date else "",
            id_type.get(person.id_type, ""),
            crypto.decrypt(person.id_number_enc) if unmasked else person.id_number_masked,
            crypto.decrypt(person.phone_enc) if unmasked else person.phone_masked,
            person.unit_id, unit_names.get(person.unit_id, ""),
            person.household.number if person.household else "", relation.get(person.relation, ""),
            person.current_address, "、".join(tags), status.get(person.status, ""),
        ]
        count += 1
        if count % 500 == 0:
            on_row(count)


def _in_chunks(queryset: QuerySet[Resident]) -> Iterator[Resident]:
    """The rows in (unit, pk) order, CHUNK at a time, each chunk read to the end before any row is used.

    No read stays open while the export (or its progress) writes: on SQLite an open read pins a snapshot,
    and a write from that connection after another user's commit fails at once with "database is locked".
    """
    queryset = queryset.order_by("unit_id", "pk")
    after: tuple[str, int] | None = None
    while True:
        page = queryset if after is None else queryset.filter(Q(unit_id__gt=after[0]) | Q(unit_id=after[0], pk__gt=after[1]))
        rows = list(page[:CHUNK])
        yield from rows
        if len(rows) < CHUNK:
            return
        after = (rows[-1].unit_id, rows[-1].pk)


def export_residents(stream: IO[bytes], queryset: QuerySet[Resident], *, actor: Any, unmasked: bool = False,
                     filters: Mapping[str, Any] | None = None, unit_code: str = "",
                     progress: Callable[[int], None] | None = None) -> int:
    """Write the residents of queryset to stream; returns the number of rows. Audit-logged."""
    operator = actor is None  # the command line: masked only
    if unmasked and (operator or not can_export_unmasked(actor)):
        raise ExportRefused("您没有导出未脱敏数据的权限")
    restricted = operator or can_see_restricted_tags(actor)
    count = write_table(stream, EXPORT_HEADERS,
                        _rows(queryset, unmasked=unmasked, restricted=restricted, on_row=progress or (lambda n: None)),
                        title="居民信息", watermark=watermark_for(actor))
    audit.record(actor=actor, username="operator", action="people.export_unmasked" if unmasked else "people.export",
                 unit_code=unit_code, detail={"rows": count, "unmasked": unmasked, "filters": loggable(filters or {})})
    return count

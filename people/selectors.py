"""Scoped reads of the register: filtered lists, search, pages of a fixed query count, households.

Lists are ordered by (unit_code, id) and read a page of LIMIT+1 rows from the index
(status, unit_code, id): the cost of a page does not grow with the register. The total
is counted only up to COUNT_CAP rows (shown as "1000+"), so the count stays cheap too.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.scoping import get_visible_or_404, scope_prefix
from people import crypto
from people.models import Household, Resident, ResidentEvent, ResidentMove, ResidentTag
from people.permissions import can_see_restricted_tags
from people.tags import DERIVED_AGE_TAGS, RESTRICTED_TAGS, Tag
from people.validation import normalise_id
from places.codes import within
from shequ import phones

PAGE_SIZE = 20
COUNT_CAP = 1000
MINOR_AGE = 18
ID_LIKE = re.compile(r"^[0-9]{17}[0-9Xx]$|^[A-Za-z]{1,2}[0-9]{6,18}$")
PHONE_LIKE = re.compile(r"^[0-9+\-\s()（）]{7,20}$")


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def birth_range_for_age(min_age: int | None, max_age: int | None, today: dt.date | None = None) -> Q:
    """Residents aged min_age..max_age (inclusive, in whole years) today."""
    today = today or timezone.localdate()
    q = Q()
    if min_age is not None:
        q &= Q(birth_date__lte=_years_ago(today, min_age))
    if max_age is not None:
        q &= Q(birth_date__gt=_years_ago(today, max_age + 1))
    return q


def derived_tag_q(code: str, today: dt.date | None = None) -> Q:
    """aged_60 / aged_80 / minor as a birth-date range (never stored)."""
    if code == "minor":
        return birth_range_for_age(None, MINOR_AGE - 1, today)
    return birth_range_for_age(DERIVED_AGE_TAGS[code][1], None, today)


def derived_tags(birth: dt.date, today: dt.date | None = None) -> list[tuple[str, str]]:
    today = today or timezone.localdate()
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    tags = []
    if age >= 80:
        tags.append(("aged_80", DERIVED_AGE_TAGS["aged_80"][0]))
    if age >= 60:
        tags.append(("aged_60", DERIVED_AGE_TAGS["aged_60"][0]))
    if age < MINOR_AGE:
        tags.append(("minor", DERIVED_AGE_TAGS["minor"][0]))
    return tags


def tag_choices(user: Any) -> list[tuple[str, str]]:
    """Tags this user may filter by and see: derived age tags, then the stored vocabulary."""
    restricted_ok = can_see_restricted_tags(user)
    derived = [(code, label) for code, (label, _) in DERIVED_AGE_TAGS.items()]
    return derived + [(t.value, t.label) for t in Tag if restricted_ok or t not in RESTRICTED_TAGS]


def visible_tags_queryset(user: Any) -> QuerySet[ResidentTag]:
    rows = ResidentTag.objects.order_by("tag")
    if not can_see_restricted_tags(user):
        rows = rows.exclude(tag__in=list(RESTRICTED_TAGS))
    return rows


def residents_visible_to(user: Any) -> QuerySet[Resident]:
    return Resident.objects.visible_to(user)


def resident_for_user(user: Any, pk: int) -> Resident:
    """One resident the user may see (404 otherwise), with unit, household and visible tags."""
    queryset = (residents_visible_to(user).select_related("unit", "household", "household__head")
                .prefetch_related(Prefetch("tags", queryset=visible_tags_queryset(user))))
    return get_visible_or_404(queryset, pk=pk)


def household_for_user(user: Any, pk: int) -> Household:
    return get_visible_or_404(Household.objects.visible_to(user).select_related("unit", "head"), pk=pk)


def code_prefix(code: str) -> str:
    """The significant prefix of a 12-digit unit code ("" when it is not one)."""
    if len(code) != 12 or not code.isdigit():
        return ""
    if code[4:] == "00000000":
        return code[:4]
    if code[6:] == "000000":
        return code[:6]
    if code[9:] == "000":
        return code[:9]
    return code


@dataclass
class ResidentFilters:
    unit: str = ""          # a unit code (its subtree), inside the user's scope
    tags: list[str] = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    status: str = "present"  # "" for every status
    q: str = ""              # partial name, or an exact ID / phone number
    household: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> "ResidentFilters":
        def number(key: str) -> int | None:
            raw = str(params.get(key) or "").strip()
            return int(raw) if raw.isdigit() and len(raw) <= 3 else None

        tags = params.getlist("tag") if hasattr(params, "getlist") else list(params.get("tag") or [])
        status = params.get("status")
        return cls(
            unit=str(params.get("unit") or "").strip(),
            tags=[t for t in tags if t],
            min_age=number("min_age"), max_age=number("max_age"),
            status="present" if status is None else str(status),
            q=str(params.get("q") or "").strip()[:50],
        )


def filter_residents(user: Any, filters: ResidentFilters) -> QuerySet[Resident]:
    """The user's residents narrowed by the filters (unfiltered fields add nothing to the query)."""
    rows = residents_visible_to(user)
    prefix = scope_prefix(user)
    if filters.unit and prefix is not None:
        significant = code_prefix(filters.unit)
        if significant.startswith(prefix):
            rows = rows.filter(within("unit_id", significant))
        elif not (significant and prefix.startswith(significant)):  # above the scope: the scope limits it
            rows = rows.none()
    if filters.status in Resident.Status.values:
        rows = rows.filter(status=filters.status)
    today = timezone.localdate()
    restricted_ok = can_see_restricted_tags(user)
    for code in filters.tags:
        if code in DERIVED_AGE_TAGS:
            rows = rows.filter(derived_tag_q(code, today))
        elif code in Tag.values and (restricted_ok or code not in RESTRICTED_TAGS):
            rows = rows.filter(Exists(ResidentTag.objects.filter(resident=OuterRef("pk"), tag=code)))
        else:
            rows = rows.none()
    if filters.min_age is not None or filters.max_age is not None:
        rows = rows.filter(birth_range_for_age(filters.min_age, filters.max_age, today))
    if filters.household is not None:
        rows = rows.filter(household_id=filters.household)
    if filters.q:
        rows = rows.filter(search_q(filters.q))
    return rows


def search_q(text: str) -> Q:
    """An exact ID or phone number (through the keyed hash), otherwise part of a name.

    A phone is looked up by its canonical digits (shequ.phones), however it is typed: 0318-1234567, 03181234567,
    (0318) 1234567 and +86 0318 1234567 find the same person.
    """
    text = text.strip()
    compact = re.sub(r"[\s\-()（）+]", "", text)
    if ID_LIKE.match(compact):
        return Q(id_number_hash=crypto.search_hash(normalise_id(compact)))
    if PHONE_LIKE.match(text) and compact.isdigit():
        return Q(phone_hash=crypto.search_hash(phones.canonical(text)))
    return Q(name__contains=text)


@dataclass
class Page:
    rows: list[Any]
    number: int
    has_next: bool
    total: int          # capped at COUNT_CAP
    capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def total_display(self) -> str:
        """The total, or a lower bound followed by "+" when it was not counted to the end."""
        return f"{self.total}+" if self.capped else str(self.total)


def paginate(rows: QuerySet[Any], page: Any, size: int = PAGE_SIZE, count: bool = True) -> Page:
    """A page of rows (LIMIT+1, no full count) and a total counted up to COUNT_CAP: two queries."""
    try:
        number = max(1, min(int(page or 1), 100000))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    fetched = list(rows[start:start + size + 1])
    if len(fetched) <= size and (fetched or number == 1):
        total, capped = start + len(fetched), False  # the last page: the total is known
    elif count:
        total = rows.order_by()[:COUNT_CAP + 1].count()
        capped = total > COUNT_CAP
        total = min(total, COUNT_CAP)
    else:
        total, capped = start + min(len(fetched), size), True
    return Page(rows=fetched[:size], number=number, has_next=len(fetched) > size, total=total, capped=capped)


def is_name_search(text: str) -> bool:
    return bool(text) and "name__contains" in str(search_q(text))


def resident_page(user: Any, filters: ResidentFilters, page: Any, size: int = PAGE_SIZE) -> Page:
    """One page of the list: rows with unit and visible tags preloaded (3 queries at most).

    A search by part of a name is not counted beyond the page (a common character would
    otherwise scan a county's rows just to count them).
    """
    rows = (filter_residents(user, filters).select_related("unit")
            .prefetch_related(Prefetch("tags", queryset=visible_tags_queryset(user)))
            .order_by("unit_id", "id"))
    return paginate(rows, page, size, count=not is_name_search(filters.q))


def household_list(user: Any, unit: str = "", q: str = "") -> QuerySet[Household]:
    rows = Household.objects.visible_to(user).select_related("unit", "head")
    prefix = scope_prefix(user)
    if unit and prefix is not None and code_prefix(unit).startswith(prefix):
        rows = rows.filter(within("unit_id", code_prefix(unit)))
    if q:
        rows = rows.filter(Q(number__contains=q) | Q(address__contains=q))
    return rows.order_by("unit_id", "id")


def household_members(user: Any, household: Household) -> list[Resident]:
    return list(
        residents_visible_to(user).filter(household=household)
        .prefetch_related(Prefetch("tags", queryset=visible_tags_queryset(user)))
        .order_by("-relation", "birth_date")
    )


def resident_history(user: Any, resident: Resident) -> list[ResidentEvent]:
    """The record's history (履历) as this user may read it.

    Changes of restricted tags are stored apart (restricted_summary): a user without the right gets the entries
    without them, and none of the entries that were only about them.
    """
    rows = resident.events.exclude(kind=ResidentEvent.Kind.REVEAL).select_related(None).order_by("-at", "-id")
    if can_see_restricted_tags(user):
        return list(rows[:100])
    events = list(rows.exclude(summary="", restricted_summary__gt="")[:100])
    for event in events:
        event.restricted_summary = ""
    return events


def reveal_log(resident: Resident) -> list[ResidentEvent]:
    return list(resident.events.filter(kind=ResidentEvent.Kind.REVEAL).order_by("-at", "-id")[:100])


def moves_of(resident: Resident) -> list[ResidentMove]:
    return list(resident.moves.select_related("from_unit", "to_unit").order_by("-moved_on", "-id"))


def moved_out_of(user: Any, unit: str = "") -> QuerySet[ResidentMove]:
    """The dated traces of people who moved out of the user's subtree (to another unit or out of the city)."""
    prefix = scope_prefix(user)
    if prefix is None:
        return ResidentMove.objects.none()
    rows = ResidentMove.objects.filter(within("from_unit_id", prefix)).exclude(
        to_unit__isnull=False, to_unit_id__gte=prefix.ljust(12, "0"), to_unit_id__lte=prefix.ljust(12, "9"))
    if unit and unit.isdigit() and unit.startswith(prefix):
        rows = rows.filter(from_unit_id=unit)  # type: ignore[misc]  # the stubs type to_field/user ids as int; these are unit codes / the signed-in User
    return rows.select_related("resident", "from_unit").order_by("-moved_on", "-id")

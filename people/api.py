"""Register API (/api/people/): residents and households, the same scoping as the pages, always masked.

Full ID and phone numbers never leave through the API: responses carry the masked forms only.
Writes go through people.services; validation errors answer 422 with {"detail": "...", "errors": {field: message}}.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from accounts.scoping import scope_prefix
from people import selectors, services
from people.models import Household, Resident, ResidentMove
from people.selectors import ResidentFilters
from people.validation import describe_detail
from shequ.apierrors import ErrorOut
from shequ.inputs import Age, PageNumber

router = Router(tags=["people"])


class TagOut(Schema):
    code: str = Field(description="标签代码（people.tags.Tag，或派生的 aged_60 / aged_80 / minor）")
    label: str
    detail: str = Field("", description="如残疾类别与等级、特殊困难情形")
    derived: bool = Field(False, description="由出生日期得出，不存储")


class ResidentOut(Schema):
    id: int
    name: str
    gender: str = Field(description="M 男 / F 女")
    birth_date: dt.date
    id_type: str
    id_number_masked: str = Field(description="脱敏证件号码：仅保留地区码，如 131102************")
    phone_masked: str = Field(description="脱敏电话，如 138****5678")
    unit_code: str
    unit_name: str
    household_id: int | None
    relation: str
    registered_here: bool
    status: str = Field(description="present 在住 / moved_out 已迁出本市 / deceased 已故")
    status_date: dt.date | None
    tags: list[TagOut]


class ResidentIn(Schema):
    name: str
    id_number: str = Field(description="证件号码（仅写入，永不返回）")
    id_type: str = "id_card"
    gender: str | None = Field(None, description="居民身份证可省略，由号码得出")
    birth_date: dt.date | None = Field(None, description="居民身份证可省略，由号码得出")
    phone: str = ""
    unit_code: str = Field(description="村（社区）代码，须在调用者管辖范围内")
    household_id: int | None = None
    relation: str = "other"
    current_address: str = ""
    hukou_address: str = ""
    registered_here: bool = True
    tags: list[str] = Field(default_factory=list, description="标签代码或中文名")
    tag_details: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                                   description='{"disabled": {"category": "physical", "grade": 2}}')


class ResidentPatch(Schema):
    name: str | None = None
    id_number: str | None = None
    id_type: str | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    household_id: int | None = None
    relation: str | None = None
    current_address: str | None = None
    hukou_address: str | None = None
    registered_here: bool | None = None
    tags: list[str] | None = None
    tag_details: dict[str, dict[str, Any]] | None = None


class ResidentPage(Schema):
    count: int = Field(description="符合条件的人数；count_capped 为真时只是下限（最多计到 1000，按姓名片段搜索时不另计数）")
    count_capped: bool = Field(description="为真表示实际人数多于 count")
    page: int
    has_next: bool
    items: list[ResidentOut]


class HouseholdOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    number: str
    is_registered: bool
    building: str
    entrance: str
    room: str
    group_no: str
    house_no: str
    address: str
    head_id: int | None
    lat: float | None
    lng: float | None


class HouseholdDetailOut(HouseholdOut):
    members: list[ResidentOut]


class HouseholdIn(Schema):
    unit_code: str
    number: str
    is_registered: bool = True
    building: str = ""
    entrance: str = ""
    room: str = ""
    group_no: str = ""
    house_no: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None


class HouseholdPatch(Schema):
    number: str | None = None
    is_registered: bool | None = None
    building: str | None = None
    entrance: str | None = None
    room: str | None = None
    group_no: str | None = None
    house_no: str | None = None
    address: str | None = None
    lat: float | None = None
    lng: float | None = None
    head_id: int | None = None


class HouseholdPage(Schema):
    count: int
    count_capped: bool
    page: int
    has_next: bool
    items: list[HouseholdOut]


class MoveOut(Schema):
    resident_name: str
    from_unit_code: str
    moved_on: dt.date
    destination: str = Field(description="本市其他村（社区） / 迁出本市 — 不含新地址")


class ResidentQuery(Schema):
    unit: str = Field("", description="单位代码，含其下级")
    tag: list[str] = Field(default_factory=list, description="可重复；同时满足")
    min_age: Age | None = None
    max_age: Age | None = None
    status: str = Field("present", description="present / moved_out / deceased，空为全部")
    q: str = Field("", description="姓名的一部分，或完整证件号码、电话")
    page: PageNumber = 1


def _staff(request: HttpRequest) -> Any:
    user: Any = request.user
    if scope_prefix(user) is None:
        raise Http404("未找到")
    return user


def _resident_out(resident: Resident) -> dict[str, Any]:
    tags = [{"code": code, "label": label, "derived": True} for code, label in selectors.derived_tags(resident.birth_date)]
    tags += [{"code": t.tag, "label": t.get_tag_display(), "detail": describe_detail(t.tag, t.detail)} for t in resident.tags.all()]
    return {
        "id": resident.pk, "name": resident.name, "gender": resident.gender, "birth_date": resident.birth_date,
        "id_type": resident.id_type, "id_number_masked": resident.id_number_masked, "phone_masked": resident.phone_masked,
        "unit_code": resident.unit_id, "unit_name": resident.unit.name, "household_id": resident.household_id,
        "relation": resident.relation, "registered_here": resident.registered_here, "status": resident.status,
        "status_date": resident.status_date, "tags": tags,
    }


def _household_out(household: Household) -> dict[str, Any]:
    return {
        "id": household.pk, "unit_code": household.unit_id, "unit_name": household.unit.name,
        **{f: getattr(household, f) for f in services.HOUSEHOLD_FIELDS}, "head_id": household.head_id,
    }


def _invalid(exc: ValidationError) -> Status[dict[str, Any]]:
    errors = {k: "；".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
    return Status(422, {"detail": "；".join(exc.messages), "errors": errors})


@router.get("/residents", response=ResidentPage, summary="Residents in the caller's scope (masked), filtered and paginated")
def resident_list(request: HttpRequest, filters: Query[ResidentQuery]) -> dict[str, Any]:
    user = _staff(request)
    criteria = ResidentFilters(unit=filters.unit, tags=filters.tag, min_age=filters.min_age, max_age=filters.max_age,
                               status=filters.status, q=filters.q[:50])
    page = selectors.resident_page(user, criteria, filters.page)
    return {"count": page.total, "count_capped": page.capped, "page": page.number, "has_next": page.has_next,
            "items": [_resident_out(r) for r in page.rows]}


@router.post("/residents", response={201: ResidentOut, 422: ErrorOut}, summary="Register a resident (validated like the web form)")
def resident_create(request: HttpRequest, payload: ResidentIn) -> Status[dict[str, Any]]:
    user = _staff(request)
    try:
        resident = services.create_resident(actor=user, data=payload.dict())
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _resident_out(selectors.resident_for_user(user, resident.pk)))


@router.get("/residents/{resident_id}", response=ResidentOut, summary="One resident (masked)")
def resident_detail(request: HttpRequest, resident_id: int) -> dict[str, Any]:
    user = _staff(request)
    return _resident_out(selectors.resident_for_user(user, resident_id))


@router.patch("/residents/{resident_id}", response={200: ResidentOut, 422: ErrorOut}, summary="Change a resident; omitted fields stay as they are")
def resident_update(request: HttpRequest, resident_id: int, payload: ResidentPatch) -> Status[dict[str, Any]]:
    user = _staff(request)
    resident = selectors.resident_for_user(user, resident_id)
    data = payload.dict(exclude_unset=True)
    try:
        services.update_resident(actor=user, resident=resident, data=data)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _resident_out(selectors.resident_for_user(user, resident_id)))


@router.get("/households", response=HouseholdPage, summary="Households in the caller's scope")
def household_list(request: HttpRequest, unit: str = "", q: str = "", page: PageNumber = 1) -> dict[str, Any]:
    user = _staff(request)
    result = selectors.paginate(selectors.household_list(user, unit, q[:40]), page)
    return {"count": result.total, "count_capped": result.capped, "page": result.number, "has_next": result.has_next,
            "items": [_household_out(h) for h in result.rows]}


@router.post("/households", response={201: HouseholdOut, 422: ErrorOut}, summary="Register a household")
def household_create(request: HttpRequest, payload: HouseholdIn) -> Status[dict[str, Any]]:
    user = _staff(request)
    data = payload.dict()
    unit_code = data.pop("unit_code")
    try:
        household = services.create_household(actor=user, unit_code=unit_code, data=data)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _household_out(selectors.household_for_user(user, household.pk)))


@router.get("/households/{household_id}", response=HouseholdDetailOut, summary="One household with its members (masked)")
def household_detail(request: HttpRequest, household_id: int) -> dict[str, Any]:
    user = _staff(request)
    household = selectors.household_for_user(user, household_id)
    return {**_household_out(household), "members": [_resident_out(m) for m in selectors.household_members(user, household)]}


@router.patch("/households/{household_id}", response={200: HouseholdOut, 422: ErrorOut}, summary="Change a household")
def household_update(request: HttpRequest, household_id: int, payload: HouseholdPatch) -> Status[dict[str, Any]]:
    user = _staff(request)
    household = selectors.household_for_user(user, household_id)
    try:
        services.update_household(actor=user, household=household, data=payload.dict(exclude_unset=True))
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _household_out(selectors.household_for_user(user, household_id)))


@router.get("/moves", response=list[MoveOut], summary="People who moved out of the caller's area (dated trace, no new address)")
def moves(request: HttpRequest, page: PageNumber = 1) -> list[dict[str, Any]]:
    user = _staff(request)
    rows: list[ResidentMove] = selectors.paginate(selectors.moved_out_of(user), page, size=100, count=False).rows
    return [{"resident_name": m.resident.name, "from_unit_code": m.from_unit_id, "moved_on": m.moved_on,
             "destination": "本市其他村（社区）" if m.to_unit_id else "迁出本市"} for m in rows]

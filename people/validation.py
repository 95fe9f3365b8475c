"""Validation of one resident row, shared by the web forms, the API, the services and the Excel importer.

    clean_resident_fields(data, *, actor, today=None, units=None, partial=False)
        -> tuple[dict[str, Any], dict[str, str]]

`data` maps field names to raw values (strings from a form or a spreadsheet cell, or
Python values). Keys, all optional except where marked:

    name*          姓名
    gender         性别: "M"/"F" or "男"/"女" (may be empty for an ID card: taken from the number)
    birth_date     出生日期: date or "YYYY-MM-DD" (may be empty for an ID card)
    id_type        证件类型: a Resident.IdType value or its Chinese label; default 居民身份证
    id_number*     证件号码
    phone          联系电话: the one phone rule, shequ.phones (a mobile, or a landline with its area code);
                   stored and hashed as its canonical digits (0318-1234567 → 03181234567)
    unit_code*     所属村（社区）代码: a village-level unit inside the actor's scope
    relation       与户主关系: a Resident.Relation value or label; default 其他
    current_address, hukou_address   现住址, 户籍地址 (text)
    registered_here  户籍在本村（社区） (bool or 是/否)
    tags           人员标签: list of codes/labels, or one string split on 、 , ， ; ；
                   A token may carry detail: "残疾:肢体:2" (category, grade 1–4),
                   "特殊困难老年人:失能" (condition).
    tag_details    {tag code: {"category": .., "grade": ..} | {"condition": ..}} (overrides token detail)

Returns (cleaned, errors). `errors` maps a field name (the keys above) to a Chinese
message; when it is empty, `cleaned` holds normalised values:
    name, gender, birth_date (date), id_type, id_number (normalised plaintext),
    id_number_hash, phone (canonical digits, "" when none), phone_hash, unit_code,
    relation, current_address, hukou_address, registered_here, tags (list of codes),
    tag_details ({code: detail dict}).
`resident_columns(cleaned)` turns that into Resident model field values (encrypting).

`actor` is the signed-in user (scope and the right to set restricted tags come from
them) or None for an operator at the command line (whole city, every tag).
`units` is an optional {code: OrgUnit} cache (e.g. every village-level unit, loaded
once by an importer); without it the unit is looked up in the database.
`partial=True` (updates) skips the "required" checks for keys that are absent.

Nothing here checks the register for duplicates: use `duplicate_message(id_hash, actor=...)`
(one query) or, for many rows, compare hashes yourself.
"""

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.utils import timezone

from accounts.scoping import can_see_unit
from people import crypto, idcard
from people.masking import mask_id, mask_name, mask_phone
from people.permissions import can_see_restricted_tags
from people.tags import RESTRICTED_TAGS, Tag
from shequ import phones

OTHER_ID_RE = re.compile(r"^[A-Z0-9]{6,20}$")
NAME_BAD_RE = re.compile(r"[0-9<>\"'%;&\\/@#$^*_=+|{}\[\]~`]")
TAG_SPLIT_RE = re.compile(r"[、,，;；\s]+")

DISABILITY_CATEGORIES = {
    "visual": "视力", "hearing": "听力", "speech": "言语", "physical": "肢体",
    "intellectual": "智力", "mental": "精神", "multiple": "多重",
}
HARDSHIP_CONDITIONS = {
    "disabled_care": "失能", "semi_disabled": "半失能", "aged_alone": "高龄独居",
    "low_income": "低保或低收入", "bereaved_family": "计划生育特殊家庭", "severe_illness": "重病",
    "other": "其他",
}
GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# Age rules for tags (years): a tag that only fits an age range.
ELDERLY_ONLY_TAGS = {Tag.EMPTY_NEST, Tag.LEFT_BEHIND_ELDERLY, Tag.SPECIAL_HARDSHIP_ELDERLY}
LEFT_BEHIND_CHILD_MAX_AGE = 16  # 农村留守儿童: under 16
ELDERLY_AGE = 60


@lru_cache(maxsize=32)
def _label_map(choices: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Value or Chinese label → value; cached because every imported row asks several times."""
    mapping: dict[str, str] = {}
    for value, label in choices:
        mapping[value.lower()] = value
        mapping[label] = value
    return mapping


def _choice(raw: Any, choices: Iterable[tuple[str, str]]) -> str | None:
    text = str(raw or "").strip()
    mapping = _label_map(tuple(choices))
    return mapping.get(text) or mapping.get(text.lower())


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def normalise_id(raw: Any) -> str:
    return str(raw or "").strip().replace(" ", "").upper()


def _parse_date(raw: Any) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
        raise


def _bool(raw: Any, default: bool = True) -> bool:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in {"1", "true", "yes", "y", "on", "是", "户籍"}


def parse_tags(raw: Any) -> tuple[list[str], dict[str, dict[str, Any]], list[str]]:
    """Tags from a list or a 、-separated string → (codes, details from tokens, unknown tokens)."""
    if raw is None or raw == "":
        return [], {}, []
    tokens = [str(t).strip() for t in raw] if isinstance(raw, list | tuple | set) else TAG_SPLIT_RE.split(str(raw))
    codes: list[str] = []
    details: dict[str, dict[str, Any]] = {}
    unknown: list[str] = []
    for token in tokens:
        if not token:
            continue
        head, *rest = re.split(r"[:：]", token)
        code = _choice(head, Tag.choices)
        if code is None:
            unknown.append(token)
            continue
        if code not in codes:
            codes.append(code)
        if rest and code == Tag.DISABLED:
            details[code] = {"category": rest[0], **({"grade": rest[1]} if len(rest) > 1 else {})}
        elif rest and code == Tag.SPECIAL_HARDSHIP_ELDERLY:
            details[code] = {"condition": rest[0]}
    return codes, details, unknown


def _clean_detail(code: str, raw: Mapping[str, Any] | None) -> tuple[dict[str, Any], str | None]:
    raw = raw or {}
    if code == Tag.DISABLED:
        category_raw = str(raw.get("category") or "").strip().removesuffix("残疾")
        grade_raw = str(raw.get("grade") or "").strip().removeprefix("第").removesuffix("级")
        if not category_raw and not grade_raw:
            return {}, None
        category = category_raw if category_raw in DISABILITY_CATEGORIES else next(
            (k for k, v in DISABILITY_CATEGORIES.items() if v == category_raw), None)
        if category is None:
            return {}, f"残疾类别应为：{'、'.join(DISABILITY_CATEGORIES.values())}"
        grade = GRADE_WORDS.get(grade_raw)
        if grade is None:
            return {}, "残疾等级应为1至4级"
        return {"category": category, "grade": grade}, None
    if code == Tag.SPECIAL_HARDSHIP_ELDERLY:
        condition_raw = str(raw.get("condition") or "").strip()
        if not condition_raw:
            return {}, None
        condition = condition_raw if condition_raw in HARDSHIP_CONDITIONS else next(
            (k for k, v in HARDSHIP_CONDITIONS.items() if v == condition_raw), None)
        if condition is None:
            return {}, f"特殊困难情形应为：{'、'.join(HARDSHIP_CONDITIONS.values())}"
        return {"condition": condition}, None
    return {}, None


def describe_detail(code: str, detail: Mapping[str, Any]) -> str:
    """Chinese text for a tag's detail, e.g. 肢体二级."""
    if code == Tag.DISABLED and detail.get("category"):
        grade = "一二三四"[int(detail.get("grade", 1)) - 1] if detail.get("grade") else ""
        return f"{DISABILITY_CATEGORIES.get(detail['category'], '')}{grade}级" if grade else DISABILITY_CATEGORIES.get(detail["category"], "")
    if code == Tag.SPECIAL_HARDSHIP_ELDERLY and detail.get("condition"):
        return HARDSHIP_CONDITIONS.get(detail["condition"], "")
    return ""


def _unit_error(code: str, *, actor: Any, units: Mapping[str, Any] | None) -> str | None:
    if not re.fullmatch(r"\d{12}", code):
        return "村（社区）代码应为12位数字"
    if units is not None:
        unit = units.get(code)
    else:
        from places.models import OrgUnit

        unit = OrgUnit.objects.filter(code=code).only("code", "level").first()
    if unit is None:
        return "村（社区）代码不存在"
    if unit.level != "village":
        return "应填写村（社区）一级的代码"
    if actor is not None and not can_see_unit(actor, code):
        return "该村（社区）不在您的管辖范围内"
    return None


def clean_resident_fields(
    data: Mapping[str, Any],
    *,
    actor: Any,
    today: dt.date | None = None,
    units: Mapping[str, Any] | None = None,
    partial: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate one resident row; see the module docstring for keys and results."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}

    def given(key: str) -> bool:
        return not partial or key in data

    # 姓名
    if given("name"):
        name = str(data.get("name") or "").strip()
        if not name:
            errors["name"] = "请填写姓名"
        elif len(name) > 50:
            errors["name"] = "姓名不能超过50个字"
        elif NAME_BAD_RE.search(name):
            errors["name"] = "姓名不能包含数字或特殊符号"
        cleaned["name"] = name

    # 证件类型与号码
    from people.models import Resident

    id_type = "id_card"
    if given("id_type"):
        raw_type = data.get("id_type")
        if raw_type not in (None, ""):
            found = _choice(raw_type, Resident.IdType.choices)
            if found is None:
                errors["id_type"] = "证件类型应为：" + "、".join(label for _, label in Resident.IdType.choices)
            id_type = found or "id_card"
        cleaned["id_type"] = id_type
    facts: idcard.IdFacts | None = None
    id_problem = False
    if given("id_number"):
        number = normalise_id(data.get("id_number"))
        if not number:
            errors["id_number"] = "请填写证件号码"
        elif id_type == "id_card":
            try:
                facts = idcard.parse(number, today=today)
            except idcard.InvalidIdNumber as exc:
                errors["id_number"] = str(exc)
        elif not OTHER_ID_RE.match(number):
            errors["id_number"] = "证件号码应为6至20位字母或数字"
        id_problem = "id_number" in errors
        cleaned["id_number"] = number
        cleaned["id_number_hash"] = crypto.search_hash(number) if number else None
    # With an ID card, gender and birth date may be left empty (taken from the number).
    from_id = id_type == "id_card" and (facts is not None or id_problem)

    # 性别、出生日期（须与身份证号码一致）
    if given("gender") or facts is not None:
        raw_gender = data.get("gender")
        gender = _choice(raw_gender, [("M", "男"), ("F", "女")]) if raw_gender not in (None, "") else None
        if raw_gender not in (None, "") and gender is None:
            errors["gender"] = "性别应为“男”或“女”"
        elif gender is None and not from_id:
            errors["gender"] = "请选择性别"
        if facts is not None:
            if gender is not None and gender != facts.gender:
                errors["gender"] = f"性别与身份证号码不符（号码显示为{'男' if facts.gender == 'M' else '女'}）"
            gender = facts.gender
        cleaned["gender"] = gender
    if given("birth_date") or facts is not None:
        birth: dt.date | None = None
        try:
            birth = _parse_date(data.get("birth_date"))
        except (ValueError, TypeError):
            errors["birth_date"] = "出生日期格式应为 YYYY-MM-DD"
        else:
            if birth is not None and (birth > today or birth.year < 1890):
                errors["birth_date"] = "出生日期不合理"
            elif birth is None and not from_id:
                errors["birth_date"] = "请填写出生日期"
        if facts is not None:
            if birth is not None and birth != facts.birth_date and "birth_date" not in errors:
                errors["birth_date"] = f"出生日期与身份证号码不符（号码显示为{facts.birth_date:%Y-%m-%d}）"
            birth = facts.birth_date
        cleaned["birth_date"] = birth

    # 联系电话
    if given("phone"):
        try:
            phone = phones.clean(data.get("phone"))
        except ValueError as exc:
            errors["phone"] = str(exc)
            phone = phones.canonical(data.get("phone"))
        cleaned["phone"] = phone
        cleaned["phone_hash"] = crypto.search_hash(phone) if phone else ""

    # 所属村（社区）
    if given("unit_code"):
        code = str(data.get("unit_code") or "").strip()
        if not code:
            errors["unit_code"] = "请填写所属村（社区）代码"
        else:
            problem = _unit_error(code, actor=actor, units=units)
            if problem:
                errors["unit_code"] = problem
        cleaned["unit_code"] = code

    # 与户主关系
    if given("relation"):
        raw_relation = data.get("relation")
        relation = _choice(raw_relation, Resident.Relation.choices) if raw_relation not in (None, "") else "other"
        if relation is None:
            errors["relation"] = "与户主关系应为：" + "、".join(label for _, label in Resident.Relation.choices)
        cleaned["relation"] = relation or "other"

    for key, label, limit in (("current_address", "现住址", 200), ("hukou_address", "户籍地址", 200)):
        if given(key):
            text = str(data.get(key) or "").strip()
            if len(text) > limit:
                errors[key] = f"{label}不能超过{limit}个字"
            cleaned[key] = text
    if given("registered_here"):
        cleaned["registered_here"] = _bool(data.get("registered_here"))

    # 人员标签
    if given("tags") or given("tag_details"):
        codes, token_details, unknown = parse_tags(data.get("tags"))
        restricted_ok = actor is None or can_see_restricted_tags(actor)
        problems: list[str] = []
        if unknown:
            problems.append(f"未知的人员标签：{'、'.join(unknown)}")
        forbidden = [Tag(c).label for c in codes if c in RESTRICTED_TAGS and not restricted_ok]
        if forbidden:
            problems.append(f"您无权设置受限标签：{'、'.join(forbidden)}")
        details: dict[str, dict[str, Any]] = {}
        raw_details = {**token_details, **dict(data.get("tag_details") or {})}
        for code in codes:
            detail, problem = _clean_detail(code, raw_details.get(code))
            if problem:
                problems.append(problem)
            if detail:
                details[code] = detail
        birth_for_tags = cleaned.get("birth_date")
        if isinstance(birth_for_tags, dt.date):
            age = age_on(birth_for_tags, today)
            too_young = [Tag(c).label for c in codes if c in ELDERLY_ONLY_TAGS and age < ELDERLY_AGE]
            if too_young:
                problems.append(f"{'、'.join(too_young)}仅适用于60岁及以上老年人")
            if Tag.LEFT_BEHIND_CHILD in codes and age >= LEFT_BEHIND_CHILD_MAX_AGE:
                problems.append("留守儿童仅适用于不满16周岁的儿童")
        grade = details.get(Tag.DISABLED, {}).get("grade")
        if Tag.SEVERE_DISABILITY in codes and grade is not None and grade > 2:
            problems.append("重度残疾应为一级或二级残疾")
        if Tag.SEVERE_DISABILITY in codes and Tag.DISABLED not in codes:
            problems.append("登记重度残疾时须同时登记“残疾”标签")
        if problems:
            errors["tags"] = "；".join(problems)
        cleaned["tags"] = codes
        cleaned["tag_details"] = details
    return cleaned, errors


def resident_columns(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Resident model field values for a cleaned row: encrypted, hashed and masked columns."""
    columns: dict[str, Any] = {}
    for key in ("name", "gender", "birth_date", "id_type", "relation", "current_address", "hukou_address", "registered_here"):
        if key in cleaned:
            columns[key] = cleaned[key]
    if "unit_code" in cleaned:
        columns["unit_id"] = cleaned["unit_code"]
    if "id_number" in cleaned:
        number = cleaned["id_number"]
        columns["id_number_enc"] = crypto.encrypt(number)
        columns["id_number_hash"] = cleaned.get("id_number_hash") or (crypto.search_hash(number) if number else None)
        columns["id_number_masked"] = mask_id(number)
    if "phone" in cleaned:
        phone = cleaned["phone"]
        columns["phone_enc"] = crypto.encrypt(phone)
        columns["phone_hash"] = cleaned.get("phone_hash", "")
        columns["phone_masked"] = mask_phone(phone)
    return columns


# The answer for an ID number registered outside the actor's scope: it points to the move-in procedure (迁入),
# where each look-up is audited and limited (people.services.record_move_in_lookups), and names nothing.
REGISTERED_ELSEWHERE = ("该证件号码不能在本辖区新登记。如该居民是从本市其他村（社区）迁来，"
                        "请使用“迁入”办理（须填写完整证件号码和姓名，每次查询都会记录）。")


def duplicate_message(id_hash: str | None, *, actor: Any, exclude_pk: int | None = None) -> str | None:
    """The error for an ID number already in the register, or None.

    Inside the actor's scope it names where the duplicate lives; outside it, it is REGISTERED_ELSEWHERE, which the
    services count as a move-in look-up (so that the register is no free oracle of who is registered in the city).
    """
    if not id_hash:
        return None
    from people.models import Resident

    query = Resident.objects.filter(id_number_hash=id_hash)
    if exclude_pk is not None:
        query = query.exclude(pk=exclude_pk)
    other = query.select_related("unit").only("name", "unit__name", "unit__code").first()
    if other is None:
        return None
    if actor is None or can_see_unit(actor, other.unit_id):
        return f"该证件号码已登记：{other.unit.name}的{mask_name(other.name)}（记录编号{other.pk}）"
    return REGISTERED_ELSEWHERE

"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): every resource in .json and .xml.

Public output never carries personal data: no names, phones or e-mails; a request filed at the resident's
own home shows only the community, not the address or the point; phone and ID numbers written into a
description are masked in any spacing, and so are the filer's own name and address (public_text).
"""

import math
import re
from datetime import date, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 (we only build XML, never parse it)

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from appeals import conf, selectors, services
from appeals.importers import category_by_code
from appeals.models import Appeal, Category, Channel, LocationKind, State
from people.masking import mask_name
from places.codes import is_valid_code
from shequ.logfilters import mask_numbers

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
# Paging (the common GeoReport v2 extension): GET requests answers a page, and a Link header (rel="next") when there is
# another; page × page_size may not reach past MAX_PAGES pages of the largest size.
DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 10_000
CHANGESET = "2026-12-03T00:00:00+08:00"

ATTRIBUTES: dict[str, list[dict[str, Any]]] = {
    "utilities": [{
        "code": "utility", "datatype": "singlevaluelist", "required": False, "order": 2,
        "description": "哪一类公用事业", "datatype_description": "",
        "values": [("water", "停水/供水"), ("power", "停电/供电"), ("gas", "停气/供气"), ("heating", "供暖"), ("telecom", "通信宽带")],
    }],
    "noise": [{
        "code": "period", "datatype": "singlevaluelist", "required": False, "order": 2,
        "description": "扰民时段", "datatype_description": "",
        "values": [("day", "白天"), ("night", "夜间（22:00–6:00）")],
    }],
}
COMMUNITY_ATTRIBUTE = {
    "code": "community", "datatype": "string", "required": False, "order": 1,
    "description": "所在村（社区）的12位统计区划代码；不填时按位置分派",
    "datatype_description": "12位数字，例如 131102001045", "values": [],
}

HOUSE_DETAIL = re.compile(r"[0-9０-９一二三四五六七八九十A-Za-z]+\s*(号楼|栋|幢|单元|室|户|层|楼).*$|\d+-\d+(-\d+)?.*$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# ---- rendering ----------------------------------------------------------------------------------------

def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif isinstance(value, list):
        singular = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}.get(key, "item")
        for item in value:
            _xml_value(child, singular, item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def render(fmt: str, data: Any, *, root: str, item: str = "", status: int = 200) -> HttpResponse:
    if fmt == "json":
        import json

        return HttpResponse(json.dumps(data, ensure_ascii=False), content_type=FORMATS["json"], status=status)
    top = ET.Element(root)
    if isinstance(data, list):
        for row in data:
            element = ET.SubElement(top, item)
            for key, value in row.items():
                _xml_value(element, key, value)
    else:
        for key, value in data.items():
            _xml_value(top, key, value)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, content_type=FORMATS["xml"], status=status)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt if fmt in FORMATS else "json", [{"code": status, "description": description}],
                  root="errors", item="error", status=status)


def endpoint(view: Any) -> Any:
    """Checks the format and jurisdiction, maps Open311Error to the spec's error list."""

    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in FORMATS:
            return error("json", 404, f"format not supported: {fmt} (use .json or .xml)")
        try:
            jurisdiction = _param(request, "jurisdiction_id")
            if jurisdiction and jurisdiction != conf.JURISDICTION_ID:
                raise Open311Error(404, "jurisdiction_id provided was not found")
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _param(request: HttpRequest, name: str) -> str:
    """Empty optional parameters count as absent."""
    source = request.POST if request.method == "POST" else request.GET
    return (source.get(name) or "").strip()


def w3c(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


EARLIEST = date(2000, 1, 1)  # before the city's records began
LATEST = date(2099, 12, 31)


def _parse_when(raw: str, name: str) -> datetime:
    """A W3C datetime (or date) between 2000 and 2099; anything else is the client's error (400), never a 500."""
    wrong = Open311Error(400, f"{name} must be a W3C datetime between {EARLIEST} and {LATEST}, e.g. 2026-11-01T00:00:00+08:00")
    try:
        value = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
        if value is None:
            day = parse_date(raw)
            if day is None:
                raise wrong
            value = datetime.combine(day, datetime.min.time())
        if not EARLIEST <= value.date() <= LATEST:
            raise wrong
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
    except (ValueError, OverflowError) as exc:  # a well-formed but impossible date (2026-99-99) or offset
        raise wrong from exc
    return value


def _positive(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = _param(request, name)
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Open311Error(400, f"{name} must be a whole number from 1 to {maximum}")
    return int(raw)


# ---- resources ----------------------------------------------------------------------------------------

@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2")
    return render(fmt, {
        "changeset": CHANGESET,
        "contact": "衡水市城乡社区服务信息系统 · 12345",
        "key_service": "api_key 由系统管理员在系统配置中为每个客户端签发，可随时吊销",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2", "url": base, "changeset": CHANGESET,
            "type": "production", "formats": ["text/xml", "application/json"],
        }],
        "paging": {
            "description": ("GET requests: the last 90 days by default (at most 90 days per query), newest first, "
                            "one page at a time; the Link header (rel=\"next\") gives the next page's URL when there is one"),
            "parameters": ["page", "page_size"], "default_page_size": DEFAULT_PAGE_SIZE, "max_page_size": MAX_RESULTS,
        },
    }, root="discovery")


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code, "service_name": category.name, "description": category.covers,
        "metadata": True, "type": "realtime", "keywords": category.covers.replace("、", ","),
        "group": category.lead_department_name,
    }


@endpoint
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        raise Open311Error(400, "services accepts GET only")
    rows = [_service(c) for c in selectors.categories()]
    return render(fmt, rows, root="services", item="service")


def _attributes(code: str) -> list[dict[str, Any]]:
    out = []
    for attribute in [COMMUNITY_ATTRIBUTE, *ATTRIBUTES.get(code, [])]:
        out.append({
            "variable": True, "code": attribute["code"], "datatype": attribute["datatype"], "required": attribute["required"],
            "datatype_description": attribute["datatype_description"], "order": attribute["order"],
            "description": attribute["description"],
            "values": [{"key": k, "name": n} for k, n in attribute["values"]],
        })
    return out


@endpoint
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = category_by_code(code)
    if category is None:
        raise Open311Error(404, f"service_code {code} not found")
    return render(fmt, {"service_code": category.code, "attributes": _attributes(category.code)}, root="service_definition")


def public_text(text: str, appeal: Appeal) -> str:
    """What the public sees of text a filer wrote — the one masking rule of every public output: phone and ID numbers
    masked in any spacing (shequ.logfilters.mask_numbers), the filer's own name masked (王**), their own address cut
    to the street (a home address taken out altogether)."""
    text = mask_numbers(text or "")
    resident = appeal.resident if appeal.resident_id else None
    for name in {appeal.contact_name.strip(), (getattr(resident, "name", "") or "").strip()}:
        if len(name) >= 2:
            text = text.replace(name, mask_name(name))
    household = getattr(resident, "household", None) if resident is not None else None
    homes = {(getattr(household, "address", "") or "").strip(), (getattr(resident, "current_address", "") or "").strip()}
    if appeal.location_kind == LocationKind.HOME:
        homes.add(appeal.address.strip())
    for address in sorted(homes - {""}, key=len, reverse=True):
        text = text.replace(address, "（住址已隐去）")
    address = appeal.address.strip()
    if len(address) >= 4 and address in text:
        text = text.replace(address, public_address(address) or "（地址已隐去）")
    return text


def public_address(address: str) -> str:
    """The street or estate, never the building, entrance or room of a home."""
    cut = HOUSE_DETAIL.sub("", address).strip()
    return f"{cut}附近" if cut and cut != address else cut


def public_request(appeal: Appeal) -> dict[str, Any]:
    at_home = appeal.location_kind == LocationKind.HOME
    notes = State(appeal.state).label
    if appeal.merged_into_id:
        notes = f"与 {appeal.merged_into.tracking_no} 合并办理" if appeal.merged_into else notes
    return {
        "service_request_id": appeal.tracking_no,
        "status": "open" if appeal.state != State.CLOSED else "closed",
        "status_notes": notes,
        "service_name": appeal.category.name,
        "service_code": appeal.category.code,
        "description": public_text(appeal.description, appeal),
        "agency_responsible": appeal.department.name if appeal.department else appeal.unit.name,
        "service_notice": "",
        "requested_datetime": w3c(appeal.created_at),
        "updated_datetime": w3c(appeal.updated_at),
        "expected_datetime": w3c(appeal.reply_due_at),
        "address": appeal.home_unit.name if at_home else (public_address(appeal.address) or appeal.home_unit.name),
        "address_id": "",
        "zipcode": "",
        # Rounded to about 100 m: enough to find the problem, not enough to find a home.
        "lat": None if at_home or appeal.lat is None else round(appeal.lat, 3),
        "long": None if at_home or appeal.lng is None else round(appeal.lng, 3),
        "media_url": "",
    }


def _public_rows() -> Any:
    return Appeal.objects.select_related("category", "unit", "department", "home_unit", "merged_into", "resident",
                                         "resident__household")


@csrf_exempt
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return post_request(request, fmt=fmt)
    return get_requests(request, fmt=fmt)


@endpoint
def get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        raise Open311Error(400, "requests accepts GET and POST only")
    rows = _public_rows()
    ids = _param(request, "service_request_id")
    if ids:
        rows = rows.filter(tracking_no__in=[i.strip() for i in ids.split(",") if i.strip()][:MAX_RESULTS])
    else:
        codes = _param(request, "service_code")
        if codes:
            rows = rows.filter(category__code__in=[c.strip() for c in codes.split(",") if c.strip()])
        statuses = {s.strip().lower() for s in _param(request, "status").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed")
        if statuses == {"open"}:
            rows = rows.exclude(state=State.CLOSED)
        elif statuses == {"closed"}:
            rows = rows.filter(state=State.CLOSED)
        start_raw, end_raw = _param(request, "start_date"), _param(request, "end_date")
        end = _parse_when(end_raw, "end_date") if end_raw else timezone.now()
        start = _parse_when(start_raw, "start_date") if start_raw else end - timedelta(days=DEFAULT_DAYS)
        if end_raw and not start_raw:
            start = end - timedelta(days=DEFAULT_DAYS)
        if start_raw and not end_raw:
            end = min(start + timedelta(days=DEFAULT_DAYS), max(timezone.now(), start))
        if end < start:
            raise Open311Error(400, "end_date must not be before start_date")
        if end - start > timedelta(days=DEFAULT_DAYS):
            raise Open311Error(400, "start_date and end_date may not span more than 90 days")
        rows = rows.filter(created_at__gte=start, created_at__lte=end)
    page = _positive(request, "page", 1, MAX_PAGES)
    size = _positive(request, "page_size", DEFAULT_PAGE_SIZE, MAX_RESULTS)
    window = list(rows.order_by("-created_at", "-id")[(page - 1) * size:page * size + 1])
    response = render(fmt, [public_request(a) for a in window[:size]], root="service_requests", item="request")
    if len(window) > size and page < MAX_PAGES:
        query = request.GET.copy()
        query["page"], query["page_size"] = str(page + 1), str(size)
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
    return response


@endpoint
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    appeal = _public_rows().filter(tracking_no=request_id).first()
    if appeal is None:
        raise Open311Error(404, f"service_request_id {request_id} not found")
    return render(fmt, [public_request(appeal)], root="service_requests", item="request")


@endpoint
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    appeal = Appeal.objects.filter(token=token).only("tracking_no", "token").first()
    if appeal is None:
        raise Open311Error(404, f"token {token} not found")
    return render(fmt, [{"service_request_id": appeal.tracking_no, "token": appeal.token}],
                  root="service_requests", item="request")


def _landing_unit(request: HttpRequest, lat: float | None, lng: float | None) -> str:
    """attribute[community] when given; else the community of the nearest registered household; else the city desk."""
    code = _param(request, "attribute[community]")
    if code:
        if not is_valid_code(code):
            raise Open311Error(400, f"attribute[community] {code} is not a known unit code")
        return code
    if lat is not None and lng is not None:
        from people.models import Household

        d = 0.02
        near = [(str(u), float(a), float(o)) for u, a, o in  # type: ignore[arg-type]  # lat/lng range filter: the values are never None
                Household.objects.filter(lat__range=(lat - d, lat + d), lng__range=(lng - d, lng + d))
                .values_list("unit_id", "lat", "lng")[:500]]
        scale = math.cos(math.radians(lat))
        best = min(near, key=lambda r: math.hypot(r[1] - lat, (r[2] - lng) * scale), default=None)
        if best is not None:
            return str(best[0])
    return services.CITY_CODE


@endpoint
def post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    client = services.client_for_key(_param(request, "api_key"))
    if client is None:
        raise Open311Error(403, "api_key is missing, invalid or revoked")
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, "service_code is required")
    category = category_by_code(code)
    if category is None:
        raise Open311Error(400, f"service_code {code} not found")
    lat_raw, lng_raw = _param(request, "lat"), _param(request, "long")
    address = _param(request, "address_string") or _param(request, "address_id")
    lat = lng = None
    if lat_raw or lng_raw:
        try:
            lat, lng = float(lat_raw), float(lng_raw)
        except ValueError as exc:
            raise Open311Error(400, "lat and long must both be decimal degrees") from exc
        if not (math.isfinite(lat) and math.isfinite(lng)):
            raise Open311Error(400, "lat and long must both be decimal degrees")
    if lat is None and not address:
        raise Open311Error(400, "a location is required: lat & long, address_string or address_id")
    description = _param(request, "description")[:4000] or category.name
    attributes = [f"{k[10:-1]}={v}" for k, v in request.POST.items() if k.startswith("attribute[") and k != "attribute[community]" and v]
    if attributes:
        description += "\n（" + "；".join(attributes)[:300] + "）"
    name = f"{_param(request, 'last_name')}{_param(request, 'first_name')}"
    try:
        appeal = services.file_appeal(
            actor=None, api_client=client, channel=Channel.OPEN311, category=category,
            description=description, unit_code=_landing_unit(request, lat, lng), contact_name=name[:50],
            phone=_param(request, "phone"), location_kind=LocationKind.POINT if lat is not None else LocationKind.ADDRESS,
            address=address[:200], lat=lat, lng=lng,
        )
    except ValidationError as exc:
        raise Open311Error(400, "；".join(exc.messages)) from exc
    notice = f"已受理，受理编号 {appeal.tracking_no}，答复时限 {timezone.localtime(appeal.reply_due_at):%Y-%m-%d %H:%M}"
    data = [{"service_request_id": appeal.tracking_no, "token": appeal.token, "service_notice": notice, "account_id": None}]
    return render(fmt, data, root="service_requests", item="request", status=201)


"""The API's one error shape, {"detail": "...", "errors": {field: message}}, for every 4xx, and its place in the schema.

- A request the schema refuses (missing body, wrong type, a number out of range) answers 400 with each field's
  problem in Chinese, never ninja's bare 422 list; a body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413.
- Services' validation errors stay 422 (people, facilities); 401, 403, 404 and 409 carry the same shape.
- document_errors() declares these answers on every operation of the OpenAPI schema.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

from shequ.middleware import TOO_BIG_MESSAGE


class ErrorOut(Schema):
    detail: str = Field(description="中文错误说明")
    errors: dict[str, str] = Field(default_factory=dict, description="字段 → 中文错误说明")


ERROR_DESCRIPTIONS = {
    400: "请求不正确（参数缺失、类型或取值范围不符，或含有控制字符）",
    401: "未登录、令牌无效，或用户名与密码不符",
    403: "无权执行该操作（如会话方式缺少 CSRF 令牌）",
    404: "未找到，或不在调用者的管辖范围内",
    409: "与现有数据冲突",
    413: "请求内容过大",
    422: "数据未通过业务校验",
}

PYDANTIC_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文本",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "json_invalid": "不是有效的 JSON",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "model_attributes_type": "应为对象",
}


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{context.get('le', context.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{context.get('ge', context.get('gt'))}"
    if kind == "string_too_long":
        return f"最多{context.get('max_length')}个字符"
    if kind == "value_error":  # raised by our own validators (shequ.inputs.date_in_range): already Chinese
        return str(context.get("error", error.get("msg", "取值不正确")))
    return PYDANTIC_MESSAGES.get(kind, str(error.get("msg", "取值不正确")))


def request_invalid(request: HttpRequest, exc: RequestInvalid, api: NinjaAPI) -> HttpResponse:
    errors: dict[str, str] = {}
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload"))
        errors.setdefault(where or "body", _message(error))
    detail = "；".join(f"{k}：{v}" for k, v in errors.items())
    return api.create_response(request, {"detail": f"请求参数不正确：{detail}", "errors": errors}, status=400)


def install(api: NinjaAPI) -> None:
    """Every exception the API turns into an answer, in the one shape."""

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message = str(exc)
        if isinstance(exc, AuthenticationError):
            message = "未登录或令牌无效"
        elif isinstance(exc, AuthorizationError):
            message = "无权执行该操作"
        return api.create_response(request, {"detail": message, "errors": {}}, status=exc.status_code)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": "未找到", "errors": {}}, status=404)

    def too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:g}"
        return api.create_response(request, {"detail": TOO_BIG_MESSAGE.format(limit=limit), "errors": {}}, status=413)

    def invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        return request_invalid(request, exc, api)

    api.add_exception_handler(RequestInvalid, invalid)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(RequestDataTooBig, too_big)


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the error answers each operation can give, all with the Error schema."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ErrorOut.model_json_schema()
    reference = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            codes = [400, 401, 404, 422]  # 401 also where no sign-in is needed: a wrong password for a token
            if operation.get("security"):
                codes += [403]
            if "requestBody" in operation:
                codes += [413]
            # ninja keys its own answers by int; one key per status, or the JSON has duplicate keys (Swagger UI refuses it)
            responses = operation["responses"] = {str(key): value for key, value in operation.get("responses", {}).items()}
            for code in codes:
                responses.setdefault(str(code), {"description": ERROR_DESCRIPTIONS[code], **reference})
    return schema

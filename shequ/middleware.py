"""Request-level input checks, before any view: no control characters or lone surrogates, no oversized bodies.

Every entry point (pages, forms, the JSON API, Open311) gets the same rule from shequ.inputs: a query string,
form field, uploaded file's name or JSON string holding a forbidden character answers 400, a body over
DATA_UPLOAD_MAX_MEMORY_SIZE answers 413, each with a Chinese message in the caller's format, and nothing runs.
"""

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape

from shequ import inputs

TOO_BIG_MESSAGE = "请求内容过大（上限 {limit} MB），请分批提交或压缩附件。"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """The refusal in the format of the interface called: the API's error shape, Open311's list, or plain text."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}}, status=status, json_dumps_params={"ensure_ascii": False})
    if request.path.startswith("/open311/") and request.path.endswith(".xml"):  # GeoReport v2 errors, in XML
        body = f"<?xml version='1.0' encoding='utf-8'?><errors><error><code>{status}</code>" \
               f"<description>{escape(message)}</description></error></errors>"
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    if request.path.startswith("/open311/"):
        return JsonResponse([{"code": status, "description": message}], status=status, safe=False,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _form_data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = dict(request.POST.lists())
    for name, files in request.FILES.lists():
        data[name] = [f.name or "" for f in files]
    return data


def _body_problem(request: HttpRequest) -> str | None:
    """Where a forbidden character sits in the body, if anywhere."""
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        return inputs.find_forbidden(_form_data(request))
    if request.body:  # the API reads a JSON body whatever Content-Type says
        try:
            parsed = json.loads(request.body)
        except ValueError:
            return None  # not JSON: the API answers that itself
        return inputs.find_forbidden(parsed)
    return None


class InputCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = inputs.find_forbidden(dict(request.GET.lists()))
        if where is None and request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                where = _body_problem(request)
            except RequestDataTooBig:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
                return refusal(request, 413, TOO_BIG_MESSAGE.format(limit=f"{limit:g}"))
            except (TooManyFieldsSent, MultiPartParserError):
                return refusal(request, 400, "请求格式不正确。")
        if where is not None:
            return refusal(request, 400, inputs.forbidden_message(where))
        return self.get_response(request)

"""Request ids and structured logs (docs/ops.md "Logs").

`RequestIdMiddleware` takes the proxy's `X-Request-ID` (nginx: `proxy_set_header X-Request-ID $request_id;`) when it
is a plain token, or makes one, keeps it in a context variable for the request, and returns it in the response
header. `RequestIdFilter` puts it on every log record (`request_id`, "-" outside a request), `JsonFormatter` writes
one JSON object per line (LOG_FORMAT=json). A task enqueued during the request carries the id in its stored
arguments (`args_kwargs["request_id"]`, which django-tasks ignores) and the worker sets it while the task runs.

Imported by settings: no models at import time.
"""

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
HEADER = "X-Request-ID"
# What a proxy's id may look like (nginx's $request_id is 32 hex digits; a UUID has dashes). Anything else, e.g. a
# client's header with a line break meant to forge a log line, is replaced by our own id.
VALID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        rid = given if VALID.fullmatch(given) else new_id()
        request.request_id = rid  # type: ignore[attr-defined]  # the request id rides on the request object for the views and log filter
        # Kept past the middleware: Django logs a 4xx/5xx after the chain returns. ops.signals clears it on
        # request_finished, and the next request sets its own.
        request_id.set(rid)
        response = self.get_response(request)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            request = getattr(record, "request", None)  # django.request's records carry the request
            record.request_id = getattr(request, "request_id", None) or request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and exc when there is one.
    Runs after the handler's filters, so the message and traceback are already masked (shequ.logfilters)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get() or "-",
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        for key in ("status_code", "server_time"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(*, fmt: str, level: str) -> dict[str, Any]:
    """settings.LOGGING. Every handler masks phone and ID numbers (shequ.logfilters) and adds the request id, also in
    django.request and the development server's access log (django.server); Django's own handlers for the "django"
    logger are replaced, so nothing bypasses the filters."""
    if fmt not in ("json", "text"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {fmt!r}")
    filters = ["personal_data", "request_id"]
    if fmt == "json":
        console: dict[str, Any] = {"()": "ops.logs.JsonFormatter"}
        server = console
    else:
        console = {"format": "{levelname} {name} [{request_id}] {message}", "style": "{"}
        server = {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"personal_data": {"()": "shequ.logfilters.MaskPersonalData"}, "request_id": {"()": "ops.logs.RequestIdFilter"}},
        "formatters": {"console": console, "django.server": server},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "console", "filters": filters},
            "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": filters},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
            "django.db.backends": {"level": "WARNING"},
        },
    }

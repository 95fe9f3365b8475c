import io
import json
import logging
import logging.config
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import request_finished
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django_tasks_db.models import DBTaskResult

from appeals.tasks import check_deadlines
from ops.logs import RequestIdMiddleware, logging_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The settings' own json handler (formatter and filters), writing into a buffer."""
    stream = io.StringIO()
    config = logging_config(fmt="json", level="INFO")
    logging.config.dictConfig(config)
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        logging.config.dictConfig(settings.LOGGING)


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_it_carries_the_proxy_request_id_to_the_response_and_the_log(json_log) -> None:
    response = Client().get("/no-such-page/13912345678/", headers={"X-Request-ID": "0f2c9d4e8a7b4c1d9e6f5a3b2c1d0e9f"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "0f2c9d4e8a7b4c1d9e6f5a3b2c1d0e9f"
    [record] = [r for r in _records(json_log) if r["logger"] == "django.request"]
    assert record["request_id"] == "0f2c9d4e8a7b4c1d9e6f5a3b2c1d0e9f"
    assert record["level"] == "WARNING"
    assert "139****5678" in record["message"] and "13912345678" not in record["message"]  # masking stays on
    assert record["time"].endswith("+00:00")


def test_it_makes_a_request_id_when_none_or_a_forged_one_is_given(json_log) -> None:
    made = Client().get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    forged = "abc\nINFO fake line"
    response = RequestIdMiddleware(lambda request: HttpResponse())(RequestFactory().get("/", HTTP_X_REQUEST_ID=forged))
    assert response["X-Request-ID"] != forged and len(response["X-Request-ID"]) == 32
    assert Client().get("/healthz")["X-Request-ID"] != made  # one per request


def test_it_writes_text_logs_with_the_request_id_by_default() -> None:
    assert settings.LOGGING["formatters"]["console"]["format"] == "{levelname} {name} [{request_id}] {message}"
    script = ("import django, logging; django.setup(); from django.conf import settings; "
              "print(settings.LOGGING['formatters']['console'])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={**_env(), "LOG_FORMAT": "json"}).stdout
    assert "ops.logs.JsonFormatter" in out
    bad = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**_env(), "LOG_FORMAT": "xml"})
    assert bad.returncode != 0 and "LOG_FORMAT must be json or text" in bad.stderr


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "DJANGO_SETTINGS_MODULE": "shequ.settings"}


@pytest.mark.django_db(transaction=True)  # the worker runs outside the test's transaction
def test_it_passes_the_request_id_to_the_task_enqueued_during_the_request(json_log) -> None:
    def view(request):
        check_deadlines.enqueue()
        return HttpResponse()

    RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="nginx-req-0001"))
    request_finished.send(sender=None)  # as the handler does once the response is sent
    check_deadlines.enqueue()  # outside any request: no id
    stored = sorted(str(r.args_kwargs.get("request_id")) for r in DBTaskResult.objects.all())
    assert stored == ["None", "nginx-req-0001"]
    call_command("task_worker", "--batch", "--no-startup-delay", "--worker-id", "log-test", verbosity=1)
    done = [r for r in _records(json_log) if r["logger"] == "django_tasks" and "SUCCESSFUL" in r["message"]]
    assert sorted(r["request_id"] for r in done) == ["-", "nginx-req-0001"]

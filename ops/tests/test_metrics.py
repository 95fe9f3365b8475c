from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from appeals.tasks import check_deadlines
from ops import heartbeat

pytestmark = pytest.mark.django_db


def _scrape(client: Client | None = None, **headers: str) -> dict[tuple[str, frozenset], float]:
    response = (client or Client()).get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_it_counts_requests_latency_and_errors_per_view() -> None:
    view = {"view": "ops:healthz", "method": "GET"}
    before = _scrape()
    for _ in range(3):
        Client().get("/healthz")
    Client().post("/readyz")  # 405: an error of another view
    after = _scrape()
    count = "django_http_requests_total_by_view_transport_method_total"
    assert _value(after, count, transport="http", **view) - _value(before, count, transport="http", **view) == 3
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    assert _value(after, latency, **view) - _value(before, latency, **view) == 3
    status = "django_http_responses_total_by_status_view_method_total"
    errors = {"status": "405", "view": "ops:readyz", "method": "POST"}
    assert _value(after, status, **errors) - _value(before, status, **errors) == 1


def test_it_reports_the_task_queue_depth_failures_and_heartbeat() -> None:
    heartbeat.beat("w1", now=timezone.now() - timedelta(seconds=30))
    for _ in range(2):
        check_deadlines.enqueue()
    failed = DBTaskResult.objects.get(pk=check_deadlines.enqueue().id)
    failed.claim("w1")
    failed.set_failed(RuntimeError("短信网关不可用"))
    samples = _scrape()
    assert _value(samples, "shequ_task_queue_depth", queue="default") == 2
    assert _value(samples, "shequ_tasks", status="FAILED") == 1
    assert _value(samples, "shequ_tasks", status="READY") == 2
    assert _value(samples, "shequ_task_failures_last_hour", task="appeals.tasks.check_deadlines") == 1
    assert _value(samples, "shequ_task_oldest_ready_seconds") >= 0
    assert 29 <= _value(samples, "shequ_task_worker_heartbeat_age_seconds") < 60


def test_it_refuses_metrics_to_an_address_not_allowed(settings) -> None:
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    response = Client(REMOTE_ADDR="192.0.2.7").get("/metrics")
    assert response.status_code == 403
    assert "禁止访问" in response.content.decode()
    assert b"django_http" not in response.content
    _scrape(Client(REMOTE_ADDR="10.1.2.3"))  # a Prometheus inside the allowed network


def test_it_admits_a_scraper_with_the_token_and_refuses_a_wrong_one(settings) -> None:
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    client = Client(REMOTE_ADDR="192.0.2.7")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics").status_code == 403
    samples = _scrape(client, Authorization="Bearer s3cret-scrape-token")
    assert any(name == "shequ_task_queue_depth" or name.startswith("django_http") for name, _ in samples)


def test_it_accepts_no_token_when_none_is_set(settings) -> None:
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403

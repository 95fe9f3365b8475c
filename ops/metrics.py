"""Prometheus metrics (docs/ops.md). Requests per view come from django-prometheus's middleware; the task queue
is read from django-tasks' table at scrape time, so every web process reports the same numbers whichever process ran
the tasks (a counter in the worker would be lost with it and need the worker to be scraped too).
"""

import hmac
import ipaddress
import os
from collections.abc import Iterator
from datetime import timedelta

import prometheus_client
from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ops import heartbeat

FAILURE_WINDOW = timedelta(hours=1)


class TaskQueueCollector(Collector):
    """shequ_task_queue_depth{queue}, shequ_task_oldest_ready_seconds, shequ_tasks{status},
    shequ_task_failures_last_hour{task}, shequ_task_worker_heartbeat_age_seconds."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        depth = GaugeMetricFamily("shequ_task_queue_depth", "Tasks ready to run now, per queue", labels=["queue"])
        ready = DBTaskResult.objects.ready()
        for row in ready.values("queue_name").annotate(n=Count("id")).order_by("queue_name"):
            depth.add_metric([row["queue_name"]], row["n"])
        yield depth
        oldest = ready.aggregate(at=Min("enqueued_at"))["at"]
        yield GaugeMetricFamily("shequ_task_oldest_ready_seconds", "Age of the oldest task waiting to run (0: none)",
                                value=(now - oldest).total_seconds() if oldest else 0.0)
        by_status = GaugeMetricFamily("shequ_tasks", "Task rows in the table, per status", labels=["status"])
        counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in TaskResultStatus.values:
            by_status.add_metric([status], counts.get(status, 0))
        yield by_status
        failures = GaugeMetricFamily("shequ_task_failures_last_hour", "Tasks that failed in the last hour, per task",
                                     labels=["task"])
        failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, finished_at__gte=now - FAILURE_WINDOW)
        for row in failed.values("task_path").annotate(n=Count("id")).order_by("task_path"):
            failures.add_metric([row["task_path"]], row["n"])
        yield failures
        last = heartbeat.latest()
        yield GaugeMetricFamily("shequ_task_worker_heartbeat_age_seconds", "Seconds since the newest worker heartbeat (-1: none)",
                                value=(now - last).total_seconds() if last else -1.0)


def exposition() -> bytes:
    """The text format of every metric: this process's (or, with PROMETHEUS_MULTIPROC_DIR, every gunicorn worker's)
    request metrics and the task queue."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.CollectorRegistry()
        registry.register(_DefaultMetrics())
    registry.register(TaskQueueCollector())
    return prometheus_client.generate_latest(registry)


class _DefaultMetrics(Collector):
    """The process-global registry (django-prometheus's request metrics, process and platform collectors)."""

    def collect(self) -> Iterator[prometheus_client.Metric]:
        yield from prometheus_client.REGISTRY.collect()


def allowed(request: HttpRequest) -> bool:
    """A scraper at an address in METRICS_ALLOWED_IPS (the client address after ClientAddressMiddleware, so a request
    relayed by the local nginx counts as its real client), or one presenting `Authorization: Bearer <METRICS_TOKEN>`."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS)

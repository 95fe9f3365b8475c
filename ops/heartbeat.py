"""The task worker's heartbeat: django-tasks' db_worker writes none, so `manage.py task_worker` runs it with a thread
that upserts this process's WorkerHeartbeat row every TASK_WORKER_HEARTBEAT_SECONDS.

What a fresh heartbeat proves: a worker process is running and can write to the database. What it does not: that
a task is making progress (a task stuck forever keeps its process beating) — the queue-depth metric and its oldest
ready task's age (ops.metrics) show that.
"""

import logging
import os
import socket
import threading
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat(worker_id: str, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
        create_defaults={"beat_at": now, "started_at": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
    )


def latest() -> datetime | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def start(worker_id: str) -> threading.Event:
    """Beat now and then every TASK_WORKER_HEARTBEAT_SECONDS in a daemon thread; set the returned event to stop."""
    stop = threading.Event()
    interval = settings.TASK_WORKER_HEARTBEAT_SECONDS
    beat(worker_id)

    def loop() -> None:
        while not stop.wait(interval):
            try:
                beat(worker_id)
            except Exception:  # a failed beat shows as a stale heartbeat on /readyz, never kills the worker
                logger.exception("task worker heartbeat failed")
            finally:
                connection.close()

    threading.Thread(target=loop, name="task-worker-heartbeat", daemon=True).start()
    return stop

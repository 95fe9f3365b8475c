from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """后台任务进程心跳 — one row per running `manage.py task_worker` process, refreshed every
    `TASK_WORKER_HEARTBEAT_SECONDS` by a thread of that process (ops.heartbeat). `/readyz` reads the newest."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "后台任务心跳"

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.hostname}"

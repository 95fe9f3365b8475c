"""In-app notifications (站内消息), the one inbox every module writes to through web.notify."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    kind = models.CharField("类别", max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "站内消息"
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title


class Job(models.Model):
    """A long import or export running in the background, with live progress for the person who started it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        REJECTED = "rejected", "校验未通过"
        FAILED = "failed", "出错"

    kind = models.CharField("类别", max_length=60)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    unit_code = models.CharField("范围单位", max_length=12, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField("仅校验", default=False)
    params = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to="jobs/in/", blank=True)
    result_file = models.FileField(upload_to="jobs/out/", blank=True)
    error_file = models.FileField(upload_to="jobs/errors/", blank=True)
    total = models.PositiveIntegerField("总行数", default=0)
    checked = models.PositiveIntegerField("已校验", default=0)
    written = models.PositiveIntegerField("已写入", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    message = models.TextField("结果说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "后台任务"
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["queued", "running", "done", "rejected", "failed"]),
                                   name="job_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "运维"

    def ready(self) -> None:
        from ops import signals  # noqa: F401 — connects the request id to enqueued tasks

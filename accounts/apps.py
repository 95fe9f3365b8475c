from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与审计"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (login events go to the audit log)

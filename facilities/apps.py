from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = "服务设施"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "探访关爱与应急"

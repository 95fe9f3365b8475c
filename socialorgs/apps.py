from django.apps import AppConfig


class SocialorgsConfig(AppConfig):
    name = "socialorgs"
    verbose_name = "社会力量"

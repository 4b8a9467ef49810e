from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "dspt.access"
    label = "access"
    verbose_name = "Data access requests"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dspt.core"
    label = "core"

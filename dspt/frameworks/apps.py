from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "dspt.frameworks"
    label = "frameworks"

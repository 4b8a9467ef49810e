from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "dspt.support"
    label = "support"

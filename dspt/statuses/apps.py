from django.apps import AppConfig


class StatusesConfig(AppConfig):
    name = "dspt.statuses"
    label = "statuses"

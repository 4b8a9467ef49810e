from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dspt.api"
    label = "api"

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dspt.demo"
    label = "demo"

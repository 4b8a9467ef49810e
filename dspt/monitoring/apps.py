from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "dspt.monitoring"
    label = "monitoring"

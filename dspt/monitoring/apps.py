from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "dspt.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from dspt.monitoring.engine import connect_signals

        connect_signals()

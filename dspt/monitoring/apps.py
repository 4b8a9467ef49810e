from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "dspt.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from dspt.core.signals import facts_changed
        from dspt.monitoring.population import on_facts_changed

        facts_changed.connect(on_facts_changed, dispatch_uid="location-dimension")

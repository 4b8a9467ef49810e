from django.apps import AppConfig


class StatusesConfig(AppConfig):
    name = "dspt.statuses"
    label = "statuses"

    def ready(self) -> None:
        from dspt.statuses.search_index import connect_signals

        connect_signals()

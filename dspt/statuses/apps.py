from django.apps import AppConfig


class StatusesConfig(AppConfig):
    name = "dspt.statuses"
    label = "statuses"

    def ready(self) -> None:
        from dspt.statuses import public_cache, search_index

        search_index.connect_signals()
        public_cache.connect_signals()

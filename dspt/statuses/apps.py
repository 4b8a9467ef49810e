from django.apps import AppConfig


class StatusesConfig(AppConfig):
    name = "dspt.statuses"
    label = "statuses"

    def ready(self) -> None:
        from dspt.core.signals import facts_changed
        from dspt.statuses import intervals, search_index

        facts_changed.connect(intervals.on_facts_changed, dispatch_uid="status-intervals")
        facts_changed.connect(search_index.on_facts_changed, dispatch_uid="search-index")

from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "dspt.changes"
    label = "changes"

    def ready(self) -> None:
        from dspt.changes.marks import connect_signals

        connect_signals()

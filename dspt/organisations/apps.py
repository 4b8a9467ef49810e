from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "dspt.organisations"
    label = "organisations"

    def ready(self) -> None:
        from dspt.organisations.signals import connect

        connect()

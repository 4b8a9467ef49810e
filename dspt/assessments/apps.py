from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "dspt.assessments"
    label = "assessments"

    def ready(self) -> None:
        from dspt.assessments.signals import connect

        connect()

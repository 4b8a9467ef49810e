from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "dspt.assessments"
    label = "assessments"

from django.apps import AppConfig


class ImprovementPlansConfig(AppConfig):
    name = "dspt.improvement_plans"
    label = "improvement_plans"

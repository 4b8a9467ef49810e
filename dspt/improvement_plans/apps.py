from django.apps import AppConfig


class ImprovementPlansConfig(AppConfig):
    name = "dspt.improvement_plans"
    label = "improvement_plans"

    def ready(self) -> None:
        from dspt.assessments.signals import published
        from dspt.improvement_plans.lifecycle import on_published

        published.connect(on_published, dispatch_uid="plans-follow-publications")

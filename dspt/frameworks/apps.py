from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "dspt.frameworks"
    label = "frameworks"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from dspt.frameworks.models import DeadlineOverride

        post_save.connect(_moved, sender=DeadlineOverride, dispatch_uid="deadline-facts-save")
        post_delete.connect(_moved, sender=DeadlineOverride, dispatch_uid="deadline-facts-delete")


def _moved(sender, raw=False, **kwargs) -> None:
    """A moved deadline changes when publications expire: every status interval is rewritten."""
    from dspt.core.signals import Fact, announce

    if not raw:
        announce(Fact.DEADLINES)

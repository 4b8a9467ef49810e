from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "dspt.support"
    label = "support"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from dspt.support.models import LSO

        post_save.connect(_area_changed, sender=LSO, dispatch_uid="areas-LSO-save")
        post_delete.connect(_area_changed, sender=LSO, dispatch_uid="areas-LSO-delete")


def _area_changed(sender, raw=False, **kwargs) -> None:
    """An LSO's name shows in every figure by LSO area: the location table follows it."""
    from dspt.core.signals import Fact, announce

    if not raw:
        announce(Fact.AREAS)

"""Organisations announce their own changes (dspt.core.signals) so derived tables keep in step.

A save or delete of one organisation is announced by the model signals below. Bulk writers
(`bulk_create`, `bulk_update`, `QuerySet.update`: the importers, the demo) send no model
signals and call `announce` themselves once, after their writes.
"""

from django.db.models.signals import post_delete, post_save, pre_delete

from dspt.core.signals import Fact, announce


def _saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        announce(Fact.ORGANISATIONS, [instance.pk])


def _deleting(sender, instance, **kwargs) -> None:
    # Its sites lose their head office (SET_NULL, no signal): remember them for after.
    instance._sites_before_delete = list(instance.sites.values_list("id", flat=True))


def _deleted(sender, instance, **kwargs) -> None:
    announce(Fact.ORGANISATIONS, [instance.pk, *getattr(instance, "_sites_before_delete", [])])


def _area_changed(sender, raw=False, **kwargs) -> None:
    if not raw:
        announce(Fact.AREAS)


def connect() -> None:
    from dspt.organisations.models import ICB, LSO, LocalAuthority, Organisation, Region

    post_save.connect(_saved, sender=Organisation, dispatch_uid="org-facts-save")
    pre_delete.connect(_deleting, sender=Organisation, dispatch_uid="org-facts-deleting")
    post_delete.connect(_deleted, sender=Organisation, dispatch_uid="org-facts-delete")
    # An area's name shows in every figure by that area: the location table follows it.
    for model in (LocalAuthority, Region, ICB, LSO):
        for signal in (post_save, post_delete):
            signal.connect(_area_changed, sender=model, dispatch_uid=f"areas-{model.__name__}")

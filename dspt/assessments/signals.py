"""Publications announce their changes (dspt.core.signals) so status intervals keep in step.

Saving or deleting a publication (publishing, a plan approval, a certificate change) and
changing the sites it covers are announced here for its owner; the listeners rewrite the owner
and its sites. Bulk writers call `announce` themselves.

`published` is sent once a publish (dspt.assessments.publishing) has committed, with the
`publication`: the improvement plans start, move or close theirs (dspt.improvement_plans.apps).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from dspt.core.signals import Fact, announce

published = Signal()


def _publication(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        announce(Fact.PUBLICATIONS, [instance.organisation_id])


def _covers(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if reverse:  # site.covered_by_publications.add(...): instance is the site
        owners = model.objects.filter(pk__in=pk_set or ()).values_list("organisation_id", flat=True)
        announce(Fact.PUBLICATIONS, [*owners, instance.pk])
    else:
        announce(Fact.PUBLICATIONS, [instance.organisation_id])


def connect() -> None:
    from dspt.assessments.models import Publication

    post_save.connect(_publication, sender=Publication, dispatch_uid="pub-facts-save")
    post_delete.connect(_publication, sender=Publication, dispatch_uid="pub-facts-delete")
    m2m_changed.connect(_covers, sender=Publication.covers.through, dispatch_uid="pub-covers")

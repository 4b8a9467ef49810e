"""Which LSO records a person may read and change: the one place that decides it.

LSO staff: their own LSO's records only. Programme team and platform admins: every LSO's.
Anyone else: none. Views and the API look records up through these querysets, so another
LSO's record is simply not found (404), never swapped for one's own.
"""

from __future__ import annotations

from django.db.models import QuerySet

from dspt.accounts.remits import remit_of
from dspt.organisations.models import LSO
from dspt.support.models import ActivityRecord, Engagement


def lsos_for(user) -> QuerySet[LSO]:
    """The LSOs whose records this person works on."""
    remit = remit_of(user)
    if remit is None:
        return LSO.objects.none()
    if remit.national:
        return LSO.objects.all()
    if remit.lso_code:
        return LSO.objects.filter(code=remit.lso_code)
    return LSO.objects.none()


def engagements_for(user) -> QuerySet[Engagement]:
    return Engagement.objects.filter(lso__in=lsos_for(user)).select_related("organisation", "lso")


def activity_for(user) -> QuerySet[ActivityRecord]:
    return ActivityRecord.objects.filter(lso__in=lsos_for(user)).select_related("lso")

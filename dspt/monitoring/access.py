"""Who may see which monitoring figures: the one place that decides it.

A person's remit (dspt.accounts.remits) says what their role lets them see:

- Programme team, platform admins (and superusers): national figures, any area, every LSO.
- LSO staff: their own LSO's area only; other LSOs appear only in the aggregate comparison.
- Commissioners: their own watchlist and their own area (their local authority, or their ICB).
- Everyone else (organisation members, reviewers, processors): none of this.

Here each page and endpoint turns it into an answer: refused, an area's figures, an LSO.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from dspt.accounts.remits import Area, Remit, remit_of
from dspt.monitoring.sql import NATIONAL, Scope
from dspt.organisations.models import LSO

AREA_KINDS = ("lso", "region", "icb", "local_authority")


def scope_of(area: Area) -> Scope:
    """The figures' scope for an area: the same kind, code and label, with its SQL condition."""
    return Scope(area.kind, area.code, area.label)


def require_remit(user) -> Remit:
    remit = remit_of(user)
    if remit is None:
        raise PermissionDenied(
            "Compliance monitoring is for commissioners, LSOs and the programme."
        )
    return remit


def require_national(user) -> Remit:
    remit = require_remit(user)
    if not remit.national:
        raise PermissionDenied("This page is for the national programme team.")
    return remit


def require_commissioner(user) -> Remit:
    remit = require_remit(user)
    if remit.commissioner_id is None:
        raise PermissionDenied("Watchlists belong to commissioners.")
    return remit


def lso_for(user, requested: str | None):
    """The LSO whose records the person works on: their own; national users may choose any.

    Asking for another LSO's records is refused, never silently swapped for their own.
    """
    remit = require_remit(user)
    if remit.national:
        code = requested or LSO.objects.values_list("code", flat=True).first()
        lso = LSO.objects.filter(code=code).first() if code else None
        if lso is None:
            raise PermissionDenied("Choose an LSO.")
        return lso
    if remit.lso_code is None:
        raise PermissionDenied("This page is for LSO staff and the programme team.")
    if requested and requested != remit.lso_code:
        raise PermissionDenied("You can only see your own LSO's records.")
    return LSO.objects.get(code=remit.lso_code)


def scope_from(remit: Remit, kind: str | None, code: str | None, names: dict) -> Scope:
    """The area a request asks for, checked against the remit (default: their home area)."""
    if not kind or kind == "national":
        scope = NATIONAL if remit.national else scope_of(remit.home)
        if kind == "national" and not remit.national:
            raise PermissionDenied("National figures are for the programme team.")
        return scope
    if kind not in AREA_KINDS or not code:
        raise PermissionDenied("Unknown area.")
    label = names.get(kind, {}).get(code)
    if label is None:
        raise PermissionDenied("Unknown area.")
    scope = Scope(kind, code, label)
    if not remit.allows(scope):
        raise PermissionDenied("You can only see your own area's figures.")
    return scope

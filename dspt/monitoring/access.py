"""Who may see which monitoring figures: the one place that decides it.

- Programme team, platform admins (and superusers): national figures, any area, every LSO.
- LSO staff: their own LSO's area only; other LSOs appear only in the aggregate comparison.
- Commissioners: their own watchlist and their own area (their local authority, or their ICB).
- Everyone else (organisation members, reviewers, processors): none of this.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from dspt.accounts.models import OversightRole
from dspt.monitoring.sql import NATIONAL, Scope
from dspt.organisations.models import ICB, OrgType

AREA_KINDS = ("lso", "region", "icb", "local_authority")


@dataclass(frozen=True)
class Remit:
    national: bool = False
    lso_code: str | None = None
    commissioner_id: int | None = None  # the commissioning organisation
    home: Scope = NATIONAL  # the area their dashboards open on

    def allows(self, scope: Scope) -> bool:
        """May this person see figures for `scope`?"""
        return self.national or (scope.kind, scope.code) == (self.home.kind, self.home.code)


def remit_of(user) -> Remit | None:
    """The person's monitoring remit, or None if they have none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    role = user.oversight_role
    if user.is_superuser or role in (OversightRole.PROGRAMME, OversightRole.PLATFORM_ADMIN):
        return Remit(national=True)
    if role == OversightRole.LSO and user.lso_id:
        return Remit(lso_code=user.lso_id, home=Scope("lso", user.lso_id, user.lso.name))
    if role == OversightRole.COMMISSIONER and user.commissioner_for_id:
        org = user.commissioner_for
        return Remit(commissioner_id=org.id, home=commissioner_area(org))
    return None


def commissioner_area(org) -> Scope:
    """A local authority commissioner's area is its authority; an ICB's is the ICB's area."""
    if org.org_type == OrgType.ICB:
        icb = ICB.objects.filter(ods_code=org.ods_code).first()
        code = icb.ods_code if icb else (org.icb_id or "")
        return Scope("icb", code, icb.name if icb else org.name)
    if org.local_authority_id:
        return Scope("local_authority", org.local_authority_id, org.local_authority.name)
    # A commissioning organisation without a mapped area sees only its watchlist.
    return Scope("local_authority", "", org.name)


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
    from dspt.organisations.models import LSO

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
        scope = NATIONAL if remit.national else remit.home
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

"""A person's remit: the area their oversight role lets them see (monitoring figures, LSO
records, personal API tokens).

- Programme team, platform admins (and superusers): national, any area, every LSO.
- LSO staff: their own LSO's area.
- Commissioners: their own area (their local authority, or their ICB) and their watchlist.
- Everyone else (organisation members, reviewers, processors): none.

What each page or endpoint does with a remit (which area a request may ask for, which LSO's
records) is decided in dspt.monitoring.access.
"""

from __future__ import annotations

from dataclasses import dataclass

from dspt.accounts.models import OversightRole


@dataclass(frozen=True, slots=True)
class Area:
    """An area: England, or one LSO / local authority / ICB / region, by its code."""

    kind: str = "national"  # national, lso, local_authority, icb, region
    code: str = ""
    label: str = "England"


ENGLAND = Area()


@dataclass(frozen=True)
class Remit:
    national: bool = False
    lso_code: str | None = None
    commissioner_id: int | None = None  # the commissioning organisation
    home: Area = ENGLAND  # the area their dashboards open on

    def allows(self, area) -> bool:
        """May this person see figures for `area` (anything with a kind and a code)?"""
        return self.national or (area.kind, area.code) == (self.home.kind, self.home.code)


def remit_of(user) -> Remit | None:
    """The person's remit, or None if they have none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    role = user.oversight_role
    if user.is_superuser or role in (OversightRole.PROGRAMME, OversightRole.PLATFORM_ADMIN):
        return Remit(national=True)
    if role == OversightRole.LSO and user.lso_id:
        return Remit(lso_code=user.lso_id, home=Area("lso", user.lso_id, user.lso.name))
    if role == OversightRole.COMMISSIONER and user.commissioner_for_id:
        org = user.commissioner_for
        # Which area an organisation commissions for is geography: the organisation knows.
        return Remit(commissioner_id=org.id, home=org.commissioner_area())
    return None

"""What both the claim steps (claims.py) and the messages about them (claim_messages.py) read:
how long a link lasts, how many claims a day, and who at a head office may decide a site's."""

from __future__ import annotations

from django.conf import settings

from dspt.accounts.models import Membership, OrgRole, User
from dspt.organisations.models import Organisation


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def link_days() -> int:
    """How long an emailed verification link stays valid."""
    return _setting("DSPT_CLAIM_LINK_DAYS", 7)


def claims_per_day() -> int:
    """How many claims (including re-sent links) one person may start in 24 hours."""
    return _setting("DSPT_CLAIMS_PER_DAY", 5)


def head_office_admins(org: Organisation) -> list[User]:
    """The admins of `org`'s head office, if it has one: they know who runs their own sites."""
    if org.parent_id is None:
        return []
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=org.parent_id, role=OrgRole.ADMIN, user__is_active=True
        ).select_related("user")
    ]

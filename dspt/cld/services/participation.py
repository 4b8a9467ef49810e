"""Writes: which local authorities take part in the collection (processing centre only)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dspt.audit.services import record
from dspt.cld import selectors
from dspt.cld.models import Participation
from dspt.cld.services.common import CldError
from dspt.organisations.models import OrgType


def _snapshot(p: Participation | None) -> dict:
    if p is None:
        return {}
    return {
        "notice_served_on": p.notice_served_on.isoformat() if p.notice_served_on else None,
        "early_adopter": p.early_adopter,
        "onboarding": dict(p.onboarding or {}),
    }


def set_participation(
    *,
    user,
    local_authority,
    notice_served_on: date | None,
    early_adopter: bool,
    onboarding: dict[str, date | None],
    request=None,
) -> Participation:
    """Record an authority's notice, early-adopter flag and onboarding steps, with an audit
    event holding what changed (before and after)."""
    if not selectors.is_processor(user):
        raise CldError("Only the processing centre manages participation.")
    if local_authority.org_type != OrgType.LOCAL_AUTHORITY:
        raise CldError(f"{local_authority.name} is not a local authority.")
    unknown = set(onboarding) - set(Participation.STEPS)
    if unknown:
        raise CldError(f"Unknown onboarding step: {', '.join(sorted(unknown))}.")
    steps = {s: d.isoformat() for s, d in onboarding.items() if d is not None}
    with transaction.atomic():
        current = (
            Participation.objects.select_for_update()
            .filter(local_authority=local_authority)
            .first()
        )
        before = _snapshot(current)
        p = current or Participation(local_authority=local_authority)
        p.notice_served_on = notice_served_on
        p.early_adopter = early_adopter
        p.onboarding = {s: steps[s] for s in Participation.STEPS if s in steps}
        p.save()
        after = _snapshot(p)
        if before != after:
            record(
                "cld.participation_changed",
                actor=user,
                organisation=local_authority,
                obj=p,
                detail={"before": before, "after": after},
                request=request,
            )
    return p

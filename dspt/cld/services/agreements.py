"""Writes: data sharing agreements (processing centre only)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dspt.audit.services import record
from dspt.cld import selectors
from dspt.cld.models import DataSharingAgreement
from dspt.cld.services.common import CldError


def create_agreement(
    *,
    user,
    recipient,
    local_authorities,
    period_start: date,
    period_end: date,
    purpose: str,
    expires_on: date,
    reference: str,
    datasets=("cld",),
    request=None,
):
    """Record a data sharing agreement (processing centre only).

    `datasets` names what it covers: "cld" (client-level social care data) and any health
    dataset codes (`dspt.cld.health.health_codes()`); a linked release needs both. This is the
    service that issues an agreement from code too (e.g. from an approved access request)."""
    from dspt.cld.health import health_codes

    if not selectors.is_processor(user):
        raise CldError("Only the processing centre manages data sharing agreements.")
    known = ("cld", *health_codes())
    unknown = sorted(set(datasets) - set(known))
    if unknown or not datasets:
        raise CldError(
            f"Unknown dataset {', '.join(unknown)}: an agreement covers some of {', '.join(known)}."
            if unknown
            else "An agreement must cover at least one dataset."
        )
    with transaction.atomic():
        dsa = DataSharingAgreement.objects.create(
            reference=reference,
            recipient=recipient,
            datasets=list(dict.fromkeys(datasets)),
            period_start=period_start,
            period_end=period_end,
            purpose=purpose,
            expires_on=expires_on,
            created_by=user,
        )
        dsa.local_authorities.set(local_authorities)
        record(
            "cld.agreement_created",
            actor=user,
            organisation=recipient,
            obj=dsa,
            detail={"reference": reference, "datasets": list(dict.fromkeys(datasets))},
            request=request,
        )
    return dsa


def set_agreement_active(dsa: DataSharingAgreement, active: bool, *, user, request=None) -> None:
    """Activate or deactivate an agreement; a deactivated one stops releases and downloads."""
    if not selectors.is_processor(user):
        raise CldError("Only the processing centre manages data sharing agreements.")
    with transaction.atomic():
        DataSharingAgreement.objects.filter(pk=dsa.pk).update(active=active)
        record(
            "cld.agreement_" + ("activated" if active else "deactivated"),
            actor=user,
            organisation=dsa.recipient,
            obj=dsa,
            request=request,
        )

"""What every access request step shares: the errors a person may see, the terms a version
holds, and how a step is audited and notified."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from dspt.access.models import (
    AccessRequest,
    Controllers,
    Dataset,
    LegalBasis,
    Outputs,
)
from dspt.audit.services import record
from dspt.notifications.services import notify
from dspt.organisations.models import Organisation, OrgType


class AccessError(Exception):
    """A step the rules do not allow now; the message is safe to show."""


class AccessDenied(AccessError):
    """A step this person may not take."""


# The fields of RequestVersion that are the terms asked for (an amendment starts from them).
TERMS = (
    "datasets",
    "period_start",
    "period_end",
    "purpose",
    "legal_basis",
    "outputs",
    "retention",
    "destroy_by",
    "controllers",
)


def _link(req: AccessRequest) -> str:
    return f"/access/{req.pk}/"


def tell(users, req: AccessRequest, kind: str, title: str, body: str) -> None:
    """Notify these people about the request (in-app, and by email after commit)."""
    notify(
        users,
        organisation=req.applicant,
        kind=f"access.{kind}",
        title=title,
        body=body,
        link=_link(req),
    )


def audit_step(action: str, *, user, req: AccessRequest, request=None, **detail) -> None:
    """Record the step in the audit log (inside the step's transaction)."""
    record(
        f"access.{action}",
        actor=user,
        organisation=req.applicant,
        obj=req,
        detail={"reference": req.reference, **detail},
        request=request,
    )


def set_status(req: AccessRequest, status: str) -> None:
    """Move the request to another stage."""
    req.status = status
    req.updated_at = timezone.now()
    req.save(update_fields=["status", "updated_at"])


def check_terms(terms: dict, local_authorities: list[Organisation]) -> None:
    """Refuse terms that cannot stand, naming every problem at once."""
    problems = []
    datasets = list(terms.get("datasets") or [])
    if not datasets:
        problems.append("Choose at least one dataset.")
    unknown = [d for d in datasets if d not in Dataset.values]
    if unknown:
        problems.append(f"Unknown dataset: {', '.join(unknown)}.")
    if not local_authorities:
        problems.append("Choose at least one local authority.")
    if any(o.org_type != OrgType.LOCAL_AUTHORITY for o in local_authorities):
        problems.append("Only local authorities can be chosen as the area covered.")
    if terms["period_end"] < terms["period_start"]:
        problems.append("The period must end on or after the day it starts.")
    if terms["destroy_by"] < terms["period_end"]:
        problems.append("The destruction date must be on or after the end of the period.")
    if not (terms.get("purpose") or "").strip():
        problems.append("Say what the data is for.")
    for name, choices in (
        ("legal_basis", LegalBasis),
        ("outputs", Outputs),
        ("controllers", Controllers),
    ):
        if terms.get(name) not in choices.values:
            problems.append(f"Choose a {name.replace('_', ' ')}.")
    if problems:
        raise AccessError(" ".join(problems))


def next_reference(on: date) -> str:
    """The next free reference of the year, AR-YYYY-NNNN."""
    prefix = f"AR-{on.year}-"
    taken = AccessRequest.objects.filter(reference__startswith=prefix).count()
    n = taken + 1
    while AccessRequest.objects.filter(reference=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"

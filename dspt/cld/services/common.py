"""What every client-level write shares: the error a person may see, and the processing zone."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from dspt.audit.services import record
from dspt.cld import conf
from dspt.cld.models import Submission


class CldError(Exception):
    """A request the rules do not allow; the message is safe to show."""


def zone(*parts: str) -> Path:
    """A folder inside the processing zone (created if need be)."""
    path = conf.storage_root().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def finish(sub: Submission, state: str, message: str = "", **fields) -> None:
    """Record a submission's new state (and any fields) with its audit event."""
    with transaction.atomic():
        Submission.objects.filter(pk=sub.pk).update(
            state=state, state_message=message[:300], **fields
        )
        record(
            f"cld.submission_{state}",
            organisation=sub.organisation,
            obj=sub,
            detail={"message": message[:300]} if message else {},
        )

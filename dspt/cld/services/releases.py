"""Writes: releases to recipients and downloads, each checked against the agreement and the
recipient's DSPT status on the day; refusals are stored and audited too."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.db import transaction

from dspt.audit.services import record
from dspt.cld import selectors
from dspt.cld.models import DataSharingAgreement, Release, Submission
from dspt.cld.services.common import CldError, zone


def refusal_reason(dsa: DataSharingAgreement | None, sub: Submission, on: date) -> str | None:
    """Why `sub` may not go to the agreement's recipient on day `on`, or None when it may."""
    from dspt.statuses.selectors import status_of

    if dsa is None:
        return "There is no data sharing agreement."
    if not dsa.active:
        return f"Agreement {dsa.reference} is not active."
    if dsa.expires_on < on:
        return f"Agreement {dsa.reference} expired on {dsa.expires_on:%d %B %Y}."
    if "cld" not in (dsa.datasets or []):
        return f"Agreement {dsa.reference} does not cover client-level data."
    if not dsa.local_authorities.filter(pk=sub.organisation_id).exists():
        return f"Agreement {dsa.reference} does not cover {sub.organisation.name}."
    if sub.period and not (
        dsa.period_start <= sub.period.period_start and sub.period.period_end <= dsa.period_end
    ):
        return f"Agreement {dsa.reference} does not cover the period {sub.period}."
    if sub.state != Submission.State.PROCESSED:
        return "The extract has not been processed."
    status = status_of(dsa.recipient, on)
    if not status.meets_standards:
        return (
            f"{dsa.recipient.name}'s DSPT status on {on:%d %B %Y} is {status.status.label}; "
            "Standards Met or better is required."
        )
    return None


def release(*, sub: Submission, dsa: DataSharingAgreement, user, on: date, request=None) -> Release:
    """Release a processed extract to a recipient, or record why it was refused."""
    if not selectors.is_processor(user):
        raise CldError("Only the processing centre releases extracts.")
    from dspt.cld.pseudonymise import load_key
    from dspt.cld.release import aggregate, rekey

    reason = refusal_reason(dsa, sub, on)
    if reason is None:
        try:
            key = load_key()
        except Exception as exc:  # the key error message never contains key material
            reason = str(exc)
    if reason:
        with transaction.atomic():
            rel = Release.objects.create(
                agreement=dsa,
                submission=sub,
                recipient=dsa.recipient,
                released_by=user,
                refused_reason=reason[:300],
            )
            record(
                "cld.release_refused",
                actor=user,
                organisation=dsa.recipient,
                obj=rel,
                detail={"reason": reason, "submission": sub.pk},
                request=request,
            )
        return rel
    with transaction.atomic():
        rel = Release.objects.create(
            agreement=dsa, submission=sub, recipient=dsa.recipient, released_by=user
        )
        folder = zone("releases", str(rel.pk))
        rows = rekey(Path(sub.output_path), folder / "extract.parquet", key, dsa.recipient.ods_code)
        aggregate(Path(sub.output_path), folder / "aggregate.csv")
        Release.objects.filter(pk=rel.pk).update(
            file_path=str(folder / "extract.parquet"),
            aggregate_path=str(folder / "aggregate.csv"),
            rows=rows,
        )
        record(
            "cld.released",
            actor=user,
            organisation=dsa.recipient,
            obj=rel,
            detail={"submission": sub.pk, "agreement": dsa.reference, "rows": rows},
            request=request,
        )
    rel.refresh_from_db()
    return rel


def authorise_download(rel: Release, *, user, on: date, what: str, request=None) -> str | None:
    """Check again at download time (the status may have lapsed); log the download or refusal."""
    reason = (
        "This release was refused."
        if rel.refused
        else refusal_reason(rel.agreement, rel.submission, on)
    )
    with transaction.atomic():
        if reason:
            record(
                "cld.download_refused",
                actor=user,
                organisation=rel.recipient,
                obj=rel,
                detail={"reason": reason, "file": what},
                request=request,
            )
        else:
            record(
                "cld.downloaded",
                actor=user,
                organisation=rel.recipient,
                obj=rel,
                detail={"file": what},
                request=request,
            )
    return reason

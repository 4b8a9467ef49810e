"""Writes: releases to recipients and downloads, each checked against the agreement and the
recipient's DSPT status on the day; refusals are stored and audited too.

A release covers one or more processed submissions and is all or nothing: if any of them may not
go, nothing is written and the refusal names each extract that failed and why.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dspt.audit.services import record
from dspt.cld import selectors
from dspt.cld.models import DataSharingAgreement, HealthDataset, Release, Submission
from dspt.cld.services.common import CldError, zone
from dspt.core.dates import today
from dspt.tasks.queue import enqueue

VIEWER_REASON = (
    "Only the recipient's members and admins can download released data; "
    "viewers can see what was released."
)


def agreement_reason(dsa: DataSharingAgreement | None, on: date) -> str | None:
    """Why nothing may go under `dsa` on day `on` (the agreement or the recipient), or None."""
    from dspt.statuses.selectors import status_of

    if dsa is None:
        return "There is no data sharing agreement."
    if not dsa.active:
        return f"Agreement {dsa.reference} is not active."
    if dsa.expires_on < on:
        return f"Agreement {dsa.reference} expired on {dsa.expires_on:%d %B %Y}."
    if "cld" not in (dsa.datasets or []):
        return f"Agreement {dsa.reference} does not cover client-level data."
    status = status_of(dsa.recipient, on)
    if not status.meets_standards:
        return (
            f"{dsa.recipient.name}'s DSPT status on {on:%d %B %Y} is {status.status.label}; "
            "Standards Met or better is required."
        )
    return None


def extract_reason(dsa: DataSharingAgreement, sub: Submission) -> str | None:
    """Why this one extract is outside the agreement or not ready, or None."""
    if not dsa.local_authorities.filter(pk=sub.organisation_id).exists():
        return f"Agreement {dsa.reference} does not cover {sub.organisation.name}."
    # Without a period nobody can show the agreement covers the data, so it does not go.
    if sub.period is None:
        return "The extract has no reporting period."
    if not (
        dsa.period_start <= sub.period.period_start and sub.period.period_end <= dsa.period_end
    ):
        return f"Agreement {dsa.reference} does not cover the period {sub.period}."
    if sub.state != Submission.State.PROCESSED:
        return "The extract has not been processed."
    return None


def describe(sub: Submission) -> str:
    """How a refusal names an extract: 'Extract 12 (Leeds Council, 01 Apr 2024 to 31 Mar 2025)'."""
    return f"Extract {sub.pk} ({sub.organisation.name}, {sub.period or 'no period'})"


def refusal_reason(dsa: DataSharingAgreement | None, sub: Submission, on: date) -> str | None:
    """Why `sub` may not go to the agreement's recipient on day `on`, or None when it may."""
    return agreement_reason(dsa, on) or (extract_reason(dsa, sub) if dsa else None)


def health_reason(
    dsa: DataSharingAgreement, ds: HealthDataset | None, *, releasing: bool = True
) -> str | None:
    """Why the events of health dataset `ds` may not go with a release under `dsa`, or None.

    The agreement must name the dataset's code beside "cld" (checked by `agreement_reason`);
    when `releasing`, the dataset must be loaded and its pseudonymised files present."""
    if ds is None:
        return None
    if ds.code not in (dsa.datasets or []):
        return (
            f"Agreement {dsa.reference} does not cover {ds.title.lower()} ({ds.code}): "
            "a linked release needs an agreement covering both client-level data and the "
            "health dataset."
        )
    if releasing and (
        ds.state != HealthDataset.State.LOADED
        or not ds.output_path
        or not Path(ds.output_path).is_dir()
    ):
        return f"Health dataset {ds.pk} ({ds.title}) is not loaded."
    return None


def release_refusal(
    dsa: DataSharingAgreement | None,
    subs: Sequence[Submission],
    on: date,
    *,
    releasing: bool = True,
    health: HealthDataset | None = None,
) -> str | None:
    """Why a release of all of `subs` (linked with the events of `health`, if given) may not go
    (every problem, each extract named), or None.

    When `releasing`, also refuse an extract a later processed one of the same authority and
    period replaces, or whose processed files are missing; a download of an earlier release
    re-checks only the agreement (its datasets and authorities) and the recipient.
    """
    reason = agreement_reason(dsa, on)
    if dsa is None:
        return reason
    problems = [reason] if reason else []
    why_health = health_reason(dsa, health, releasing=releasing)
    if why_health:
        problems.append(why_health)
    for sub in subs:
        why = extract_reason(dsa, sub)
        if why is None and releasing:
            newer = selectors.replaced_by(sub)
            if newer is not None:
                why = f"A later processed extract ({newer.pk}) replaces it."
            elif not sub.output_path or not Path(sub.output_path).is_dir():
                why = "Its processed files are missing."
        if why:
            problems.append(f"{describe(sub)}: {why}")
    return " ".join(problems) or None


def release(
    *,
    submissions: Sequence[Submission],
    dsa: DataSharingAgreement,
    tables: Sequence[str] | None = None,
    user,
    on: date,
    health_dataset: HealthDataset | None = None,
    request=None,
) -> Release:
    """Release processed extracts to the agreement's recipient as one re-keyed Parquet file plus
    the chosen aggregate tables (None: the file's defaults), or record why it was refused.

    With `health_dataset`, a linked release: the dataset's events of the same people in their
    extracts' periods go too, re-keyed as the extract is (`linkage.py`), with the linkage figures.

    Raises CldError (storing nothing) for a request that is not a release at all: not the
    processing centre, no agreement, no extract, or a table name not in the aggregates file.
    """
    if not selectors.is_processor(user):
        raise CldError("Only the processing centre releases extracts.")
    from dspt.cld.aggregates import AggregateSpecError, load_aggregates
    from dspt.cld.pseudonymise import load_key
    from dspt.cld.suppression import configuration_problem

    if dsa is None:
        raise CldError("Choose a data sharing agreement.")
    subs = list({s.pk: s for s in submissions}.values())
    if not subs:
        raise CldError("Choose at least one processed extract.")
    spec = load_aggregates()
    try:
        chosen = spec.choose(list(spec.defaults if tables is None else tables))
    except AggregateSpecError as exc:
        raise CldError(str(exc)) from exc
    ids = sorted(s.pk for s in subs)

    reason = release_refusal(dsa, subs, on, health=health_dataset)
    if reason is None and chosen:
        reason = configuration_problem()
    if reason is None:
        try:
            load_key()  # refused now, not in the worker, when there is no key
        except Exception as exc:  # the key error message never contains key material
            reason = str(exc)
    if reason:
        with transaction.atomic():
            rel = Release.objects.create(
                agreement=dsa,
                recipient=dsa.recipient,
                released_by=user,
                refused_reason=reason,
                health_dataset=health_dataset,
                state=Release.State.REFUSED,
            )
            rel.submissions.set(subs)
            record(
                "cld.release_refused",
                actor=user,
                organisation=dsa.recipient,
                obj=rel,
                detail={"reason": reason, "submissions": ids, **_health_detail(health_dataset)},
                request=request,
            )
        return rel
    with transaction.atomic():
        rel = Release.objects.create(
            agreement=dsa,
            recipient=dsa.recipient,
            released_by=user,
            aggregates_version=spec.version,
            health_dataset=health_dataset,
        )
        rel.submissions.set(subs)
        record(
            "cld.release_requested",
            actor=user,
            organisation=dsa.recipient,
            obj=rel,
            detail={
                "submissions": ids,
                "agreement": dsa.reference,
                "tables": [t.name for t in chosen],
                **_health_detail(health_dataset),
            },
            request=request,
        )
        enqueue(
            "dspt.cld.services.releases.prepare_release",
            rel.pk,
            [t.name for t in chosen],
            group="cld-release",
        )
    rel.refresh_from_db()
    return rel


def prepare_release(release_id: int, table_names: list[str]) -> Release:
    """The worker's half of `release`: write the re-keyed extract, the tables and any linked
    health events, all or nothing. Checked again first (an agreement ended or a status lapsed
    while it waited is refused now). A job taken again after its worker died starts afresh."""
    from dspt.cld.aggregates import load_aggregates
    from dspt.cld.pseudonymise import load_key
    from dspt.cld.release import rekey, write_aggregates

    rel = Release.objects.select_related("agreement__recipient", "health_dataset").get(
        pk=release_id
    )

    if rel.state != Release.State.PREPARING:
        return rel
    dsa, ds = rel.agreement, rel.health_dataset
    subs = sorted(rel.submissions.select_related("period", "organisation"), key=lambda s: s.pk)
    reason = release_refusal(dsa, subs, today(), health=ds)
    if reason:
        _settle(rel, "cld.release_refused", refused_reason=reason, state=Release.State.REFUSED)
        return rel
    shutil.rmtree(zone("releases", str(rel.pk)), ignore_errors=True)  # a retried job's leftovers
    folder = zone("releases", str(rel.pk))
    try:
        key = load_key()
        chosen = load_aggregates().choose(table_names)
        dirs = [Path(s.output_path) for s in subs]
        rows = rekey(dirs, folder / "extract.parquet", key, dsa.recipient.ods_code)
        written = write_aggregates(dirs, folder, chosen)
        linked = _link(subs, ds, folder, key, dsa.recipient.ods_code) if ds else {}
    except Exception as exc:  # messages name files and settings, never key material or values
        shutil.rmtree(folder, ignore_errors=True)
        message = f"The release could not be written: {exc}"[:300]
        _settle(rel, "cld.release_failed", state=Release.State.FAILED, state_message=message)
        return rel
    _settle(
        rel,
        "cld.released",
        state=Release.State.RELEASED,
        released_at=timezone.now(),
        file_path=str(folder / "extract.parquet"),
        tables=written,
        rows=rows,
        **linked,
    )
    return rel


def _settle(rel: Release, action: str, **fields) -> None:
    """Finish a release the worker took: its fields and the audit record in one transaction."""
    with transaction.atomic():
        Release.objects.filter(pk=rel.pk).update(**fields)
        rel.refresh_from_db()
        detail = {
            "submissions": sorted(s.pk for s in rel.submissions.all()),
            "agreement": rel.agreement.reference if rel.agreement else None,
            "rows": rel.rows,
            "tables": [t["name"] for t in rel.tables or []],
            "aggregates_version": rel.aggregates_version,
            **_health_detail(rel.health_dataset),
        }
        if rel.refused_reason:
            detail["reason"] = rel.refused_reason
        if rel.state_message:
            detail["problem"] = rel.state_message
        if rel.linkage:
            detail["linkage"] = rel.linkage
        record(action, actor=rel.released_by, organisation=rel.recipient, obj=rel, detail=detail)


def _health_detail(ds: HealthDataset | None) -> dict:
    return {"health_dataset": ds.pk, "health_code": ds.code} if ds is not None else {}


def _link(subs: Sequence[Submission], ds: HealthDataset, folder: Path, key: bytes, code: str):
    """Write a linked release's health events; the Release fields they fill."""
    from dspt.cld.health import load_health_spec
    from dspt.cld.linkage import Extract, write_linked_events

    extracts = [
        Extract(Path(s.output_path), s.period.period_start, s.period.period_end) for s in subs
    ]
    target = folder / "health_events.parquet"
    rows, figures = write_linked_events(
        extracts, Path(ds.output_path), load_health_spec(ds.code), target, key, code
    )
    return {"health_path": str(target), "health_rows": rows, "linkage": figures.as_dict()}


def authorise_download(rel: Release, *, user, on: date, what: str, request=None) -> str | None:
    """Check again at download time (the status may have lapsed, the agreement been stopped) for
    every extract in the release, and that the person is a member or admin of the recipient (or
    the processing centre); log the download or the refusal. Returns the reason, or None."""
    if rel.refused:
        reason = "This release was refused."
    elif not selectors.can_download(user, rel):
        reason = VIEWER_REASON
    else:
        reason = release_refusal(
            rel.agreement,
            list(rel.submissions.all()),
            on,
            releasing=False,
            health=rel.health_dataset,
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

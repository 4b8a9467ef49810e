"""Writes: receive, check and process submissions; agreements; releases and downloads.

Every write happens in a transaction with its audit record. Long work (checking a multi-gigabyte
file, tracing) runs outside any transaction, between two short ones that record the state.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from datetime import date
from pathlib import Path

from django.db import close_old_connections, transaction
from django.utils import timezone

from dspt.audit.services import record
from dspt.cld import conf, selectors
from dspt.cld.models import DataSharingAgreement, Release, Submission, TimetablePeriod
from dspt.cld.spec import available_versions, load_spec

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024


class CldError(Exception):
    """A request the rules do not allow; the message is safe to show."""


def _zone(*parts: str) -> Path:
    path = conf.storage_root().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- receiving and checking ---------------------------------------------------------------------


def receive_upload(
    *,
    user,
    organisation,
    period: TimetablePeriod | None,
    chunks,
    original_name: str,
    spec_version: str = "release-1",
    request=None,
) -> Submission:
    """Store an upload in the processing zone, chunk by chunk, and queue it for checking."""
    if not selectors.can_upload_for(user, organisation):
        raise CldError("You can only submit extracts for your own local authority.")
    if spec_version not in available_versions():
        raise CldError("Unknown specification version.")
    limit = int(conf.get("DSPT_CLD_MAX_UPLOAD_BYTES"))
    with transaction.atomic():
        sub = Submission.objects.create(
            organisation=organisation,
            period=period,
            spec_version=spec_version,
            original_name=Path(original_name).name[:255],
            submitted_by=user,
        )
        record(
            "cld.submission_received",
            actor=user,
            organisation=organisation,
            obj=sub,
            detail={"name": sub.original_name},
            request=request,
        )
    target = _zone("submissions", str(sub.pk)) / (
        "upload.csv.gz" if original_name.endswith(".gz") else "upload.csv"
    )
    size = 0
    try:
        with open(target, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise CldError(f"The file is larger than the {limit:,}-byte limit.")
                out.write(chunk)
    except CldError as exc:
        shutil.rmtree(target.parent, ignore_errors=True)
        _finish(
            sub,
            Submission.State.REJECTED,
            str(exc),
            report={
                "accepted": False,
                "rows": 0,
                "errors": [{"row": 0, "field": "", "rule": "FILE_SIZE", "message": str(exc)}],
                "warnings": [],
                "summary": {"FILE_SIZE": 1},
            },
        )
        return sub
    Submission.objects.filter(pk=sub.pk).update(stored_path=str(target), size_bytes=size)
    sub.refresh_from_db()
    schedule_check(sub.pk)
    return sub


def schedule_check(submission_id: int) -> None:
    """Check in the background. DSPT_CLD_BACKGROUND: thread (default), worker (the `dspt cld
    worker` command picks it up) or sync (now, in this request: tests and small demos)."""
    mode = conf.get("DSPT_CLD_BACKGROUND")
    if mode == "sync":
        check_submission(submission_id)
    elif mode == "thread":

        def run() -> None:
            try:
                check_submission(submission_id)
            finally:
                close_old_connections()

        transaction.on_commit(lambda: threading.Thread(target=run, daemon=True).start())


def _finish(sub: Submission, state: str, message: str = "", **fields) -> None:
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


def check_submission(submission_id: int) -> Submission:
    """Validate a landed submission; keep it if accepted, delete the file if rejected."""
    sub = Submission.objects.select_related("organisation__local_authority", "period").get(
        pk=submission_id
    )
    if sub.state != Submission.State.LANDING:
        return sub
    Submission.objects.filter(pk=sub.pk).update(state=Submission.State.CHECKING)
    from dspt.cld.validate import validate

    errors_csv = _zone("submissions", str(sub.pk)) / "errors.csv"
    with tempfile.TemporaryDirectory(dir=_zone("work")) as work:
        result = validate(
            Path(sub.stored_path), load_spec(sub.spec_version), Path(work), error_csv=errors_csv
        )
        if result.con is not None:
            result.con.close()
    report = result.report
    problem = _period_problem(sub, report.period) if report.accepted else None
    if problem:
        report.errors.insert(
            0, {"row": 0, "field": "LA_Code", "rule": "SUBMISSION_MISMATCH", "message": problem}
        )
        report.summary["SUBMISSION_MISMATCH"] = 1
        report.error_count += 1
        report.accepted = False
    state = Submission.State.ACCEPTED if report.accepted else Submission.State.REJECTED
    stored = sub.stored_path
    if not report.accepted:
        # A rejected file is not stored: only its report and error list remain.
        Path(stored).unlink(missing_ok=True)
        stored = ""
    _finish(
        sub,
        state,
        report=report.to_dict(),
        rows=report.rows,
        stored_path=stored,
        errors_path=str(errors_csv) if errors_csv.exists() else "",
        checked_at=timezone.now(),
    )
    sub.refresh_from_db()
    return sub


def _period_problem(sub: Submission, period: dict | None) -> str | None:
    la = sub.organisation.local_authority
    if period is None:
        return "The file does not carry one LA code and reporting period."
    if la is not None and period.get("la_code") != la.ons_code:
        return f"The file is for {period.get('la_code')}, not {la.ons_code} ({la.name})."
    if sub.period and (period.get("start"), period.get("end")) != (
        sub.period.period_start.isoformat(),
        sub.period.period_end.isoformat(),
    ):
        return (
            f"The file covers {period.get('start')} to {period.get('end')}, not the period chosen."
        )
    return None


def process_submission(sub: Submission, *, user, request=None) -> Submission:
    """Trace and pseudonymise an accepted submission (processing centre only)."""
    if not selectors.is_processor(user):
        raise CldError("Only the processing centre can process extracts.")
    if sub.state not in (Submission.State.ACCEPTED, Submission.State.FAILED):
        raise CldError("Only an accepted extract can be processed.")
    from dspt.cld.pipeline import ProcessError, process
    from dspt.cld.pseudonymise import PseudonymKeyError

    with transaction.atomic():
        Submission.objects.filter(pk=sub.pk).update(state=Submission.State.PROCESSING)
        record(
            "cld.processing_started",
            actor=user,
            organisation=sub.organisation,
            obj=sub,
            request=request,
        )
    folder = _zone("submissions", str(sub.pk))
    out_dir, trace_csv = folder / "output", folder / "trace-results.csv"
    shutil.rmtree(out_dir, ignore_errors=True)
    try:
        result = process(
            Path(sub.stored_path),
            out_dir,
            spec=load_spec(sub.spec_version),
            trace_results=trace_csv,
        )
    except (PseudonymKeyError, ProcessError) as exc:
        _finish(sub, Submission.State.FAILED, str(exc))
        sub.refresh_from_db()
        return sub
    if result.exit_code != 0:
        _finish(sub, Submission.State.FAILED, "The extract no longer passes its checks.")
    else:
        _finish(
            sub,
            Submission.State.PROCESSED,
            output_path=str(out_dir),
            trace_results_path=str(trace_csv),
            trace_outcomes=result.trace_outcomes,
            processed_at=timezone.now(),
        )
    sub.refresh_from_db()
    return sub


# --- agreements and releases ---------------------------------------------------------------------


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
    if not selectors.is_processor(user):
        raise CldError("Only the processing centre manages data sharing agreements.")
    with transaction.atomic():
        dsa = DataSharingAgreement.objects.create(
            reference=reference,
            recipient=recipient,
            datasets=list(datasets),
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
            detail={"reference": reference},
            request=request,
        )
    return dsa


def set_agreement_active(dsa: DataSharingAgreement, active: bool, *, user, request=None) -> None:
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
        folder = _zone("releases", str(rel.pk))
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


def seed_timetable(first_end: date, quarters: int, due_days: int = 30) -> list[TimetablePeriod]:
    """Quarterly rolling-12-month periods ending `first_end` and each quarter after, each due
    `due_days` after its end. Existing periods are left as they are."""
    from datetime import timedelta

    made = []
    end = first_end
    with transaction.atomic():
        for _ in range(quarters):
            start = _add_months(end + timedelta(days=1), -12)
            period, created = TimetablePeriod.objects.get_or_create(
                period_start=start,
                period_end=end,
                defaults={"due_date": end + timedelta(days=due_days)},
            )
            if created:
                record("cld.timetable_period_added", obj=period, detail={"end": end.isoformat()})
                made.append(period)
            end = _add_months(end + timedelta(days=1), 3) - timedelta(days=1)
    return made


def _add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    return d.replace(year=d.year + month // 12, month=month % 12 + 1, day=1)

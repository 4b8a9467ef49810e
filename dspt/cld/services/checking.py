"""Writes: check a landed submission, and trace and pseudonymise an accepted one.

Both run in the worker (`dspt worker`, dspt/cld/tasks.py), outside any transaction (they take
minutes on a big file), between short transactions that record the state and its audit event.
A worker killed mid-job leaves the job to be taken again: each start counts an attempt, and past
DSPT_TASK_MAX_ATTEMPTS the submission is marked as failed rather than left "being checked".
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dspt.audit.services import record
from dspt.cld import conf, selectors
from dspt.cld.models import Submission
from dspt.cld.services.common import CldError, finish, zone
from dspt.cld.services.progress import ProgressSaver, save_progress
from dspt.cld.spec import load_spec
from dspt.tasks.queue import enqueue

log = logging.getLogger(__name__)

# Share of the bar given to the engine's own reports; the rest is our step boundaries.
CHECK_SPAN = (5, 95)
PROCESS_SPAN = (5, 95)


def max_attempts() -> int:
    """How many starts of one step a submission gets (DSPT_TASK_MAX_ATTEMPTS, default 3)."""
    return max(1, int(getattr(settings, "DSPT_TASK_MAX_ATTEMPTS", 3)))


def _check_failed(sub: Submission, message: str, rule: str) -> None:
    """A check that could not finish: the file is refused (and deleted) with the reason."""
    if sub.stored_path:
        Path(sub.stored_path).unlink(missing_ok=True)
    finish(
        sub,
        Submission.State.REJECTED,
        message,
        stored_path="",
        checked_at=timezone.now(),
        progress=100,
        report={
            "accepted": False,
            "rows": 0,
            "errors": [{"row": 0, "field": "", "rule": rule, "message": message}],
            "warnings": [],
            "summary": {rule: 1},
        },
    )


def check_submission(submission_id: int) -> Submission:
    """Validate a landed submission; keep it if accepted, delete the file if rejected.

    Anything but a stored submission waiting for (or interrupted in) its check is returned as it
    is, so a job delivered twice, or late, changes nothing."""
    # Taking the submission counts an attempt. A submission already "being checked" is one whose
    # worker died mid-job (the queue hands a job to one worker at a time): check it again.
    taken = (
        Submission.objects.filter(
            pk=submission_id, state__in=(Submission.State.LANDING, Submission.State.CHECKING)
        )
        .exclude(stored_path="")
        .update(state=Submission.State.CHECKING, progress=0, attempts=F("attempts") + 1)
    )
    sub = Submission.objects.select_related("organisation__local_authority", "period").get(
        pk=submission_id
    )
    if not taken:
        return sub
    if sub.attempts > max_attempts():
        _check_failed(
            sub,
            f"The check stopped unexpectedly {sub.attempts - 1} times and was abandoned. "
            "Send the file again; if it happens again, contact the processing centre.",
            "CHECK_INTERRUPTED",
        )
        sub.refresh_from_db()
        return sub
    try:
        return _check(sub)
    except (Exception, SystemExit) as exc:
        # SystemExit: the queue's time limit for a job. Either way the submission must not stay
        # "being checked": refuse it with a reason the sender can act on.
        log.exception("Checking submission %s failed", sub.pk)
        timed_out = isinstance(exc, SystemExit)
        _check_failed(
            sub,
            "The check took too long and was stopped."
            if timed_out
            else "The check failed unexpectedly; the processing centre has the details.",
            "CHECK_FAILED",
        )
        if timed_out:
            raise
        sub.refresh_from_db()
        return sub


def _check(sub: Submission) -> Submission:
    from dspt.cld.validate import validate

    errors_csv = zone("submissions", str(sub.pk)) / "errors.csv"
    saver = ProgressSaver(sub.pk, low=CHECK_SPAN[0], high=CHECK_SPAN[1])
    saver(0.0)
    with tempfile.TemporaryDirectory(dir=zone("work")) as work:
        result = validate(
            Path(sub.stored_path),
            load_spec(sub.spec_version),
            Path(work),
            error_csv=errors_csv,
            progress=saver,
        )
        if result.con is not None:
            result.con.close()
    save_progress(sub.pk, CHECK_SPAN[1])
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
    finish(
        sub,
        state,
        report=report.to_dict(),
        rows=report.rows,
        stored_path=stored,
        errors_path=str(errors_csv) if errors_csv.exists() else "",
        checked_at=timezone.now(),
        progress=100,
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
    """Trace and pseudonymise an accepted submission (processing centre only).

    The work runs in the worker once this request commits, and the submission page follows its
    progress (DSPT_TASKS=eager: now, in this process).
    """
    if not selectors.is_processor(user):
        raise CldError("Only the processing centre can process extracts.")
    if sub.state not in (Submission.State.ACCEPTED, Submission.State.FAILED):
        raise CldError("Only an accepted extract can be processed.")
    with transaction.atomic():
        Submission.objects.filter(pk=sub.pk).update(
            state=Submission.State.PROCESSING, progress=0, state_message="", attempts=0
        )
        record(
            "cld.processing_started",
            actor=user,
            organisation=sub.organisation,
            obj=sub,
            request=request,
        )
    enqueue("dspt.cld.tasks.process", sub.pk, group="cld-process")
    sub.refresh_from_db()
    return sub


def reference_files() -> dict:
    """The demographics index and postcode lookup when the operator has not configured them but
    the processing zone holds them in `reference/` (the demo puts its synthetic ones there)."""
    found = {}
    for name, setting, file in (
        ("index", "DSPT_CLD_INDEX", "index.csv"),
        ("lookup", "DSPT_CLD_LOOKUP", "lsoa.csv"),
    ):
        if getattr(settings, setting, None) or os.environ.get(setting):
            continue
        path = conf.storage_root() / "reference" / file
        if path.is_file():
            found[name] = path
    return found


def run_processing(submission_id: int) -> Submission:
    """The work of `process_submission`: validate again, trace, pseudonymise, write Parquet."""
    from dspt.cld.pipeline import ProcessError, process
    from dspt.cld.pseudonymise import PseudonymKeyError

    taken = Submission.objects.filter(pk=submission_id, state=Submission.State.PROCESSING).update(
        attempts=F("attempts") + 1, progress=0
    )
    sub = Submission.objects.select_related("organisation").get(pk=submission_id)
    if not taken:
        return sub
    if sub.attempts > max_attempts():
        finish(
            sub,
            Submission.State.FAILED,
            f"Processing stopped unexpectedly {sub.attempts - 1} times and was abandoned.",
        )
        sub.refresh_from_db()
        return sub
    folder = zone("submissions", str(sub.pk))
    out_dir, trace_csv = folder / "output", folder / "trace-results.csv"
    shutil.rmtree(out_dir, ignore_errors=True)
    saver = ProgressSaver(sub.pk, low=PROCESS_SPAN[0], high=PROCESS_SPAN[1])
    saver(0.0)
    try:
        result = process(
            Path(sub.stored_path),
            out_dir,
            spec=load_spec(sub.spec_version),
            trace_results=trace_csv,
            **reference_files(),
            progress=saver,
        )
    except (PseudonymKeyError, ProcessError) as exc:
        finish(sub, Submission.State.FAILED, str(exc))
        sub.refresh_from_db()
        return sub
    except (Exception, SystemExit) as exc:
        # Running in the worker, nobody waits on it: never leave the submission "being
        # processed". SystemExit is the queue's time limit for a job.
        log.exception("Processing submission %s failed", sub.pk)
        timed_out = isinstance(exc, SystemExit)
        finish(
            sub,
            Submission.State.FAILED,
            "Processing took too long and was stopped."
            if timed_out
            else "Processing failed unexpectedly; see the server log.",
        )
        if timed_out:
            raise
        sub.refresh_from_db()
        return sub
    if result.exit_code != 0:
        finish(sub, Submission.State.FAILED, "The extract no longer passes its checks.")
    else:
        finish(
            sub,
            Submission.State.PROCESSED,
            output_path=str(out_dir),
            trace_results_path=str(trace_csv),
            trace_outcomes=result.trace_outcomes,
            processed_at=timezone.now(),
            progress=100,
        )
    sub.refresh_from_db()
    return sub

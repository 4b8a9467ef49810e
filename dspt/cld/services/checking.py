"""Writes: check a landed submission, and trace and pseudonymise an accepted one.

Both run outside any transaction (they take minutes on a big file), between short transactions
that record the state and its audit event.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from dspt.audit.services import record
from dspt.cld import conf, selectors
from dspt.cld.models import Submission
from dspt.cld.services.common import CldError, finish, zone
from dspt.cld.services.progress import ProgressSaver, save_progress
from dspt.cld.spec import load_spec

log = logging.getLogger(__name__)

# Share of the bar given to the engine's own reports; the rest is our step boundaries.
CHECK_SPAN = (5, 95)
PROCESS_SPAN = (5, 95)


def check_submission(submission_id: int) -> Submission:
    """Validate a landed submission; keep it if accepted, delete the file if rejected."""
    sub = Submission.objects.select_related("organisation__local_authority", "period").get(
        pk=submission_id
    )
    if sub.state != Submission.State.LANDING:
        return sub
    Submission.objects.filter(pk=sub.pk).update(state=Submission.State.CHECKING, progress=0)
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

    With DSPT_CLD_BACKGROUND=thread the work runs in a thread after this request commits and the
    submission page follows its progress; otherwise it runs now, within the request.
    """
    if not selectors.is_processor(user):
        raise CldError("Only the processing centre can process extracts.")
    if sub.state not in (Submission.State.ACCEPTED, Submission.State.FAILED):
        raise CldError("Only an accepted extract can be processed.")
    with transaction.atomic():
        Submission.objects.filter(pk=sub.pk).update(
            state=Submission.State.PROCESSING, progress=0, state_message=""
        )
        record(
            "cld.processing_started",
            actor=user,
            organisation=sub.organisation,
            obj=sub,
            request=request,
        )
    if conf.get("DSPT_CLD_BACKGROUND") == "thread":

        def work() -> None:
            try:
                run_processing(sub.pk)
            finally:
                close_old_connections()

        transaction.on_commit(lambda: threading.Thread(target=work, daemon=True).start())
    else:
        run_processing(sub.pk)
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

    sub = Submission.objects.select_related("organisation").get(pk=submission_id)
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
    except Exception:
        # Running in a thread nobody waits on: never leave the submission "being processed".
        log.exception("Processing submission %s failed", sub.pk)
        finish(sub, Submission.State.FAILED, "Processing failed unexpectedly; see the server log.")
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

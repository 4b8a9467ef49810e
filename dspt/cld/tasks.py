"""The client-level data jobs the worker runs (queued by dspt/cld/services)."""

from __future__ import annotations

from dspt.cld.services.checking import check_submission, run_processing


def check(submission_id: int) -> str:
    """Check a landed submission; returns its new state (recorded with the job)."""
    return check_submission(submission_id).state


def process(submission_id: int) -> str:
    """Trace and pseudonymise a submission marked for processing; returns its new state."""
    return run_processing(submission_id).state

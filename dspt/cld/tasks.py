"""The client-level data jobs the worker runs (queued by dspt/cld/services)."""

from __future__ import annotations

from dspt.cld.services.checking import check_submission, run_processing


def check(submission_id: int) -> str:
    """Check a landed submission; returns its new state (recorded with the job)."""
    return check_submission(submission_id).state


def process(submission_id: int) -> str:
    """Trace and pseudonymise a submission marked for processing; returns its new state."""
    return run_processing(submission_id).state


def load_health(dataset_id: int) -> str:
    """Check and load a stored health dataset; returns its new state."""
    from dspt.cld.services.health import health_dataset_check

    return health_dataset_check(dataset_id).state

"""`dspt cld worker`: check submissions left waiting (DSPT_CLD_BACKGROUND=worker, or after a
restart interrupted a background thread). Polls the database; one submission at a time."""

from __future__ import annotations

import time

from dspt.cld.models import Submission
from dspt.cld.services import check_submission


def run_worker(*, once: bool = False, interval: float = 2.0) -> int:
    """Check every landed submission; with `once`, stop when none are left. Returns how many."""
    done = 0
    while True:
        waiting = list(
            Submission.objects.filter(state=Submission.State.LANDING)
            .exclude(stored_path="")
            .order_by("submitted_at")
            .values_list("pk", flat=True)[:10]
        )
        for pk in waiting:
            check_submission(pk)
            done += 1
        if once and not waiting:
            return done
        if not waiting:
            time.sleep(interval)

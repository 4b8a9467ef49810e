"""Progress of a long step (checking, or tracing and pseudonymising), saved for the page to show.

The engines report a fraction from 0 to 1 as they go; saving every report would hammer the
database, so a `ProgressSaver` writes only when the whole percentage has moved and at most about
once a second (the first and the final value are always written).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection

from dspt.cld.models import Submission

MIN_INTERVAL = 1.0  # seconds between two saves


def save_progress(submission_id: int, percent: int) -> None:
    """Write the percentage now (at a step boundary)."""
    Submission.objects.filter(pk=submission_id).update(progress=max(0, min(100, int(percent))))


class ProgressSaver:
    """A callback `saver(fraction)` mapping 0..1 onto `low`..`high` percent, throttled.

    Engines report from their own threads too (a DuckDB statement is watched from a thread). A
    saver made inside a transaction (the demo loader holds one for its whole run, and checks in
    it) never writes from another thread: that thread's connection would wait for the
    transaction's lock (SQLite: "database is locked" after the busy timeout; PostgreSQL: on the
    row for as long as the transaction lasts). Such a report is kept and written by the owning
    thread at its next report, which nobody outside the transaction could have seen earlier
    anyway. In the worker there is no surrounding transaction, and reports are written as they
    come, for the page to follow.
    """

    def __init__(
        self,
        submission_id: int,
        *,
        low: int = 0,
        high: int = 100,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.submission_id = submission_id
        self.low, self.high = low, high
        self.interval = MIN_INTERVAL if interval is None else interval
        self.clock = clock
        self.saved: int | None = None
        self.saved_at = float("-inf")
        self.owner = threading.get_ident()
        self.in_transaction = connection.in_atomic_block
        self.pending: int | None = None  # a report from another thread, not yet written
        self.lock = threading.Lock()

    def __call__(self, fraction: float) -> None:
        fraction = 0.0 if fraction != fraction else max(0.0, min(1.0, float(fraction)))  # NaN
        percent = int(self.low + fraction * (self.high - self.low))
        mine = threading.get_ident() == self.owner
        with self.lock:
            if not mine and self.in_transaction:
                self.pending = max(percent, self.pending or 0)
                return
            if mine and self.pending is not None:
                percent, self.pending = max(percent, self.pending), None
            now = self.clock()
            if percent == self.saved or (
                self.saved is not None and now - self.saved_at < self.interval and percent < 100
            ):
                return
            self.saved, self.saved_at = percent, now
        save_progress(self.submission_id, percent)
        if not mine:
            # An engine may report from its own thread: do not leave a connection open there.
            connection.close()

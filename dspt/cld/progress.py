"""Progress reporting for long client-level data runs (the web page shows a percentage).

A caller passes `progress=callable` taking a fraction 0.0-1.0. `Progress` maps each step of the
run onto a share of the whole, never goes backwards, calls at most about twice a second (except
for the final 1.0, always sent), and can watch a long DuckDB statement from a background thread
through `con.query_progress()`, so the page moves during the one big scan too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

ProgressFn = Callable[[float], None]

MIN_INTERVAL = 0.5  # seconds between calls: at most ~2 per second


class Progress:
    """Throttled, monotonic progress over a sequence of weighted steps."""

    def __init__(self, fn: ProgressFn | None, *, start: float = 0.0, end: float = 1.0) -> None:
        self.fn = fn
        self.start, self.end = start, end
        self._root: Progress = self
        self._done = -1.0  # overall fraction reached so far (kept on the root)
        self._last_sent = -1.0
        self._last_time = 0.0
        self._lock = threading.Lock()

    def sub(self, start: float, end: float) -> Progress:
        """A child covering [start, end] of this one's range (for work done inside one step)."""
        span = self.end - self.start
        child = Progress(self.fn, start=self.start + span * start, end=self.start + span * end)
        child._root = self._root
        return child

    def update(self, fraction: float) -> None:
        """Report that `fraction` (0-1) of this range is done."""
        if self.fn is None:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        self._root._send(self.start + (self.end - self.start) * fraction)

    def _send(self, overall: float) -> None:
        with self._lock:
            final = overall >= 1.0
            if final:
                if self._last_sent >= 1.0:
                    return
            elif overall <= self._done:
                return
            self._done = max(self._done, overall)
            now = time.monotonic()
            if not final and now - self._last_time < MIN_INTERVAL:
                return
            self._last_time, self._last_sent = now, overall
        try:
            self.fn(round(min(overall, 1.0), 4))
        except Exception:  # a broken progress display must never break processing
            log.exception("progress callback failed")

    def finish(self) -> None:
        self.update(1.0)

    @contextmanager
    def watch(self, con, start: float, end: float) -> Iterator[None]:
        """While the block runs a DuckDB statement on `con`, poll its progress into [start, end]."""
        self.update(start)
        if self.fn is None or con is None:
            yield
            self.update(end)
            return
        stop = threading.Event()

        def poll() -> None:
            while not stop.wait(MIN_INTERVAL):
                try:
                    pct = con.query_progress()
                except Exception:  # noqa: BLE001, S112 - between statements
                    continue
                if pct is not None and pct >= 0:
                    self.update(start + (end - start) * min(pct, 100.0) / 100.0)

        thread = threading.Thread(target=poll, name="cld-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
        self.update(end)


def as_progress(progress: ProgressFn | Progress | None) -> Progress:
    """Accept a plain callable, an existing Progress (a sub-range), or nothing."""
    if isinstance(progress, Progress):
        return progress
    return Progress(progress)

"""The `dspt worker` process: django-q2's cluster, stopped safely whoever receives the signal.

django-q2's main process stops its cluster from inside the signal handler by setting an event
its supervising child (the sentinel) waits on. A multiprocessing event's `set` waits for every
process sleeping on it to wake and say so. When SIGTERM reaches the whole process group at once
(`kill -- -PGID`, or systemd's default `KillMode=control-group`), the sentinel dies while it
sleeps on that event and never says so, and the main process waits for ever.

Here the event is set from a thread of its own, and the main thread waits for the sentinel to
exit, however it exits: after a SIGTERM to the main process alone the sentinel lets each job
process finish its job and stops; after one to the whole group the job processes and the
sentinel are already gone (their jobs are handed out again later, as after a crash) and the
main process exits at once.
"""

from __future__ import annotations

import logging
import threading

from django_q.cluster import Cluster

log = logging.getLogger(__name__)


class WorkerCluster(Cluster):
    """A django-q2 cluster whose main process never blocks on the sentinel in a signal handler."""

    def __init__(self) -> None:
        self.stop_requested = threading.Event()
        super().__init__()  # installs self.sig_handler for SIGTERM and SIGINT

    def sig_handler(self, signum, frame) -> None:
        if self.stop_requested.is_set():
            return
        self.stop_requested.set()
        log.info("Stopping: each job process finishes the job in hand")
        self._stop_cluster()

    def _stop_cluster(self) -> None:
        stop_event = self.stop_event
        if stop_event is not None:
            # A daemon thread: if the sentinel was killed while it waited on the event, this
            # thread waits for ever, and the process still exits.
            threading.Thread(target=stop_event.set, name="stop-cluster", daemon=True).start()

    def run(self) -> int:
        """Start the cluster and wait until it has stopped; the sentinel's exit code."""
        try:
            self.start()
        except RuntimeError:
            # The sentinel died while starting: a signal to the whole group does that.
            if not self.stop_requested.is_set():
                raise
        if self.stop_requested.is_set():
            self._stop_cluster()  # the signal came before there was an event to set
        self.sentinel.join()
        code = self.sentinel.exitcode or 0
        if code:
            log.warning(
                "The worker's processes ended with %s; any job they held is handed out again "
                "once its lock expires (DSPT_TASK_RETRY)",
                f"signal {-code}" if code < 0 else f"exit code {code}",
            )
        else:
            log.info("The worker has stopped")
        return code

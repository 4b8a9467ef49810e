"""Background work: one way in (`enqueue`) for everything that must not run in a web request.

Jobs go to django-q2's queue (docs/adr/0008-task-queue.md) and `dspt worker` runs them: the
database is the broker by default (SQLite or PostgreSQL, nothing else to run), Redis at scale
(DSPT_TASK_REDIS). A job is named by its dotted path and given plain arguments (ids, strings),
so the worker loads what it needs from the database itself.

With DSPT_TASKS=eager the job runs at once in the calling process instead: the test suite, and
the demo loader, which needs each result before its next step.
"""

from __future__ import annotations

import logging
import pydoc
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def eager() -> bool:
    """Whether jobs run at once in the calling process (DSPT_TASKS=eager)."""
    return getattr(settings, "DSPT_TASKS", "queue") == "eager"


def _function(path: str) -> Callable[..., Any]:
    func = pydoc.locate(path)
    if not callable(func):
        raise ValueError(f"No task function {path}")
    return func


def enqueue(path: str, *args: Any, group: str = "", timeout: int | None = None) -> Any:
    """Run the function at `path` with `args` in the worker, once the current transaction
    commits (a job must never see, or miss, a row its caller has not committed yet).

    Eager: run it now and return its result. Queued: returns None.
    """
    if eager():
        return _function(path)(*args)
    from django_q.tasks import async_task

    options: dict[str, Any] = {"group": group or path.rsplit(".", 1)[-1]}
    if timeout is not None:
        options["timeout"] = timeout
    transaction.on_commit(lambda: async_task(path, *args, q_options=options), robust=False)
    return None


def run_pending(limit: int | None = None) -> int:
    """Run the jobs waiting in the queue here, one after another, until none is left (or
    `limit` have run); returns how many ran. `dspt worker --once` and tests use it."""
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    done = 0
    while limit is None or done < limit:
        if broker.queue_size() == 0:
            return done
        taken = broker.dequeue() or []
        for ack_id, payload in taken:
            task = SignedPackage.loads(payload)
            func = task["func"]
            try:
                (func if callable(func) else _function(func))(*task["args"], **task["kwargs"])
            except Exception:
                log.exception("Background job %s failed", task.get("name"))
            broker.acknowledge(ack_id)
            done += 1
    return done

"""The Redis broker, made to keep a job until its worker says it is done.

django-q2's own Redis broker pops a job off the list when a worker takes it (`BLPOP`), so a job
whose worker is killed is gone. This one moves the job, in the same atomic step, onto a list of
jobs taken (`BLMOVE`) and notes by when it must be acknowledged; acknowledging removes it. Any
worker, as it asks for work, hands a taken job whose time is up back to the front of the queue,
which is what the database broker does with an expired lock (docs/adr/0008-task-queue.md). A
job therefore runs at least once, as on the database broker, and every job is written for that.

Keys, for a queue named Q: `django_q:Q:q` (waiting, the list django-q2 uses), `django_q:Q:taken`
(taken, not yet acknowledged) and `django_q:Q:due` (a hash: each taken job's SHA-1 → the time,
in seconds since the epoch, by which it must be acknowledged).
"""

from __future__ import annotations

import hashlib
import time

from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf

# Hand back every taken job whose time is up; give one taken but never timed (its worker died
# between the two steps of `dequeue`) the full time from now. Atomic, so two workers sweeping at
# once cannot both hand back the same job.
_SWEEP = """
local handed_back = 0
for _, job in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local key = redis.sha1hex(job)
  local due = redis.call('HGET', KEYS[3], key)
  if not due then
    redis.call('HSET', KEYS[3], key, ARGV[2])
  elseif tonumber(due) <= tonumber(ARGV[1]) then
    redis.call('LREM', KEYS[2], 1, job)
    redis.call('HDEL', KEYS[3], key)
    redis.call('LPUSH', KEYS[1], job)
    handed_back = handed_back + 1
  end
end
return handed_back
"""

# Forget a taken job by its SHA-1 (the acknowledgement id).
_ACKNOWLEDGE = """
for _, job in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if redis.sha1hex(job) == ARGV[1] then
    redis.call('LREM', KEYS[1], 1, job)
    break
  end
end
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""

# How often one process looks for jobs whose time is up (seconds).
SWEEP_EVERY = 5.0


class ReliableRedis(Redis):
    """django-q2's Redis broker with taken jobs kept until acknowledged (see the module doc)."""

    # When this process next looks for jobs whose time is up (time.monotonic()).
    _next_sweep = 0.0

    @property
    def taken_key(self) -> str:
        return self.list_key.removesuffix(":q") + ":taken"

    @property
    def due_key(self) -> str:
        return self.list_key.removesuffix(":q") + ":due"

    def dequeue(self):
        self.sweep()
        job = self.connection.blmove(self.list_key, self.taken_key, 1, "LEFT", "RIGHT")
        if job is None:
            return None
        key = hashlib.sha1(job).hexdigest()  # noqa: S324 - an identifier, not a signature
        self.connection.hset(self.due_key, key, time.time() + Conf.RETRY)
        return [(key, job)]

    def sweep(self, *, now: float | None = None) -> int:
        """Hand back to the queue the taken jobs whose time is up; returns how many. Runs at
        most every SWEEP_EVERY seconds in one process unless `now` is given (tests)."""
        clock = time.time() if now is None else now
        if now is None and time.monotonic() < self._next_sweep:
            return 0
        self._next_sweep = time.monotonic() + SWEEP_EVERY
        keys = (self.list_key, self.taken_key, self.due_key)
        return int(self.connection.eval(_SWEEP, 3, *keys, clock, clock + Conf.RETRY))

    def acknowledge(self, task_id: str) -> None:
        self.connection.eval(_ACKNOWLEDGE, 2, self.taken_key, self.due_key, task_id)

    def fail(self, task_id: str) -> None:
        # A job that cannot be read (a bad signature) never will be: drop it, as the plain
        # Redis broker did by popping it.
        self.acknowledge(task_id)

    def lock_size(self) -> int:
        return self.connection.llen(self.taken_key)

    def delete_queue(self):
        return self.connection.delete(self.list_key, self.taken_key, self.due_key)

    def purge_queue(self):
        self.connection.delete(self.taken_key, self.due_key)
        return super().purge_queue()

"""The Redis broker keeps a taken job until it is acknowledged (dspt/tasks/redis_broker.py).

Real worker processes killed mid-job are in tests/test_worker_processes.py; this is the broker's
own bookkeeping. Skipped when no Redis server answers at 127.0.0.1:6379.
"""

from __future__ import annotations

import time
import uuid

import pytest

from dspt.tasks.redis_broker import ReliableRedis
from tests.processes import redis_up

pytestmark = pytest.mark.skipif(not redis_up(), reason="no Redis server at 127.0.0.1:6379")


@pytest.fixture
def broker():
    made = ReliableRedis(list_key=f"dspt-broker-test-{uuid.uuid4().hex[:8]}")
    yield made
    made.delete_queue()


def test_a_taken_job_is_kept_until_acknowledged(broker):
    broker.enqueue(b"job-1")
    broker.enqueue(b"job-2")
    [(ack, job)] = broker.dequeue()
    assert job == b"job-1"
    assert broker.queue_size() == 1 and broker.lock_size() == 1
    broker.acknowledge(ack)
    assert broker.queue_size() == 1 and broker.lock_size() == 0


def test_a_job_not_acknowledged_in_time_goes_back_to_the_front(broker):
    broker.enqueue(b"job-1")
    broker.enqueue(b"job-2")
    [(_ack, job)] = broker.dequeue()  # its worker is then killed: no acknowledgement comes
    assert broker.sweep(now=time.time()) == 0  # still within its time
    assert broker.sweep(now=time.time() + 10**6) == 1
    assert broker.lock_size() == 0 and broker.queue_size() == 2
    [(ack, again)] = broker.dequeue()
    assert again == job  # taken again first, before the job that waited behind it
    broker.acknowledge(ack)
    assert broker.sweep(now=time.time() + 10**6) == 0  # an acknowledged job never comes back


def test_a_job_taken_but_never_timed_gets_its_full_time(broker):
    # A worker that dies between taking a job and noting its time leaves it untimed: the sweep
    # times it from then, and hands it back only once that time is up.
    broker.enqueue(b"job-1")
    broker.connection.lmove(broker.list_key, broker.taken_key, "LEFT", "RIGHT")
    now = time.time()
    assert broker.sweep(now=now) == 0
    assert broker.sweep(now=now + 10**6) == 1 and broker.queue_size() == 1


def test_an_unreadable_job_is_dropped(broker):
    broker.enqueue(b"not a signed package")
    [(ack, _job)] = broker.dequeue()
    broker.fail(ack)
    assert broker.queue_size() == 0 and broker.lock_size() == 0

"""Real `dspt worker` processes on a database of their own (docs/adr/0008-task-queue.md).

- Two workers draining one queue never run the same job (SQLite and PostgreSQL).
- A worker killed with SIGKILL in the middle of a check leaves the job to be taken again: the
  next worker checks the extract to the end, or, past DSPT_TASK_MAX_ATTEMPTS, marks it failed;
  it is never left "being checked".
- SIGTERM stops a worker busy with a job, whether it reaches the main process alone (the job
  finishes first) or every process of the worker at once, as systemd's default stop does (the
  job is left on the queue to be handed out again, and the worker exits at once).
- With DSPT_TASK_REDIS the same worker takes its jobs from Redis, and a killed worker's job is
  taken again from there too (skipped without a server).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import DSPT, clean_env, database, redis_up, run

pytestmark = [pytest.mark.xdist_group("servers"), pytest.mark.processes]

ENQUEUE = """
from django_q.tasks import async_task
for n in range({jobs}):
    async_task("dspt.tasks.tests.worker_jobs.record", n, {path!r}, {seconds})
"""


def _env(tmp_path: Path, url: str, **extra: str) -> dict:
    env = clean_env(
        DATABASE_URL=url,
        DSPT_DATA_DIR=str(tmp_path / "data"),
        DSPT_CLD_STORAGE=str(tmp_path / "zone"),
        DSPT_TASK_POLL="0.2",
        DSPT_TASK_WORKERS="2",
        DSPT_CLD_DUCKDB_THREADS="1",
        DSPT_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


@contextmanager
def _worker(env: dict, log: Path):
    """`dspt worker` in a session of its own, so the test can kill it and all its processes; it
    must stop within 30 s of SIGTERM to its main process (killed and failed otherwise)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [DSPT, "worker"], env=env, stdout=out, stderr=out, start_new_session=True
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()  # the main process stops its job processes after their jobs
            hung = False
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                hung = True
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            if hung:
                raise AssertionError("dspt worker did not stop within 30 s of SIGTERM")


def _wait(what, seconds: float, step: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(step)
    return what()


def _lines(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_two_workers_never_take_the_same_job(kind, tmp_path):
    jobs = 40
    with database(kind, tmp_path / "db") as url:
        env = _env(tmp_path, url)
        run(env, "migrate", "--no-input", "-v", "0")
        done = tmp_path / "done.txt"
        logs = tmp_path / "a.log", tmp_path / "b.log"
        with _worker(env, logs[0]), _worker(env, logs[1]):
            # Both clusters are up before the jobs arrive, so they race for every one of them.
            assert _wait(lambda: all(b"running" in p.read_bytes() for p in logs if p.exists()), 90)
            run(env, "shell", "-c", ENQUEUE.format(jobs=jobs, path=str(done), seconds=0.2))
            _wait(lambda: len(_lines(done)) >= jobs, 180, step=0.2)
            time.sleep(2)  # a job taken twice would show up as a late extra line
        lines = _lines(done)
    counts = Counter(int(n) for n, _, _ in lines)
    assert sorted(counts) == list(range(jobs)), f"missing jobs: {set(range(jobs)) - set(counts)}"
    assert max(counts.values()) == 1, f"jobs run twice: {[n for n, c in counts.items() if c > 1]}"
    # Each job line names the job process and its parent, the sentinel of the `dspt worker` it
    # belongs to: both workers took jobs, so they really raced for them.
    parents = {int(parent) for _, _, parent in lines}
    assert len(parents) == 2, parents


@pytest.mark.parametrize("to", ["main-process", "process-group"])
def test_sigterm_stops_a_busy_worker(to, tmp_path):
    with database("sqlite", tmp_path / "db") as url:
        env = _env(tmp_path, url, DSPT_TASK_WORKERS="1")
        run(env, "migrate", "--no-input", "-v", "0")
        log, done = tmp_path / "worker.log", tmp_path / "done.txt"
        with _worker(env, log) as proc:
            assert _wait(lambda: log.exists() and b"running" in log.read_bytes(), 90)
            run(env, "shell", "-c", ENQUEUE.format(jobs=1, path=str(done), seconds=4))
            assert _wait(lambda: b"processing" in log.read_bytes(), 60), log.read_text()[-3000:]
            if to == "main-process":
                os.kill(proc.pid, signal.SIGTERM)
            else:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail(f"dspt worker did not exit after SIGTERM to its {to}")
        left = run(env, "shell", "-c", COUNT_ORM).strip().splitlines()[-1]
    if to == "main-process":
        assert _lines(done) and left == "0"  # the job in hand finished and was acknowledged
    else:
        assert not _lines(done) and left == "1"  # killed mid-job, and kept to be run again


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    """An extract that takes the worker a few seconds to check (generated once)."""
    folder = tmp_path_factory.mktemp("extract")
    path = folder / "extract.csv"
    subprocess.run(
        [DSPT, "cld", "generate", "--rows", "30000", "--seed", "7", "--out", str(path)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return path


UPLOAD = """
import shutil
from dspt.cld.models import Submission
from dspt.cld.services import schedule_check, zone
from dspt.organisations.models import LocalAuthority, Organisation, OrgType
la = LocalAuthority.objects.get(ons_code="E08000035")
org = Organisation.objects.create(
    ods_code="E08000035", name="Leeds City Council", org_type=OrgType.LOCAL_AUTHORITY,
    local_authority=la,
)
sub = Submission.objects.create(organisation=org, original_name="extract.csv")
target = zone("submissions", str(sub.pk)) / "upload.csv"
shutil.copy({source!r}, target)
Submission.objects.filter(pk=sub.pk).update(stored_path=str(target))
schedule_check(sub.pk)
print(sub.pk)
"""

STATE = """
from dspt.cld.models import Submission
s = Submission.objects.get()
print(s.state, s.attempts, s.rows, s.report.get("summary"))
"""


def _state(db_file: Path) -> tuple[str, int]:
    import sqlite3

    with sqlite3.connect(db_file, timeout=30) as con:
        row = con.execute("SELECT state, attempts FROM cld_submission").fetchone()
    return (row[0], row[1]) if row else ("", 0)


def _redis_env() -> dict:
    # A queue of its own: other deployments or test runs may share this server.
    return {
        "DSPT_TASK_REDIS": "redis://127.0.0.1:6379/0",
        "DSPT_TASK_QUEUE": f"dspt-test-{uuid.uuid4().hex[:8]}",
    }


needs_redis = pytest.mark.skipif(not redis_up(), reason="no Redis server answers at 127.0.0.1:6379")


@pytest.mark.parametrize(
    ("max_attempts", "outcome", "broker"),
    [
        ("3", "accepted 2 30000 {}", "database"),
        ("1", "rejected 2 0 {'CHECK_INTERRUPTED': 1}", "database"),
        pytest.param("3", "accepted 2 30000 {}", "redis", marks=needs_redis),
    ],
    ids=["retried", "clearly-failed", "retried-from-redis"],
)
def test_a_worker_killed_mid_check_never_leaves_it_checking(
    max_attempts, outcome, broker, extract, tmp_path
):
    db_file = tmp_path / "db" / "fresh.sqlite3"
    with database("sqlite", tmp_path / "db") as url:
        env = _env(tmp_path, url, DSPT_TASK_WORKERS="1", DSPT_TASK_MAX_ATTEMPTS=max_attempts)
        if broker == "redis":
            env.update(_redis_env())
        run(env, "migrate", "--no-input", "-v", "0")
        run(env, "shell", "-c", UPLOAD.format(source=str(extract)))
        assert _state(db_file)[0] == "landing"
        # The first worker takes the job with a 5 s lock instead of twice the job timeout, so
        # the test need not wait long for the job to be handed out again.
        with _worker({**env, "DSPT_TASK_RETRY": "5"}, tmp_path / "first.log") as first:
            checking = _wait(lambda: _state(db_file)[0] == "checking", 120, step=0.02)
            assert checking, (tmp_path / "first.log").read_text()[-3000:]
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        time.sleep(0.5)
        assert _state(db_file) == ("checking", 1)  # the dead worker's job, taken and unfinished
        with _worker(env, tmp_path / "second.log"):
            finished = _wait(lambda: _state(db_file)[0] in ("accepted", "rejected"), 240, 0.2)
            assert finished, (tmp_path / "second.log").read_text()[-3000:]
        assert run(env, "shell", "-c", STATE).strip().splitlines()[-1] == outcome


COUNT_ORM = "from django_q.models import OrmQ; print(OrmQ.objects.count())"
REDIS_LEFT = (
    "from django_q.brokers import get_broker; b = get_broker(); "
    "print(b.queue_size(), b.lock_size())"
)


@needs_redis
def test_the_worker_takes_jobs_from_redis_when_configured(tmp_path):
    with database("sqlite", tmp_path / "db") as url:
        env = _env(tmp_path, url, **_redis_env())
        run(env, "migrate", "--no-input", "-v", "0")
        done = tmp_path / "done.txt"
        run(env, "shell", "-c", ENQUEUE.format(jobs=5, path=str(done), seconds=0))
        with _worker(env, tmp_path / "redis.log"):
            _wait(lambda: len(_lines(done)) >= 5, 120, step=0.2)
        assert sorted(int(n) for n, _, _ in _lines(done)) == [0, 1, 2, 3, 4]
        # Nothing went through the database queue.
        left = run(env, "shell", "-c", COUNT_ORM)
        assert left.strip().splitlines()[-1] == "0"
        # Every job taken from Redis was acknowledged: none waits, none is held as taken.
        assert run(env, "shell", "-c", REDIS_LEFT).strip().splitlines()[-1] == "0 0"

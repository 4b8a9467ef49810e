"""`dspt cld process --engine spark` on a real Spark standalone cluster.

A master and two workers (1 core, 1 GB each) run as separate processes started from the pyspark
package's own `spark-class`, on free ports of 127.0.0.1. The command runs as its own process with
DSPT_CLD_SPARK_MASTER pointing at the master; extract, work directory and output share one
directory path, as on a cluster with shared storage. Its rows must equal the DuckDB engine's row
for row, and both workers must have run executors for it. The cluster is stopped whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dspt.cld.generate import generate
from dspt.cld.pipeline import process
from dspt.cld.pseudonymise import pad_key
from dspt.cld.spec import load_spec

from .conftest import TEST_KEY_HEX, output_rows

DSPT = Path(sys.executable).parent / "dspt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spark_class() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-class"


def _wait(what: str, ready, procs: list[subprocess.Popen], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"{what}: a cluster process exited with {p.returncode}")
        if ready():
            return
        time.sleep(0.5)
    raise TimeoutError(f"{what} within {timeout}s")


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=5) as r:  # noqa: S310 - local master
            return int(json.load(r).get("aliveworkers", 0))
    except OSError:
        return 0


def _stop(procs: list[subprocess.Popen]) -> None:
    """Workers first (they stop their executors), then the master; SIGKILL what lingers."""
    for p in reversed(procs):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in reversed(procs):
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.fixture
def cluster(tmp_path):
    """A standalone master and two workers; yields (master URL, the workers' work directories)."""
    env = {
        **os.environ,
        "SPARK_HOME": str(_spark_class().parent.parent),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_DAEMON_MEMORY": "256m",
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_LOG_DIR": str(tmp_path / "logs"),
    }
    port, ui = _free_port(), _free_port()
    master_url = f"spark://127.0.0.1:{port}"
    procs: list[subprocess.Popen] = []
    logs = tmp_path / "logs"
    logs.mkdir()

    def start(name: str, *args: str) -> None:
        with open(logs / f"{name}.log", "wb") as log:
            procs.append(
                subprocess.Popen(
                    [str(_spark_class()), *args],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own group: stopping it stops its children
                )
            )

    work_dirs = [tmp_path / f"worker-{i}" for i in (1, 2)]
    try:
        start(
            "master",
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui)),
        )
        _wait("master up", lambda: _listening(port), procs)
        for i, work in enumerate(work_dirs, start=1):
            work.mkdir()
            start(
                f"worker-{i}",
                "org.apache.spark.deploy.worker.Worker",
                *("--host", "127.0.0.1", "--port", str(_free_port())),
                *("--webui-port", str(_free_port()), "--cores", "1", "--memory", "1g"),
                *("--work-dir", str(work), master_url),
            )
        _wait("two workers registered", lambda: _alive_workers(ui) == 2, procs)
        yield master_url, work_dirs
    finally:
        _stop(procs)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.spark
@pytest.mark.slow
def test_process_on_a_standalone_cluster_matches_duckdb(cluster, tmp_path):
    master_url, work_dirs = cluster
    spec = load_spec("release-2")
    shared = tmp_path / "shared"  # the path every worker reaches the files by
    shared.mkdir()
    extract = shared / "extract.csv"
    generate(extract, rows=2000, seed=41, trace_share=0.3, spec=spec)
    key = bytes.fromhex(TEST_KEY_HEX)
    duck = process(
        extract, tmp_path / "duck", spec=spec, key=key, trace_results=tmp_path / "duck-trace.csv"
    )
    assert duck.exit_code == 0

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dspt.settings",
        "DSPT_PSEUDONYM_KEY": TEST_KEY_HEX,
        "DSPT_CLD_SPARK_MASTER": master_url,
        "DSPT_CLD_SPARK_SHUFFLE_PARTITIONS": "2",
        "DSPT_CLD_SPARK_CONF": json.dumps(
            {
                "spark.executor.memory": "512m",
                "spark.executor.cores": "1",
                "spark.driver.host": "127.0.0.1",
                "spark.driver.bindAddress": "127.0.0.1",
            }
        ),
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    env.pop("DSPT_PSEUDONYM_KEY_FILE", None)
    out = shared / "out"
    done = subprocess.run(
        [
            str(DSPT),
            *("cld", "process", str(extract), "--spec", "release-2", "--engine", "spark"),
            *("--out", str(out), "--trace-results", str(shared / "spark-trace.csv")),
        ],
        env=env,
        capture_output=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    a, b = output_rows(tmp_path / "duck"), output_rows(out)
    assert len(a) == len(b) == 2000
    assert list(a[0]) == list(b[0])
    for x, y in zip(a, b, strict=True):
        assert x == y
    assert json.loads((out / "manifest.json").read_text())["trace_outcomes"] == dict(
        sorted(duck.trace_outcomes.items())
    )
    assert (shared / "spark-trace.csv").read_text() == (tmp_path / "duck-trace.csv").read_text()
    # The work really ran on the cluster: each worker launched an executor for the application.
    for work in work_dirs:
        assert list(work.glob("app-*/*/stderr")), f"no executor ran on {work.name}"
    keys = pad_key(key)
    for secret in (TEST_KEY_HEX, keys.ipad.hex(), keys.opad.hex()):
        assert secret not in done.stdout.decode() + done.stderr.decode()

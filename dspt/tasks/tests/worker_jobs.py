"""Jobs for the tests that run real `dspt worker` processes (tests/test_worker_processes.py)."""

from __future__ import annotations

import os
import time


def record(n: int, path: str, seconds: float = 0.1) -> int:
    """Append "n worker-pid cluster-pid" to `path` (one write, so lines never interleave)."""
    time.sleep(seconds)  # long enough for both workers to be busy at once
    line = f"{n} {os.getpid()} {os.getppid()}\n".encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return n

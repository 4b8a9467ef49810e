"""Helpers for tests that run `dspt` in another process with an environment of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DSPT = str(Path(sys.executable).parent / "dspt")


def clean_env(tmp_path: Path, **extra: str) -> dict:
    """This process's environment without the platform's and Django's own variables (the test
    run sets some, e.g. DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests), plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DSPT_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(DSPT_DATA_DIR=str(tmp_path), **extra)
    return env


def settings_in(env: dict, *names: str) -> list[str]:
    code = "from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{n}))" for n in names
    )
    done = subprocess.run(
        [DSPT, "shell", "--no-imports", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if line]

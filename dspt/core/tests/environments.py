"""Helpers for tests that run `dspt` in another process with an environment of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DSPT = str(Path(sys.executable).parent / "dspt")


def clean_env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DSPT_") and k != "DATABASE_URL"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
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

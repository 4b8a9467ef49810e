"""Helpers for tests that run `dspt` in other processes against a database of their own."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

DSPT = str(Path(sys.executable).parent / "dspt")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(env: dict, *args: str) -> str:
    done = subprocess.run(
        [DSPT, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def redis_up() -> bool:
    """Whether a Redis server answers at 127.0.0.1:6379 (tests that need one skip otherwise)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def postgres_url() -> str | None:
    try:
        import psycopg

        name = f"dspt_fresh_{uuid.uuid4().hex[:8]}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    except Exception:
        return None


def drop_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(kind: str, tmp_path: Path):
    """A new, empty database of `kind` (a SQLite file under tmp_path, or a PostgreSQL database
    created for the test and dropped after it); skips when PostgreSQL cannot be had."""
    if kind == "sqlite":
        tmp_path.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server answers at 127.0.0.1:5432")
    try:
        yield url
    finally:
        drop_postgres(url)

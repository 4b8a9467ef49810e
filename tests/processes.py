"""Helpers for tests that run `dspt` in other processes against a database of their own."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
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


def _pg_url(name: str) -> str:
    """The local PostgreSQL server's database `name` (trust authentication)."""
    return f"postgres://postgres@127.0.0.1:5432/{name}"


ADMIN_URL = _pg_url("postgres")

# Migrating a database from nothing takes `dspt migrate` about 8 CPU seconds, and a dozen tests
# need a database of their own: each process migrates one of each kind once (`_template`) and
# every test gets a copy. The tests still run `migrate` themselves, which then finds nothing
# to do, so a test reads the same whichever way its database was made.
_templates: dict[str, str] = {}


def clean_env(**settings: str) -> dict:
    """This process's environment without its own database, test and DSPT settings, plus
    `settings`: what a `dspt` process of a test's own starts from."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DSPT_", "DATABASE_URL", "PYTEST", "DJANGO_SETTINGS"))
    }
    env.update(settings)
    return env


def _migrate(url: str, scratch: Path) -> None:
    run(clean_env(DATABASE_URL=url, DSPT_DATA_DIR=str(scratch)), "migrate", "--no-input", "-v", "0")


def _template(kind: str) -> str:
    """This process's migrated database of `kind`: a SQLite file's path, or a PostgreSQL name."""
    if kind not in _templates:
        scratch = Path(tempfile.mkdtemp(prefix="dspt-template-"))
        atexit.register(shutil.rmtree, scratch, True)
        if kind == "sqlite":
            path = scratch / "template.sqlite3"
            _migrate(f"sqlite:///{path}", scratch)
            _templates[kind] = str(path)
        else:
            name = f"dspt_template_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(ADMIN_URL, autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{name}"')
            atexit.register(_drop, name)
            _migrate(_pg_url(name), scratch)
            _templates[kind] = name
    return _templates[kind]


def postgres_url() -> str | None:
    """A new PostgreSQL database, migrated, or None when no server answers."""
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5):
            pass
    except Exception:
        return None
    template = _template("postgresql")
    name = f"dspt_fresh_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return _pg_url(name)


def _drop(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_postgres(url: str) -> None:
    _drop(url.rsplit("/", 1)[1])


@contextmanager
def database(kind: str, tmp_path: Path):
    """A new database of `kind`, migrated (a SQLite file under tmp_path, or a PostgreSQL database
    created for the test and dropped after it); skips when PostgreSQL cannot be had."""
    if kind == "sqlite":
        tmp_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_template("sqlite"), tmp_path / "fresh.sqlite3")
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server answers at 127.0.0.1:5432")
    try:
        yield url
    finally:
        drop_postgres(url)

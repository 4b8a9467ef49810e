# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""The platform's one kind of in-process cache: rebuilt when a version row moves.

A writer that changes what a cache was built from calls `bump(key)` inside its transaction; a
reader calls `VersionedCache.get()`, which reads that one integer (a primary-key look-up) and
rebuilds only when it differs from the number the cached value was built at. So every process
sees a committed change on its very next request, and there is nothing to expire, poll or warn
about. A rebuild reads the number before the data, so a change committed while it reads is
seen as a new version next time rather than missed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import connection

T = TypeVar("T")
_TABLE = "core_dataversion"


def current(key: str) -> int:
    """The committed version number of `key` (0 before its first bump)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT number FROM {_TABLE} WHERE key = %s", [key])
        row = cur.fetchone()
    return row[0] if row else 0


def bump(key: str) -> None:
    """Move `key`'s version on; call inside the writer's transaction."""
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_TABLE} SET number = number + 1 WHERE key = %s", [key])
        if cur.rowcount == 0:
            cur.execute(f"INSERT INTO {_TABLE} (key, number) VALUES (%s, 1)", [key])


class VersionedCache(Generic[T]):
    """A value built by `build()`, kept per process until `key`'s version moves."""

    def __init__(self, key: str, build: Callable[[], T]) -> None:
        self.key = key
        self._build = build
        self._lock = threading.Lock()
        self._value: tuple[int, T] | None = None

    def get(self) -> T:
        number = current(self.key)
        held = self._value
        if held is not None and held[0] == number:
            return held[1]
        if connection.in_atomic_block:
            # Inside a transaction the data may yet be rolled back and its version number
            # reused by another writer's change: use it, but never keep it.
            return self._build()
        with self._lock:
            held = self._value
            if held is None or held[0] != number:
                number = current(self.key)  # read before the data (see the module note)
                held = (number, self._build())
                self._value = held
            return held[1]

    def clear(self) -> None:
        self._value = None

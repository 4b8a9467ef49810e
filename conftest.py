"""Options for the whole suite.

The Spark tests run in one xdist worker. `--database-only` keeps just the tests that touch the database. CI runs the suite once on SQLite
in full, then again on PostgreSQL with this option: a test that never opens a connection (the
pipeline's file checks, parsers, the layer check, pure rules) gives the same answer on either
database, so running it twice only makes CI slower.
"""

from __future__ import annotations

import pytest

# Fixtures through which a test reaches the database, directly or by depending on them.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-only",
        action="store_true",
        help="run only the tests that use the database (CI's PostgreSQL pass)",
    )


def touches_database(item: pytest.Item) -> bool:
    """Whether a collected test uses the database: marked for it, or using a fixture that does."""
    if item.get_closest_marker("django_db") is not None:
        return True
    return bool(DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The Spark tests share one worker (xdist's loadgroup): each process that runs one starts a
    # JVM of over a gigabyte and tens of seconds; two at once on two cores slow each other down.
    # tryfirst: xdist reads the group markers in its own hook, after this one.
    for item in items:
        if item.get_closest_marker("spark") is not None:
            item.add_marker(pytest.mark.xdist_group("spark"))
    if not config.getoption("--database-only"):
        return
    keep, drop = [], []
    for item in items:
        (keep if touches_database(item) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep

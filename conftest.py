"""Fixtures and options for the whole suite (dspt/ and tests/).

The Spark tests run in one xdist worker. `--database-only` keeps just the tests that touch the
database. CI runs the suite once on SQLite in full, then again on PostgreSQL with this option: a
test that never opens a connection (the pipeline's file checks, parsers, the layer check, pure
rules) gives the same answer on either database, so running it twice only makes CI slower.
"""

from __future__ import annotations

import pytest

# A transactional test's database blocker and test database, kept for `pytest_runtest_teardown`.
_FLUSHED_BY = pytest.StashKey[object]()


def _load_reference_geography() -> None:
    from dspt.organisations.models import LocalAuthority
    from dspt.organisations.reference import load_reference_data

    if not LocalAuthority.objects.exists():
        load_reference_data()


@pytest.fixture(autouse=True)
def _reference_geography_present(request):
    """England's regions, LAs, ICBs and LSOs are loaded by a migration. A transactional test
    (the browser tests) flushes every table when it ends, so a later test on the same worker
    would find them gone: `pytest_runtest_teardown` puts them back, committed, once the flush
    is done. Should a database test still find them missing, it loads them for itself."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if marker is None and not {"db", "transactional_db"} & set(names):
        return
    transactional = "transactional_db" in names or (marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    if transactional or "live_server" in names:
        from django.db import connection

        blocker = request.getfixturevalue("django_db_blocker")
        request.node.stash[_FLUSHED_BY] = (blocker, connection.settings_dict["NAME"])
    _load_reference_geography()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional test's flush, load the reference geography again and commit it.

    Loaded inside each later test instead, it was rolled back with that test, and every test
    after a transactional one loaded it again: half a second each, half of the suite's time
    (pytest runs the browser tests, which are transactional, early on every worker)."""
    yield
    flushed = item.stash.get(_FLUSHED_BY, None)
    if flushed is None or nextitem is None:
        return  # after the last test the test database is gone: nothing to put back
    from django.db import connection, transaction

    blocker, test_database = flushed
    if connection.settings_dict["NAME"] != test_database:
        return  # never write to any database but the test's own
    with blocker.unblock(), transaction.atomic():
        _load_reference_geography()


@pytest.fixture(autouse=True)
def _fresh_search_index():
    """Each test starts with no search index: a rolled-back test's version numbers are reused
    by the next."""
    from dspt.statuses.search_index import search_index

    search_index.invalidate()
    yield
    search_index.invalidate()


@pytest.fixture(autouse=True)
def _scratch_cld_zone(settings, tmp_path_factory):
    """Client-level data files (the demo plug-in, loaded by several tests, writes extracts) go to
    a scratch folder, never into the checkout's data/cld where a running demo keeps its own."""
    zone = tmp_path_factory.mktemp("cld-zone")
    settings.DSPT_CLD_STORAGE = str(zone)
    settings.DSPT_CLD_DEMO_KEY_FILE = str(zone / "demo-pseudonym.key")


@pytest.fixture(autouse=True)
def _background_jobs_run_at_once(settings):
    """Background jobs run at once in the test's process (DSPT_TASKS=eager), the honest
    equivalent of a worker that takes them straight away; tests of the queue itself set
    DSPT_TASKS=queue or start real `dspt worker` processes (tests/test_worker_processes.py)."""
    settings.DSPT_TASKS = "eager"


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

"""Fixtures for the whole suite (dspt/ and tests/)."""

import pytest


@pytest.fixture(autouse=True)
def _reference_geography_present(request):
    """England's regions, LAs, ICBs and LSOs are loaded by a migration. A transactional test
    (the browser tests) flushes every table when it ends, so a later test on the same worker
    would find them gone: put them back when a database test finds them missing."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if marker is None and not {"db", "transactional_db"} & set(names):
        return
    transactional = "transactional_db" in names or (marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from dspt.organisations.models import LocalAuthority
    from dspt.organisations.reference import load_reference_data

    if not LocalAuthority.objects.exists():
        load_reference_data()


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

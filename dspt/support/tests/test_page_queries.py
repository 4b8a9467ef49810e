"""The LSO pages that read every location's timeline ask the database the same number of
questions, and read back the same number of rows, whatever the number of locations."""

from datetime import date

import pytest
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext

from dspt.monitoring.tests.world import add_locations
from dspt.support.models import Engagement

PAGES = ["/support/compare/", "/support/outcomes/?lso=LSO1"]


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows Python reads back from the database (every fetchall and fetchmany)."""
    counted = {"rows": 0}
    for name in ("fetchall", "fetchmany"):

        def counting(self, *args, _name=name, **kwargs):
            rows = getattr(self.cursor, _name)(*args, **kwargs)
            counted["rows"] += len(rows)
            return rows

        # CursorWrapper hands these to the driver's cursor through __getattr__.
        monkeypatch.setattr(CursorWrapper, name, counting, raising=False)
    return counted


def _visit(client, path, rows_read) -> tuple[int, int]:
    rows_read["rows"] = 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries), rows_read["rows"]


@pytest.mark.parametrize("path", PAGES)
def test_work_does_not_grow_with_the_locations(client, people, world, settings, path, rows_read):
    settings.DSPT_TODAY = "2025-07-15"
    o = world.orgs
    add_locations(world, 30)
    # Locations, not providers: engaging a provider engages each of its locations.
    for org, day in ((o["L6"], date(2024, 3, 15)), (o["L10"], date(2024, 2, 1))):
        Engagement.objects.create(
            lso=world.lsos["north"], organisation=org, engaged_on=day, method="visit"
        )
    client.force_login(people["programme"])
    _visit(client, path, rows_read)  # the first visit's one-off look-ups (sessions, nav)
    small = _visit(client, path, rows_read)
    add_locations(world, 60, first=200)  # three times as many of the same kinds
    large = _visit(client, path, rows_read)
    assert large[0] == small[0] <= 20, "queries"
    assert large[1] == small[1], "rows read back"

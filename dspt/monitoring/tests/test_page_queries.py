"""The programme's national pages ask the database a fixed number of questions whatever the
number of locations, and read the status interval table as few times as their figures need:
once per day they show (every table of a day comes from one grouped query)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dspt.monitoring.config import targets
from dspt.monitoring.tests.world import add_locations

# Page -> reads of the status interval table: the report reads its day, a year before and the
# series; the targets page its day and each toolkit year's day; year-on-year its two days.
PAGES = {
    "/monitoring/report/?as_of=2025-06-30": 3,
    "/monitoring/targets/?as_of=2025-07-15": 1 + len({t.edition for t in targets()}),
    "/monitoring/change/?as_of=2025-07-15": 2,
    "/monitoring/series/?as_of=2025-07-15": 1,
}


def _visit(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    scans = sum("statuses_statusinterval" in q["sql"] for q in queries.captured_queries)
    return len(queries), scans


@pytest.mark.parametrize("path", PAGES)
def test_work_does_not_grow_with_the_locations(programme, world, path):
    add_locations(world, 30)
    _visit(programme, path)  # the first visit's one-off look-ups (sessions, nav)
    small = _visit(programme, path)
    add_locations(world, 60, first=200)  # three times as many of the same kinds
    large = _visit(programme, path)
    assert large == small
    assert small[1] <= PAGES[path], "reads of the status interval table"

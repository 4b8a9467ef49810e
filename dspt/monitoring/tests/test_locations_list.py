"""Every location in an area with its status on a date: filters, sorting, paging, export and
who may see which area (the hand-built world; statuses on 15 Jul 2024 from world.py)."""

from datetime import date

import pytest

from dspt.monitoring.lists import ListFilters, area_locations
from dspt.monitoring.sql import Scope
from dspt.monitoring.tests.pages import csv_rows

JUL_15 = date(2024, 7, 15)


def _names(rows):
    return [r["name"].removeprefix("Location ") for r in rows]


def test_every_status_is_listed_and_filtered(world):
    rows, matched = area_locations(JUL_15)
    assert matched == 11 and len(rows) == 11
    rows, matched = area_locations(JUL_15, filters=ListFilters(status="not_registered"))
    assert (_names(rows), matched) == (["L9"], 1)
    rows, _ = area_locations(JUL_15, filters=ListFilters(status="not_compliant"))
    assert _names(rows) == ["L10", "L2", "L6", "L7", "L9"]
    small = ListFilters(provider_size="Micro/Small", status="compliant")
    assert _names(area_locations(JUL_15, filters=small)[0]) == ["L11"]
    homes = ListFilters(care_home="Care home")
    assert _names(area_locations(JUL_15, filters=homes)[0]) == ["L1", "L2", "L8", "L9"]


def test_sorted_and_paged_in_the_database(world):
    first, matched = area_locations(JUL_15, sort="valid_until", descending=True, per_page=3)
    # Valid until: L1, L3-L5, L7, L8, L11 to 30 Jun 2025; names break the tie (descending dates).
    assert matched == 11 and _names(first) == ["L1", "L11", "L3"]
    second, _ = area_locations(JUL_15, sort="valid_until", descending=True, per_page=3, page=2)
    assert _names(second) == ["L4", "L5", "L7"]
    north = Scope("lso", "LSO1", "Care North")
    by_la, matched = area_locations(JUL_15, north, sort="local_authority", per_page=20)
    assert matched == 8 and [r["local_authority"] for r in by_la][:5] == ["Newcastle"] * 5


@pytest.mark.parametrize(
    ("who", "area", "status", "count"),
    [
        ("programme", "", 200, 11),
        ("programme", "local_authority:E09000007", 200, 3),
        ("lso_north", "", 200, 8),
        ("commissioner", "", 200, 5),
        ("commissioner", "local_authority:E09000007", 403, None),
        ("lso_london", "lso:LSO1", 403, None),
        ("reviewer", "", 403, None),
        ("member", "", 403, None),
    ],
)
def test_who_sees_which_locations(client, people, who, area, status, count):
    client.force_login(people[who])
    query = f"?as_of=2024-07-15&area={area}" if area else "?as_of=2024-07-15"
    r = client.get("/monitoring/locations/" + query + "&download=csv")
    assert r.status_code == status
    if count is not None:
        assert len(csv_rows(r)) == count


def test_page_has_sort_links_and_paging(programme, world, settings):
    body = programme.get("/monitoring/locations/?as_of=2024-07-15&sort=status").content.decode()
    assert 'aria-sort="ascending"' in body and "11 locations match." in body
    assert "sort=status&amp;order=desc" in body or "sort=status&order=desc" in body
    assert "nhsuk-pagination" not in body  # one page of 50
    body = programme.get("/monitoring/locations/?as_of=2024-07-15&status=expired").content.decode()
    assert "1 location matches." in body and "Location L2" in body

# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""A region's table of every local authority: compliant locations by level (Approaching, Met,
Exceeded) × care home or not × the edition of the publication (current or previous), as the
regional networks of directors of adult social services keep each month."""

from __future__ import annotations

from datetime import date

from dspt.monitoring.figures import row
from dspt.monitoring.population import CARE_HOME, NON_CARE_HOME
from dspt.monitoring.sql import (
    BUCKET_OF,
    BUCKETS,
    IN_POPULATION,
    LOCATION_SPANS,
    ON_DAY,
    fetch,
    on_day,
)
from dspt.statuses.compute import Status

LEVELS = (
    (Status.APPROACHING, "approaching", "Approaching"),
    (Status.MET, "met", "Met"),
    (Status.EXCEEDED, "exceeded", "Exceeded"),
)
HOMES = ((CARE_HOME, "care_home", "care homes"), (NON_CARE_HOME, "other", "other locations"))
EDITIONS = (("current", "current edition"), ("previous", "previous edition"))


def cell_columns() -> list[tuple[str, str, str]]:
    """(key, heading, kind) of the twelve level × care home × edition counts, in table order."""
    return [
        (f"{home}_{edition}_{level}", f"{label}, {home_label}, {edition_label}", "int")
        for _, home, home_label in HOMES
        for edition, edition_label in EDITIONS
        for _, level, label in LEVELS
    ]


def region_table(region_code: str, as_of: date) -> list[dict]:
    """One row per local authority in the region (by name), then the region's total: the
    one-way row's fields (locations, compliant, share, status mix) and the twelve counts."""
    found = fetch(
        "SELECT l.local_authority, l.care_home, i.status, i.relation, COUNT(*) "
        f"{LOCATION_SPANS} AND {ON_DAY} WHERE {IN_POPULATION} AND l.region_code = %s "
        "GROUP BY l.local_authority, l.care_home, i.status, i.relation",
        [*on_day(as_of), region_code],
    )
    level_key = {status.value: key for status, key, _ in LEVELS}
    home_key = {value: key for value, key, _ in HOMES}
    cells: dict[str, dict[str, int]] = {}
    buckets: dict[str, list[int]] = {}
    for la, care_home, status, relation, n in found:
        buckets.setdefault(la, [0] * len(BUCKETS))[BUCKET_OF[status]] += n
        counts = cells.setdefault(la, {})
        if status in level_key and relation in ("current", "previous"):
            key = f"{home_key[care_home]}_{relation}_{level_key[status]}"
            counts[key] = counts.get(key, 0) + n
    keys = [key for key, _, _ in cell_columns()]
    rows = []
    for la in sorted(buckets, key=str.casefold):
        r = row(la, buckets[la])
        r.update({key: cells[la].get(key, 0) for key in keys})
        rows.append(r)
    if rows:
        whole = row("All local authorities", [sum(c) for c in zip(*buckets.values(), strict=True)])
        whole.update({key: sum(r[key] for r in rows) for key in keys})
        rows.append(whole)
    return rows

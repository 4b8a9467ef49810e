# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""Compliance tables as of any date, for any area: the CONTRACT row format.

Each table is one query: the location dimension joined to the status interval that holds on
the day, grouped by the dimension and the status. The status itself was decided by the status
rule when the interval was written (dspt.statuses); this module only counts.
"""

from __future__ import annotations

from datetime import date

from dspt.monitoring.population import DIMENSIONS
from dspt.monitoring.sql import (
    BUCKET_OF,
    BUCKETS,
    GROUP_COLUMNS,
    IN_POPULATION,
    LOCATION_SPANS,
    NATIONAL,
    ON_DAY,
    Scope,
    fetch,
    on_day,
)

__all__ = ["ALL", "NATIONAL", "Scope", "compliance_table", "row", "total"]

ALL = "All locations"


def row(group: str, counts: list[int]) -> dict:
    """One CONTRACT row from bucket counts (full precision percentage)."""
    locations = sum(counts)
    compliant = counts[0] + counts[1] + counts[2]
    out = {
        "group": group,
        "locations": locations,
        "compliant": compliant,
        "compliance_pct": (100.0 * compliant / locations) if locations else 0.0,
    }
    out.update(zip(BUCKETS, counts, strict=True))
    return out


def counts_by(by: str, as_of: date, scope: Scope = NATIONAL) -> dict[str, list[int]]:
    """Bucket counts per group of `by` on `as_of` in the area (groups with no location absent)."""
    if by not in DIMENSIONS:
        raise ValueError(f"Unknown dimension '{by}'. Choose one of: {', '.join(DIMENSIONS)}.")
    if by == "client_group":
        # The client group rows carry the registration day and area codes themselves.
        area, area_params = scope.where("cg")
        rows = fetch(
            "SELECT cg.client_group, i.status, COUNT(*) FROM monitoring_locationclientgroup cg "
            f"JOIN statuses_statusinterval i ON i.organisation_id = cg.location_id AND {ON_DAY} "
            "WHERE (cg.cqc_registered_on IS NULL OR cg.cqc_registered_on <= %s)"
            f"{area} GROUP BY cg.client_group, i.status",
            [*on_day(as_of), *area_params],
        )
        counts: dict[str, list[int]] = {}
        for name, status, n in rows:
            counts.setdefault(name, [0] * len(BUCKETS))[BUCKET_OF[status]] += n
        return counts
    return {key[0]: c for key, c in grouped_counts([by], as_of, scope).items()}


def grouped_counts(
    dims: list[str], as_of: date, scope: Scope = NATIONAL, where: str = "", params: list = ()
) -> dict[tuple[str, ...], list[int]]:
    """Bucket counts per combination of groups of `dims` on `as_of` in the area, for the
    locations also meeting `where` (SQL on alias `l`, starting with AND, with `params`)."""
    columns = ", ".join(GROUP_COLUMNS[d] for d in dims)
    join = (
        " JOIN monitoring_locationclientgroup cg ON cg.location_id = l.organisation_id"
        if "client_group" in dims
        else ""
    )
    # Only single-service locations have a service type (none is counted twice).
    only = " AND l.service_type <> ''" if "service_type" in dims else ""
    area, area_params = scope.where()
    counts: dict[tuple[str, ...], list[int]] = {}
    for *names, status, n in fetch(
        f"SELECT {columns}, i.status, COUNT(*) {LOCATION_SPANS} AND {ON_DAY}{join} "
        f"WHERE {IN_POPULATION}{area}{only}{where} GROUP BY {columns}, i.status",
        [*on_day(as_of), *area_params, *params],
    ):
        counts.setdefault(tuple(names), [0] * len(BUCKETS))[BUCKET_OF[status]] += n
    return counts


def compliance_table(by: str, as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """One row per group of `by`, sorted by group name, as of the day `as_of`."""
    counts = counts_by(by, as_of, scope)
    return [row(g, counts[g]) for g in sorted(counts, key=str.casefold)]


def total(as_of: date, scope: Scope = NATIONAL) -> dict:
    """The whole area's row (group `All locations`): compliance, level mix and status mix."""
    area, area_params = scope.where()
    counts = [0] * len(BUCKETS)
    for status, n in fetch(
        f"SELECT i.status, COUNT(*) {LOCATION_SPANS} AND {ON_DAY} "
        f"WHERE {IN_POPULATION}{area} GROUP BY i.status",
        [*on_day(as_of), *area_params],
    ):
        counts[BUCKET_OF[status]] += n
    return row(scope.label if scope.kind != "national" else ALL, counts)


def year_on_year(by: str, as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """Each group's compliance now and a year earlier, with the change in percentage points."""
    before_day = year_before(as_of)
    now = {r["group"]: r for r in compliance_table(by, as_of, scope)}
    before = {r["group"]: r for r in compliance_table(by, before_day, scope)}
    out = []
    for group in sorted(set(now) | set(before), key=str.casefold):
        n, b = now.get(group), before.get(group)
        out.append(
            {
                "group": group,
                "locations": n["locations"] if n else 0,
                "compliance_pct": n["compliance_pct"] if n else None,
                "previous_date": before_day.isoformat(),
                "previous_locations": b["locations"] if b else 0,
                "previous_compliance_pct": b["compliance_pct"] if b else None,
                "change_pts": (n["compliance_pct"] - b["compliance_pct"]) if n and b else None,
            }
        )
    return out


def areas_that_fell(by: str, as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """Groups whose compliance is lower than a year earlier, biggest fall first."""
    fell = [r for r in year_on_year(by, as_of, scope) if (r["change_pts"] or 0) < 0]
    return sorted(fell, key=lambda r: (r["change_pts"], r["group"]))


def region_of(scope: Scope) -> str | None:
    """The region code an LSO, local authority or ICB area lies in (None if several)."""
    if scope.kind == "region":
        return scope.code
    if scope.kind == "national":
        return None
    area, params = scope.where()
    sql = f"SELECT DISTINCT l.region_code FROM monitoring_location l WHERE 1 = 1{area}"
    regions = [r for (r,) in fetch(sql, params) if r]
    return regions[0] if len(regions) == 1 else None


def beside(as_of: date, scope: Scope, names: dict[str, dict[str, str]]) -> list[dict]:
    """The area's whole row, then its region's (when the area lies in one region) and
    England's, for a person who sees one area to compare it with the wider picture. Figures of
    public statuses, so anyone may see every area's totals (docs/rules.md §7)."""
    rows = [total(as_of, scope)]
    code = region_of(scope)
    if code and scope.kind != "region":
        rows.append(total(as_of, Scope("region", code, names["region"].get(code, code))))
    if scope.kind != "national":
        rows.append({**total(as_of, NATIONAL), "group": "England"})
    return rows


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def expired_share_by_lso(as_of: date) -> list[dict]:
    """Per LSO area: locations, expired count and expired share (%), sorted by LSO name."""
    out = []
    for r in compliance_table("lso", as_of, NATIONAL):
        out.append(
            {
                "group": r["group"],
                "locations": r["locations"],
                "expired": r["expired"],
                "expired_pct": 100.0 * r["expired"] / r["locations"] if r["locations"] else 0.0,
                "compliance_pct": r["compliance_pct"],
            }
        )
    return out

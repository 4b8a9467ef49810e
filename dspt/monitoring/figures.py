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

__all__ = ["ALL", "NATIONAL", "Scope", "compliance_table", "row", "tables", "total"]

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


# Dimensions one grouped query can count together: one value per location, and no filter of
# their own (service types count single-service locations only; a location has many client
# groups).
_TOGETHER = frozenset(GROUP_COLUMNS) - {"service_type", "client_group"}


def tables(
    dims: list[str], as_of: date, scope: Scope = NATIONAL
) -> tuple[dict, dict[str, list[dict]]]:
    """The area's whole row (as `total`) and one compliance table per dimension of `dims` (as
    `compliance_table`), all from one query grouped by every dimension at once; a dimension
    that cannot be counted with the others has a query of its own."""
    together = [d for d in dict.fromkeys(dims) if d in _TOGETHER]
    per: dict[str, dict[str, list[int]]] = {d: {} for d in together}
    whole = [0] * len(BUCKETS)
    if together:
        for names, counts in grouped_counts(together, as_of, scope).items():
            whole = [a + b for a, b in zip(whole, counts, strict=True)]
            for d, name in zip(together, names, strict=True):
                group = per[d].setdefault(name, [0] * len(BUCKETS))
                per[d][name] = [a + b for a, b in zip(group, counts, strict=True)]
        whole_row = row(scope.label if scope.kind != "national" else ALL, whole)
    else:
        whole_row = total(as_of, scope)
    out = {d: [row(g, per[d][g]) for g in sorted(per[d], key=str.casefold)] for d in together}
    for d in dict.fromkeys(dims):
        if d not in out:
            out[d] = compliance_table(d, as_of, scope)
    return whole_row, out


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
    return compared_with(
        compliance_table(by, as_of, scope), compliance_table(by, before_day, scope), before_day
    )


def compared_with(now_rows: list[dict], before_rows: list[dict], before_day: date) -> list[dict]:
    """`year_on_year` from the two compliance tables: now, and on `before_day`."""
    now = {r["group"]: r for r in now_rows}
    before = {r["group"]: r for r in before_rows}
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


def fell_in(rows: list[dict]) -> list[dict]:
    """The rows of a year-on-year or compared table whose compliance fell, biggest fall first
    (then by group and subgroup)."""
    down = [r for r in rows if (r.get("change_pts") or 0) < 0]
    return sorted(down, key=lambda r: (r["change_pts"], r["group"], r.get("subgroup") or ""))


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
    return expired_shares(compliance_table("lso", as_of, NATIONAL))


def expired_shares(lso_rows: list[dict]) -> list[dict]:
    """`expired_share_by_lso` from the compliance table by LSO."""
    out = []
    for r in lso_rows:
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

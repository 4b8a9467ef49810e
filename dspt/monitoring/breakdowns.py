# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""Two-way breakdowns, filters and comparisons between dates: each one query, like figures.py.

- `breakdown(by, then, as_of, scope, filters)`: one row per (group, subgroup) with every field
  of the one-way row, plus each row's share of its group's locations and of its subgroup's.
- `Filters`: limit any figure to locations of one provider size, care home or not, service type
  (single-service locations), geographic scope, CQC rating or client group.
- `compared(rows, earlier_rows, date)`: the same figures on a second date beside each row, with
  the change in percentage points; `figures.fell_in(...)` keeps the rows whose compliance fell.
- `at_dates(by, dates, …)`: one measure for each group at several dates (e.g. each 31 July).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dspt.monitoring.figures import counts_by, grouped_counts, row
from dspt.monitoring.population import DIMENSIONS
from dspt.monitoring.sql import (
    BUCKETS,
    GROUP_COLUMNS,
    NATIONAL,
    Scope,
    fetch,
)

FILTER_DIMENSIONS = (
    "provider_size",
    "care_home",
    "service_type",
    "scope",
    "rating",
    "client_group",
)
MEASURES = ("compliance_pct", "locations", "compliant", *BUCKETS)


@dataclass(frozen=True)
class Filters:
    """Dimension -> the one group a figure is limited to (all six may be combined)."""

    values: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, items: list[str] | None) -> Filters:
        """From "dimension:group" strings (the CLI's --where and the API's `where`)."""
        values: dict[str, str] = {}
        for item in items or ():
            dim, sep, group = item.partition(":")
            dim, group = dim.strip(), group.strip()
            if not sep or not group:
                raise ValueError(
                    f"'{item}' is not a filter: write dimension:group, e.g. care_home:Care home."
                )
            if dim not in FILTER_DIMENSIONS:
                raise ValueError(
                    f"Cannot filter by '{dim}'. Choose one of: {', '.join(FILTER_DIMENSIONS)}."
                )
            if dim in values:
                raise ValueError(f"Filter by '{dim}' only once.")
            values[dim] = group
        return cls(tuple(sorted(values.items())))

    def where(self) -> tuple[str, list]:
        """Conditions (each starting with AND) on alias `l`."""
        sql, params = "", []
        for dim, group in self.values:
            if dim == "client_group":
                sql += (
                    " AND EXISTS (SELECT 1 FROM monitoring_locationclientgroup f "
                    "WHERE f.location_id = l.organisation_id AND f.client_group = %s)"
                )
            else:
                sql += f" AND {GROUP_COLUMNS[dim]} = %s"
            params.append(group)
        return sql, params


NO_FILTERS = Filters()


def _check(by: str, then: str | None) -> None:
    for dim in (by, then):
        if dim is not None and dim not in DIMENSIONS:
            raise ValueError(f"Unknown dimension '{dim}'. Choose one of: {', '.join(DIMENSIONS)}.")
    if then == by:
        raise ValueError("Break a figure down by two different dimensions.")


def counts(
    by: str,
    then: str | None,
    as_of: date,
    scope: Scope = NATIONAL,
    filters: Filters = NO_FILTERS,
) -> dict[tuple[str, str | None], list[int]]:
    """Bucket counts per (group, subgroup) on `as_of` (subgroup None without `then`)."""
    _check(by, then)
    if then is None and not filters.values:
        return {(g, None): c for g, c in counts_by(by, as_of, scope).items()}
    limit, limit_params = filters.where()
    found = grouped_counts([by] + ([then] if then else []), as_of, scope, limit, limit_params)
    return {(names[0], names[1] if then else None): c for names, c in found.items()}


def _sort_key(key: tuple[str, str | None]) -> tuple:
    return (key[0].casefold(), (key[1] or "").casefold())


def breakdown(
    by: str,
    then: str | None,
    as_of: date,
    scope: Scope = NATIONAL,
    filters: Filters = NO_FILTERS,
) -> list[dict]:
    """Rows sorted by group then subgroup. Each has the one-way row's fields; with `then`, also
    `subgroup`, `group_share_pct` (its locations as a share of the group's) and
    `subgroup_share_pct` (as a share of the subgroup's across every group)."""
    found = counts(by, then, as_of, scope, filters)
    group_total: dict[str, int] = {}
    subgroup_total: dict[str | None, int] = {}
    for (g, sg), c in found.items():
        group_total[g] = group_total.get(g, 0) + sum(c)
        subgroup_total[sg] = subgroup_total.get(sg, 0) + sum(c)
    out = []
    for key in sorted(found, key=_sort_key):
        g, sg = key
        r = row(g, found[key])
        if then:
            n = r["locations"]
            r = {"group": g, "subgroup": sg, **{k: v for k, v in r.items() if k != "group"}}
            r["group_share_pct"] = 100.0 * n / group_total[g] if group_total[g] else 0.0
            r["subgroup_share_pct"] = 100.0 * n / subgroup_total[sg] if subgroup_total[sg] else 0.0
        out.append(r)
    return out


def compared(rows: list[dict], earlier: list[dict], on: date) -> list[dict]:
    """`rows` with the same group's figures from `earlier` (taken on `on`) beside each, and the
    change in percentage points; a group found only on one date appears with blanks."""

    def key(r: dict) -> tuple:
        return (r["group"], r.get("subgroup"))

    before = {key(r): r for r in earlier}
    now = {key(r): r for r in rows}
    out = []
    for k in sorted(now.keys() | before.keys(), key=lambda k: _sort_key((k[0], k[1]))):
        n, b = now.get(k), before.get(k)
        base = dict(n) if n else {"group": k[0], **({"subgroup": k[1]} if k[1] else {})}
        base.update(
            {
                "compare_to": on.isoformat(),
                "compare_locations": b["locations"] if b else 0,
                "compare_compliant": b["compliant"] if b else 0,
                "compare_compliance_pct": b["compliance_pct"] if b else None,
                "change_pts": (n["compliance_pct"] - b["compliance_pct"]) if n and b else None,
            }
        )
        out.append(base)
    return out


def at_dates(
    by: str,
    dates: list[date],
    measure: str = "compliance_pct",
    scope: Scope = NATIONAL,
    filters: Filters = NO_FILTERS,
) -> list[dict]:
    """One row per group with `measure` on each date (columns named by the ISO date)."""
    if measure not in MEASURES:
        raise ValueError(f"Unknown measure '{measure}'. Choose one of: {', '.join(MEASURES)}.")
    if not dates:
        raise ValueError("Give at least one date.")
    table: dict[str, dict] = {}
    for day in dates:
        for r in breakdown(by, None, day, scope, filters):
            table.setdefault(r["group"], {"group": r["group"]})[day.isoformat()] = r[measure]
    return [table[g] for g in sorted(table, key=str.casefold)]


def filter_options() -> dict[str, list[str]]:
    """The groups each filter can take, as the location table holds them today."""
    out: dict[str, list[str]] = {}
    for dim in FILTER_DIMENSIONS:
        if dim == "client_group":
            sql = "SELECT DISTINCT client_group FROM monitoring_locationclientgroup"
        else:
            column = GROUP_COLUMNS[dim].split(".")[1]
            sql = f"SELECT DISTINCT {column} FROM monitoring_location WHERE {column} <> ''"
        out[dim] = sorted((r[0] for r in fetch(sql, [])), key=str.casefold)
    return out


def table(
    by: str,
    then: str | None,
    as_of: date,
    scope: Scope = NATIONAL,
    filters: Filters = NO_FILTERS,
    compare_to: date | None = None,
) -> list[dict]:
    """`breakdown`, with the figures on `compare_to` beside each row when given."""
    rows = breakdown(by, then, as_of, scope, filters)
    if compare_to is not None:
        rows = compared(rows, breakdown(by, then, compare_to, scope, filters), compare_to)
    return rows


def area_scope(kind: str | None, code: str | None, names: dict[str, dict[str, str]]) -> Scope:
    """Any area by kind and code (figures are public: no remit applies); ValueError if unknown."""
    if not kind or kind == "national":
        return NATIONAL
    label = names.get(kind, {}).get(code or "")
    if label is None:
        raise ValueError(f"No {kind.replace('_', ' ')} has the code '{code}'.")
    return Scope(kind, code, label)

"""Compliance tables as of any date, for any area: the CONTRACT row format.

Every status is read from the location's timeline, which is the status rule itself
(`dspt.statuses.compute`); this module only counts.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dspt.monitoring.engine import BUCKETS, Dataset, _derived_caches, dataset
from dspt.monitoring.population import DIMENSIONS

ALL = "All locations"


@dataclass(frozen=True, slots=True)
class Scope:
    """An area the figures are limited to: national, or one LSO / local authority / ICB / region."""

    kind: str = "national"  # national, lso, local_authority, icb, region
    code: str = ""
    label: str = "England"

    def members(self, ds: Dataset) -> list[int]:
        """Indices of the population's locations inside this area."""
        key = ("members", self.kind, self.code)
        if key in ds.memo:
            return ds.memo[key]
        if self.kind == "national":
            ds.memo[key] = list(range(len(ds.population.locations)))
            return ds.memo[key]
        attr = {
            "lso": "lso_code",
            "local_authority": "la_code",
            "icb": "icb_code",
            "region": "region_code",
        }[self.kind]
        return [
            i for i, loc in enumerate(ds.population.locations) if getattr(loc, attr) == self.code
        ]


NATIONAL = Scope()


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


def _buckets_on(ds: Dataset, members: Iterable[int], on: date) -> list[tuple[int, int]]:
    return ds.buckets_on(members, on)


# Small LRU of finished tables, keyed by data version; a table is cheap but pages ask repeatedly.
_tables: OrderedDict[tuple, list[dict]] = OrderedDict()
_derived_caches.append(_tables.clear)
_TABLES_KEPT = 256


def compliance_table(
    by: str, as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None
) -> list[dict]:
    """One row per group of `by`, sorted by group name, as of the day `as_of`."""
    if by not in DIMENSIONS:
        raise ValueError(f"Unknown dimension '{by}'. Choose one of: {', '.join(DIMENSIONS)}.")
    ds = ds or dataset()
    key = (ds.version, by, as_of, scope)
    if key in _tables:
        _tables.move_to_end(key)
        return [dict(r) for r in _tables[key]]
    locs, names = _pairs(ds, by, scope)
    vec = ds.bucket_vector(as_of)
    # Counting (group, bucket) pairs runs in C: a few milliseconds for the whole country.
    tally = Counter(zip(names, map(vec.__getitem__, locs), strict=True))
    counts: dict[str, list[int]] = {}
    for (group, b), n in tally.items():
        if b < 0:
            continue  # not yet registered with CQC on that day
        c = counts.get(group)
        if c is None:
            c = counts[group] = [0] * len(BUCKETS)
        c[b] += n
    rows = [row(g, counts[g]) for g in sorted(counts, key=str.casefold)]
    _tables[key] = rows
    if len(_tables) > _TABLES_KEPT:
        _tables.popitem(last=False)
    return [dict(r) for r in rows]


def _pairs(ds: Dataset, by: str, scope: Scope) -> tuple[list[int], list[str]]:
    """(location index, group) pairs of the area for one dimension, flattened and kept."""
    key = ("pairs", by, scope.kind, scope.code)
    if key not in ds.memo:
        groups = ds.groups_of(by)
        locs, names = [], []
        for i in scope.members(ds):
            for g in groups[i]:
                locs.append(i)
                names.append(g)
        ds.memo[key] = (locs, names)
    return ds.memo[key]


def total(as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None) -> dict:
    """The whole area's row (group `All locations`): compliance, level mix and status mix."""
    ds = ds or dataset()
    # Every location is in exactly one care-home group, so the (cached) table sums to the whole.
    counts = [0] * len(BUCKETS)
    for r in compliance_table("care_home", as_of, scope, ds):
        for k, name in enumerate(BUCKETS):
            counts[k] += r[name]
    return row(scope.label if scope.kind != "national" else ALL, counts)


def year_on_year(
    by: str, as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None
) -> list[dict]:
    """Each group's compliance now and a year earlier, with the change in percentage points."""
    ds = ds or dataset()
    before_day = _year_before(as_of)
    now = {r["group"]: r for r in compliance_table(by, as_of, scope, ds)}
    before = {r["group"]: r for r in compliance_table(by, before_day, scope, ds)}
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


def areas_that_fell(
    by: str, as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None
) -> list[dict]:
    """Groups whose compliance is lower than a year earlier, biggest fall first."""
    fell = [r for r in year_on_year(by, as_of, scope, ds) if (r["change_pts"] or 0) < 0]
    return sorted(fell, key=lambda r: (r["change_pts"], r["group"]))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def expired_share_by_lso(as_of: date, ds: Dataset | None = None) -> list[dict]:
    """Per LSO area: locations, expired count and expired share (%), sorted by LSO name."""
    out = []
    for r in compliance_table("lso", as_of, NATIONAL, ds):
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

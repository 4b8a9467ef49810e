# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""The outcome measure (docs/rules.md §7): did locations an LSO engaged go on to publish?

Definitions (also in docs/monitoring.md):
- A location is *engaged* by an LSO from its first engagement with that LSO, either with the
  location itself or with its provider (head office), which engages all the provider's locations.
- The cohort is engaged locations that were **not compliant** on that day (those needing help).
- A location *reaches* a level within N months if its status (read from its timeline, i.e. the
  status rule) is that level or better on any day after the engagement up to N months later.
- A window is only measured once it has fully passed by the as-of date.
- *Comparable* locations: in the same LSO area, with the same status on the first day of the
  month of engagement, and not engaged by any LSO by the end of the window. Their progress is
  measured from that first day over the same window. The comparison figure is the average, over
  the engaged locations, of their comparison group's share (so it is weighted like the cohort).

The database does the work, in two grouped queries over the status interval table whatever the
number of locations: one gives every engaged location's status on its engagement day and the
first day after it that it entered each level; the other counts the comparison pools of every
area and month asked for (pools.py). Python adds up the engaged locations' rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from dspt.monitoring.sql import BUCKET_OF, COMPLIANT_BUCKETS
from dspt.statuses.compute import Status
from dspt.statuses.facts import as_date
from dspt.support.pools import ENGAGED, WINDOWS, fetch_planned, first_entries, pools
from dspt.support.timelines import LEVELS, add_months

ALL_LEVELS = tuple(LEVELS)

__all__ = ["LEVELS", "WINDOWS", "add_months", "all_outcomes", "context", "outcomes"]

# Each LSO's engaged locations: first engagement, area, whether it was before the location's CQC
# registration, status that day and the first later day it entered each level.
_COHORT = (
    f"WITH engaged AS ({ENGAGED}), "
    "firsts AS (SELECT lso, oid, MIN(day) AS d0 FROM engaged GROUP BY lso, oid) "
    "SELECT f.lso, f.oid, f.d0, l.lso_code, "
    "CASE WHEN l.cqc_registered_on > f.d0 THEN 1 ELSE 0 END, i.status, "
    f"{', '.join(first_entries('f.oid', 'f.d0'))} "
    "FROM firsts f JOIN monitoring_location l ON l.organisation_id = f.oid "
    "LEFT JOIN statuses_statusinterval i ON i.organisation_id = f.oid "
    "AND i.first_day <= f.d0 AND (i.last_day IS NULL OR i.last_day >= f.d0) "
    "ORDER BY f.lso, f.oid"
)


@dataclass(frozen=True, slots=True)
class Engaged:
    """One location an LSO engaged: its first engagement day, LSO area ('' for none), bucket
    on that day (-1 before its CQC registration) and the first later day it entered each level."""

    oid: int
    d0: date
    area: str
    bucket: int
    entered: tuple[date | None, ...]


class Context:
    """Every LSO's engaged locations (one query), and the comparison pools read so far.

    Pools: (area, first of month, window, levels counted) -> bucket -> [locations, reached each
    level…].
    """

    def __init__(self) -> None:
        self.engaged: dict[str, list[Engaged]] = defaultdict(list)
        for lso, oid, d0, area, late, status, *entered in fetch_planned(_COHORT, []):
            bucket = -1 if late else BUCKET_OF[status or Status.NOT_REGISTERED.value]
            self.engaged[lso].append(
                Engaged(oid, as_date(d0), area or "", bucket, tuple(map(as_date, entered)))
            )
        self.pools: dict[tuple, dict[int, list[int | None]]] = {}

    def load_pools(
        self,
        keys: set[tuple[str, date]],
        windows: tuple[int, ...] = WINDOWS,
        levels: tuple[str, ...] = ALL_LEVELS,
    ) -> None:
        """Read these windows' pools of these (area, first of month) pairs, counting `levels`,
        unless read already (one query)."""
        missing = {k for k in keys for w in windows if (*k, w, levels) not in self.pools}
        if not missing:
            return
        months = sorted({m0 for _, m0 in missing})
        found = pools(months, sorted({area for area, _ in missing}), windows, levels)
        for area, m0 in missing:
            for w in windows:
                self.pools[(area, m0, w, levels)] = found.get((area, m0), {}).get(w, {})

    def pool(
        self, area: str, m0: date, bucket: int, window: int, levels: tuple[str, ...] = ALL_LEVELS
    ) -> tuple[int, dict]:
        """Comparable locations: same area, same bucket on m0, not engaged by the window end;
        how many of them reached each of `levels`."""
        s = self.pools[(area, m0, window, levels)].get(bucket)
        if s is None:
            return 0, {}
        return s[0], {lvl: s[k] for k, lvl in enumerate(LEVELS, start=1) if lvl in levels}


def context() -> Context:
    """Everything the outcome measure reads, for every LSO (read once per request)."""
    return Context()


def first_engagements(ctx: Context, lso_code: str | None = None) -> dict[int, date]:
    """Location id → day of first engagement (by this LSO, or by any when None)."""
    if lso_code:
        return {e.oid: e.d0 for e in ctx.engaged.get(lso_code, [])}
    out: dict[int, date] = {}
    for rows in ctx.engaged.values():
        for e in rows:
            if e.oid not in out or e.d0 < out[e.oid]:
                out[e.oid] = e.d0
    return out


def _cohort(ctx: Context, lso_code: str) -> list[Engaged]:
    return [
        e
        for e in ctx.engaged.get(lso_code, [])
        if e.bucket >= 0 and e.bucket not in COMPLIANT_BUCKETS
    ]


def _pools_needed(
    cohort: list[Engaged], as_of: date, windows: tuple[int, ...]
) -> set[tuple[str, date]]:
    """The (area, month) pools of the cohort members with at least one window passed."""
    shortest = min(windows)
    return {(e.area, e.d0.replace(day=1)) for e in cohort if add_months(e.d0, shortest) <= as_of}


def all_outcomes(
    lso_codes: list[str],
    as_of: date,
    ctx: Context | None = None,
    windows: tuple[int, ...] = WINDOWS,
    levels: tuple[str, ...] = ALL_LEVELS,
) -> dict[str, dict]:
    """The outcome measure of each of these LSOs, as of a date (their pools read together),
    over `windows` (months) only, compared with comparable locations for `levels` only."""
    ctx = ctx or context()
    needed: set[tuple[str, date]] = set()
    for lso in lso_codes:
        needed |= _pools_needed(_cohort(ctx, lso), as_of, windows)
    ctx.load_pools(needed, windows, levels)
    return {lso: outcomes(lso, as_of, ctx, windows, levels) for lso in lso_codes}


def outcomes(
    lso_code: str,
    as_of: date,
    ctx: Context | None = None,
    windows: tuple[int, ...] = WINDOWS,
    levels: tuple[str, ...] = ALL_LEVELS,
) -> dict:
    """The outcome measure for one LSO's engagements, as of a date, over `windows` (months);
    the comparison for `levels` only (None for the others)."""
    ctx = ctx or context()
    mine = ctx.engaged.get(lso_code, [])
    cohort = _cohort(ctx, lso_code)
    already = sum(1 for e in mine if e.bucket in COMPLIANT_BUCKETS)
    ctx.load_pools(_pools_needed(cohort, as_of, windows), windows, levels)
    rows = []
    for w in windows:
        n = 0
        reached = dict.fromkeys(LEVELS, 0)
        comp_share = dict.fromkeys(LEVELS, 0.0)
        comp_n = comp_pool = 0
        for e in cohort:
            end = add_months(e.d0, w)
            if end > as_of:
                continue
            n += 1
            for lvl, day in zip(LEVELS, e.entered, strict=True):
                reached[lvl] += day is not None and day <= end
            size, hits = ctx.pool(e.area, e.d0.replace(day=1), e.bucket, w, levels)
            if size:
                comp_n += 1
                comp_pool += size
                for lvl in levels:
                    comp_share[lvl] += hits[lvl] / size
        row = {"months": w, "engaged": n, "compared": comp_n, "comparison_pool": comp_pool}
        for lvl in LEVELS:
            row[f"engaged_{lvl}"] = reached[lvl]
            row[f"engaged_{lvl}_pct"] = 100.0 * reached[lvl] / n if n else None
            counted = comp_n and lvl in levels
            row[f"comparison_{lvl}_pct"] = 100.0 * comp_share[lvl] / comp_n if counted else None
        rows.append(row)
    return {
        "lso": lso_code,
        "as_of": as_of,
        "engaged_locations": len(mine),
        "already_compliant": already,
        "cohort": len(cohort),
        "windows": rows,
    }

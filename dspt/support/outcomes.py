"""The outcome measure (DOMAIN §7): did locations an LSO engaged go on to publish?

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
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date

from django.db.models import Count, Max, Sum

from dspt.monitoring.engine import COMPLIANT_BUCKETS, Dataset, _derived_caches, dataset
from dspt.statuses.compute import Status
from dspt.support.models import Engagement

WINDOWS = (3, 6, 12)
LEVELS = {
    "approaching": frozenset({Status.APPROACHING, Status.MET, Status.EXCEEDED}),
    "met": frozenset({Status.MET, Status.EXCEEDED}),
    "exceeded": frozenset({Status.EXCEEDED}),
}


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _reached(ds: Dataset, i: int, start: int, end: int, statuses: frozenset) -> bool:
    """Did location i have one of `statuses` on any day in (start, end]?"""
    days, results = ds.days[i], ds.results[i]
    # The status on the start day is the baseline, not an outcome: look only at later changes.
    j = bisect_right(days, start)
    while j < len(days) and days[j] <= end:
        if results[j].status in statuses:
            return True
        j += 1
    return False


class _Context:
    """What every LSO's measure shares for one data set and one set of engagements: first
    engagements by anyone, area members, the days each location entered each level, and the
    comparison pools computed so far."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.by_provider: dict[int, list[int]] = defaultdict(list)
        self.area_members: dict[str | None, list[int]] = defaultdict(list)
        for i, loc in enumerate(ds.population.locations):
            if loc.provider_id:
                self.by_provider[loc.provider_id].append(i)
            self.area_members[loc.lso_code].append(i)
        self.entries = {
            lvl: [
                [d for d, r in zip(days, results, strict=True) if r.status in statuses]
                for days, results in zip(ds.days, ds.results, strict=True)
            ]
            for lvl, statuses in LEVELS.items()
        }
        self.mine: dict[str, dict[int, date]] = defaultdict(dict)
        self.anyone: dict[int, date] = {}
        for lso, org_id, day in Engagement.objects.values_list(
            "lso_id", "organisation_id", "engaged_on"
        ):
            targets = [ds.index[org_id]] if org_id in ds.index else self.by_provider.get(org_id, [])
            for i in targets:
                for first in (self.mine[lso], self.anyone):
                    if i not in first or day < first[i]:
                        first[i] = day
        self.pools: dict[tuple, dict] = {}

    def reached(self, lvl: str, i: int, start: int, end: int) -> bool:
        """Did location i enter level `lvl` (or better) on a day in (start, end]?"""
        days = self.entries[lvl][i]
        j = bisect_right(days, start)
        return j < len(days) and days[j] <= end

    def pool(self, area: str | None, m0: date, bucket: int, window: int) -> tuple[int, dict]:
        """Comparable locations: same area, same bucket on m0, not engaged by the window end."""
        key = (area, m0, window)
        if key not in self.pools:
            start, end_day = m0.toordinal(), add_months(m0, window)
            end = end_day.toordinal()
            vec = self.ds.bucket_vector(m0)
            stats: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for j in self.area_members[area]:
                b = vec[j]
                if b < 0:
                    continue
                first = self.anyone.get(j)
                if first is not None and first <= end_day:
                    continue
                s = stats[b]
                s[0] += 1
                for k, lvl in enumerate(LEVELS, start=1):
                    s[k] += self.reached(lvl, j, start, end)
            self.pools[key] = stats
        s = self.pools[key].get(bucket, [0, 0, 0, 0])
        return s[0], {lvl: s[k] for k, lvl in enumerate(LEVELS, start=1)}


_contexts: dict[tuple, _Context] = {}
_derived_caches.append(_contexts.clear)


def _context(ds: Dataset) -> _Context:
    """The shared context, rebuilt when the data set or the engagements change."""
    agg = Engagement.objects.aggregate(
        n=Count("id"), top=Max("id"), total=Sum("id"), changed=Max("updated_at")
    )
    # Count, ids and latest change: an edit or a deletion gives a new key as an addition does.
    key = (ds.version, agg["n"], agg["top"], agg["total"], agg["changed"])
    if key not in _contexts:
        _contexts.clear()
        _contexts[key] = _Context(ds)
    return _contexts[key]


def first_engagements(ds: Dataset, lso_code: str | None = None) -> dict[int, date]:
    """Location index → day of first engagement (by this LSO, or by any when None)."""
    ctx = _context(ds)
    return dict(ctx.mine.get(lso_code, {})) if lso_code else dict(ctx.anyone)


def outcomes(lso_code: str, as_of: date, ds: Dataset | None = None) -> dict:
    """The outcome measure for one LSO's engagements, as of a date."""
    ds = ds or dataset()
    ctx = _context(ds)
    mine = ctx.mine.get(lso_code, {})
    already = 0
    cohort = []
    for i, d0 in mine.items():
        b = ds.bucket_vector(d0)[i]
        if b < 0:
            continue
        if b in COMPLIANT_BUCKETS:
            already += 1
            continue
        cohort.append((i, d0, b))
    windows = []
    for w in WINDOWS:
        n = 0
        reached = dict.fromkeys(LEVELS, 0)
        comp_share = dict.fromkeys(LEVELS, 0.0)
        comp_n = comp_pool = 0
        for i, d0, b in cohort:
            end = add_months(d0, w)
            if end > as_of:
                continue
            n += 1
            for lvl in LEVELS:
                reached[lvl] += ctx.reached(lvl, i, d0.toordinal(), end.toordinal())
            size, hits = ctx.pool(ds.location(i).lso_code, d0.replace(day=1), b, w)
            if size:
                comp_n += 1
                comp_pool += size
                for lvl in LEVELS:
                    comp_share[lvl] += hits[lvl] / size
        row = {"months": w, "engaged": n, "compared": comp_n, "comparison_pool": comp_pool}
        for lvl in LEVELS:
            row[f"engaged_{lvl}"] = reached[lvl]
            row[f"engaged_{lvl}_pct"] = 100.0 * reached[lvl] / n if n else None
            row[f"comparison_{lvl}_pct"] = 100.0 * comp_share[lvl] / comp_n if comp_n else None
        windows.append(row)
    return {
        "lso": lso_code,
        "as_of": as_of,
        "engaged_locations": len(mine),
        "already_compliant": already,
        "cohort": len(cohort),
        "windows": windows,
    }

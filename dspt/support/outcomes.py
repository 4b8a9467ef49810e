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

from dspt.monitoring.engine import COMPLIANT_BUCKETS, Dataset, bucket_of, dataset
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


def first_engagements(ds: Dataset, lso_code: str | None = None) -> dict[int, date]:
    """Location index → day of first engagement (by this LSO, or by any when None)."""
    qs = Engagement.objects.all()
    if lso_code:
        qs = qs.filter(lso_id=lso_code)
    by_provider: dict[int, list[int]] = defaultdict(list)
    for i, loc in enumerate(ds.population.locations):
        if loc.provider_id:
            by_provider[loc.provider_id].append(i)
    first: dict[int, date] = {}
    for org_id, day in qs.values_list("organisation_id", "engaged_on"):
        targets = [ds.index[org_id]] if org_id in ds.index else by_provider.get(org_id, [])
        for i in targets:
            if i not in first or day < first[i]:
                first[i] = day
    return first


def outcomes(lso_code: str, as_of: date, ds: Dataset | None = None) -> dict:
    """The outcome measure for one LSO's engagements, as of a date."""
    ds = ds or dataset()
    mine = first_engagements(ds, lso_code)
    anyone = first_engagements(ds)
    area_members: dict[str | None, list[int]] = defaultdict(list)
    for i, loc in enumerate(ds.population.locations):
        area_members[loc.lso_code].append(i)
    pools: dict[tuple, dict] = {}

    def pool(area: str | None, m0: date, bucket: int, window: int) -> tuple[int, dict]:
        key = (area, m0, window)
        if key not in pools:
            start, end_day = m0.toordinal(), add_months(m0, window)
            end = end_day.toordinal()
            stats: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for j in area_members[area]:
                first = anyone.get(j)
                if first is not None and first <= end_day:
                    continue
                if not ds.in_population(j, start):
                    continue
                b = bucket_of(ds.status(j, start))
                s = stats[b]
                s[0] += 1
                for k, level in enumerate(LEVELS.values(), start=1):
                    s[k] += _reached(ds, j, start, end, level)
            pools[key] = stats
        s = pools[key].get(bucket, [0, 0, 0, 0])
        return s[0], {lvl: s[k] for k, lvl in enumerate(LEVELS, start=1)}

    already = 0
    windows = []
    cohort = []
    for i, d0 in mine.items():
        if not ds.in_population(i, d0.toordinal()):
            continue
        b = bucket_of(ds.status(i, d0))
        if b in COMPLIANT_BUCKETS:
            already += 1
            continue
        cohort.append((i, d0, b))
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
            for lvl, statuses in LEVELS.items():
                reached[lvl] += _reached(ds, i, d0.toordinal(), end.toordinal(), statuses)
            size, hits = pool(ds.location(i).lso_code, d0.replace(day=1), b, w)
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

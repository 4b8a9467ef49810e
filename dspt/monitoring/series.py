"""The monthly series: status at each month end, split by the edition of the valid publication.

Each location's timeline is cut into intervals of constant category (engine._intervals); the
intervals are summed once per data set and area into counts by change day (`_cumulative`), so
a series over any months is one look-up per month. No status is computed per month, and every
value equals what the status rule gives on that day.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from datetime import date

from dspt.frameworks import deadlines
from dspt.frameworks.models import DeadlineOverride
from dspt.monitoring.engine import (
    BUCKETS,
    FAR_FUTURE,
    REL_CURRENT,
    REL_PREVIOUS,
    Dataset,
    _derived_caches,
    dataset,
    month_ends,
)
from dspt.monitoring.figures import NATIONAL, Scope

_series: OrderedDict[tuple, list[dict]] = OrderedDict()
_derived_caches.append(_series.clear)


def current_edition_on(day: date, overrides: dict | None = None) -> str:
    """The edition being worked towards on `day`: the first whose deadline is on or after it."""
    year = day.year - 1
    while True:
        code = f"{year}-{(year + 1) % 100:02d}"
        if deadlines.deadline_for(code, overrides) >= day:
            return code
        year += 1


def _cumulative(ds: Dataset, scope: Scope) -> tuple[list[int], list[tuple[int, ...]]]:
    """For the area: every day on which some location's category changes, and the number of
    locations in each category from that day on. Built once per data set and area, after
    which a series for any dates is a handful of look-ups."""
    key = ("cumulative", scope.kind, scope.code)
    if key in ds.memo:
        return ds.memo[key]
    width = len(BUCKETS) * 3
    deltas: dict[int, list[int]] = {}
    for i in scope.members(ds):
        for s, e, cat in ds.intervals[i]:
            d = deltas.get(s)
            if d is None:
                d = deltas[s] = [0] * width
            d[cat] += 1
            if e < FAR_FUTURE:
                d = deltas.get(e)
                if d is None:
                    d = deltas[e] = [0] * width
                d[cat] -= 1
    days = sorted(deltas)
    running = [0] * width
    cum = []
    for day in days:
        running = [a + b for a, b in zip(running, deltas[day], strict=True)]
        cum.append(tuple(running))
    ds.memo[key] = (days, cum)
    return days, cum


def patch_cumulative(value: tuple, changed: list[tuple[list, list]]) -> tuple:
    """`_cumulative`'s (days, counts) after some locations' intervals changed from old to new
    (pairs of interval lists). Equal, at every day, to building it again for the area."""
    days, cum = value
    width = len(BUCKETS) * 3
    deltas: dict[int, list[int]] = {}
    for old, new in changed:
        for sign, intervals in ((-1, old), (1, new)):
            for s, e, cat in intervals:
                deltas.setdefault(s, [0] * width)[cat] += sign
                if e < FAR_FUTURE:
                    deltas.setdefault(e, [0] * width)[cat] -= sign
    steps = sorted(d for d, v in deltas.items() if any(v))
    if not steps:
        return value
    zero = (0,) * width
    running = [0] * width
    out_days = sorted(set(days) | set(steps))
    out_cum = []
    p = 0
    for day in out_days:
        while p < len(steps) and steps[p] <= day:
            running = [a + b for a, b in zip(running, deltas[steps[p]], strict=True)]
            p += 1
        k = bisect_right(days, day)
        base = cum[k - 1] if k else zero
        out_cum.append(
            tuple(a + b for a, b in zip(base, running, strict=True)) if any(running) else base
        )
    return out_days, out_cum


def monthly_series(
    as_of: date, months: int = 48, scope: Scope = NATIONAL, ds: Dataset | None = None
) -> list[dict]:
    """One row per month (oldest first) as at each month's last day (as_of for the last month).

    Columns: the CONTRACT buckets, compliant and compliance_pct, plus `current_edition` and
    `previous_edition` (locations whose valid publication, of any level, is from that edition)
    and their compliant parts. current_edition + previous_edition + expired + not_published +
    not_registered = locations.
    """
    ds = ds or dataset()
    key = (ds.version, as_of, months, scope)
    if key in _series:
        return [dict(r) for r in _series[key]]
    ends = month_ends(as_of, months)
    width = len(BUCKETS) * 3
    days, cum = _cumulative(ds, scope)
    zero = (0,) * width
    overrides = dict(DeadlineOverride.objects.values_list("edition", "deadline"))
    rows = []
    for day in ends:
        k = bisect_right(days, day.toordinal())
        running = cum[k - 1] if k else zero
        bucket = [sum(running[b * 3 : b * 3 + 3]) for b in range(len(BUCKETS))]
        locations = sum(bucket)
        compliant = bucket[0] + bucket[1] + bucket[2]
        cur = sum(running[b * 3 + REL_CURRENT] for b in range(5))
        prev = sum(running[b * 3 + REL_PREVIOUS] for b in range(5))
        r = {
            "month": day.strftime("%Y-%m"),
            "as_of": day.isoformat(),
            "current_edition_code": current_edition_on(day, overrides),
            "locations": locations,
            "compliant": compliant,
            "compliance_pct": 100.0 * compliant / locations if locations else 0.0,
        }
        r.update(zip(BUCKETS, bucket, strict=True))
        r.update(
            {
                "current_edition": cur,
                "previous_edition": prev,
                "compliant_current_edition": sum(running[b * 3 + REL_CURRENT] for b in range(3)),
                "compliant_previous_edition": sum(running[b * 3 + REL_PREVIOUS] for b in range(3)),
            }
        )
        rows.append(r)
    _series[key] = rows
    if len(_series) > 64:
        _series.popitem(last=False)
    return [dict(r) for r in rows]

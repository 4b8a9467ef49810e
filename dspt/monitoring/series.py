"""The monthly series: status at each month end, split by the edition of the valid publication.

One query counts, per status and edition relation (current, previous, none), the intervals that
start in each month and the ones that stop; a month end's figure is the running total of
starts less stops up to it. Every value equals what the status rule gave on that day, since
the intervals are its answers. A location counts from its CQC registration day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from dspt.frameworks import deadlines
from dspt.monitoring.figures import row
from dspt.monitoring.sql import (
    BUCKET_OF,
    BUCKETS,
    LOCATION_SPANS,
    NATIONAL,
    Scope,
    day_after,
    fetch,
    month_of,
)
from dspt.statuses.facts import moved_deadlines

REL_NONE, REL_CURRENT, REL_PREVIOUS = 0, 1, 2
_RELATION = {"": REL_NONE, "current": REL_CURRENT, "previous": REL_PREVIOUS}


def current_edition_on(day: date, overrides: dict | None = None) -> str:
    """The edition being worked towards on `day`: the first whose deadline is on or after it
    (the first edition, 2000-01, for any day before its deadline)."""
    year = max(day.year - 1, deadlines.FIRST_YEAR)
    while True:
        code = f"{year}-{(year + 1) % 100:02d}"
        if deadlines.deadline_for(code, overrides) >= day:
            return code
        year += 1


def month_ends(as_of: date, months: int) -> list[date]:
    """The last day of each of `months` months ending with as_of's month (as_of itself last)."""
    out = []
    y, m = as_of.year, as_of.month
    for _ in range(months):
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        out.append(min(nxt - timedelta(days=1), as_of))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _moves(as_of: date, scope: Scope, since: date) -> list[tuple[int, str, str | None, int]]:
    """(category, month an interval starts counting, month it stops or None, count).

    An interval counts from the later of its first day and the location's CQC registration,
    and stops the day after its last day; stops on or after as_of never matter, so they are
    left out (None). Intervals over before `since` (the first month end) are left out too: their
    start and stop both fall in the first month and cancel out.
    """
    first = (
        "CASE WHEN l.cqc_registered_on > i.first_day THEN l.cqc_registered_on ELSE i.first_day END"
    )
    stop = (
        "CASE WHEN i.last_day IS NULL OR i.last_day >= %s THEN NULL "
        f"ELSE {month_of(day_after('i.last_day'))} END"
    )
    area, area_params = scope.where()
    iso = as_of.isoformat()
    rows = fetch(
        f"SELECT i.status, i.relation, {month_of(first)}, {stop}, COUNT(*) {LOCATION_SPANS} "
        f"WHERE {first} <= %s "
        "AND (i.last_day IS NULL OR l.cqc_registered_on IS NULL "
        "OR i.last_day >= l.cqc_registered_on) "
        f"AND (i.last_day IS NULL OR i.last_day >= %s){area} GROUP BY 1, 2, 3, 4",
        [iso, iso, since.isoformat(), *area_params],
    )
    return [(BUCKET_OF[s] * 3 + _RELATION[rel], start, end, n) for s, rel, start, end, n in rows]


def monthly_series(as_of: date, months: int = 48, scope: Scope = NATIONAL) -> list[dict]:
    """One row per month (oldest first) as at each month's last day (as_of for the last month).

    Columns: the CONTRACT buckets, compliant and compliance_pct, plus `current_edition` and
    `previous_edition` (locations whose valid publication, of any level, is from that edition)
    and their compliant parts. current_edition + previous_edition + expired + not_published +
    not_registered = locations.
    """
    ends = month_ends(as_of, months)
    keys = [d.strftime("%Y-%m") for d in ends]
    width = len(BUCKETS) * 3
    # Net change per month key (months before the first end are folded into it).
    net: dict[str, list[int]] = defaultdict(lambda: [0] * width)
    for cat, start, stop, n in _moves(as_of, scope, ends[0]):
        net[max(start, keys[0])][cat] += n
        if stop is not None:
            net[max(stop, keys[0])][cat] -= n
    overrides = moved_deadlines()
    running = [0] * width
    rows = []
    for day, key in zip(ends, keys, strict=True):
        running = [a + b for a, b in zip(running, net.get(key, [0] * width), strict=True)]
        counts = row(key, [sum(running[b * 3 : b * 3 + 3]) for b in range(len(BUCKETS))])
        del counts["group"]  # the month names the row
        r = {
            "month": key,
            "as_of": day.isoformat(),
            "current_edition_code": current_edition_on(day, overrides),
            **counts,
        }
        r.update(
            {
                "current_edition": sum(running[b * 3 + REL_CURRENT] for b in range(5)),
                "previous_edition": sum(running[b * 3 + REL_PREVIOUS] for b in range(5)),
                "compliant_current_edition": sum(running[b * 3 + REL_CURRENT] for b in range(3)),
                "compliant_previous_edition": sum(running[b * 3 + REL_PREVIOUS] for b in range(3)),
            }
        )
        rows.append(r)
    return rows

"""The outcome measure worked out in Python from every location's timeline, as it was before
the database did the work: the oracle the SQL version (dspt/support/outcomes.py) is held to."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from dspt.monitoring.sql import COMPLIANT_BUCKETS
from dspt.support.models import Engagement
from dspt.support.timelines import LEVELS, Timelines, add_months

WINDOWS = (3, 6, 12)


class _Context:
    """What every LSO's measure shares: first engagements by anyone, area members, the
    timelines, and the comparison pools computed so far."""

    def __init__(self, timelines: Timelines):
        self.tl = timelines
        self.by_provider: dict[int, list[int]] = defaultdict(list)
        self.area_members: dict[str | None, list[int]] = defaultdict(list)
        for oid, lso in timelines.lso.items():
            provider = timelines.provider[oid]
            if provider:
                self.by_provider[provider].append(oid)
            self.area_members[lso or None].append(oid)
        self.mine: dict[str, dict[int, date]] = defaultdict(dict)
        self.anyone: dict[int, date] = {}
        for lso, org_id, day in Engagement.objects.values_list(
            "lso_id", "organisation_id", "engaged_on"
        ):
            targets = [org_id] if org_id in timelines.start else self.by_provider.get(org_id, [])
            for oid in targets:
                for first in (self.mine[lso], self.anyone):
                    if oid not in first or day < first[oid]:
                        first[oid] = day
        # (area, first of month) -> window -> bucket -> [locations, reached each level…]
        self.pools: dict[tuple, dict] = {}

    def pool(self, area: str | None, m0: date, bucket: int, window: int) -> tuple[int, dict]:
        """Comparable locations: same area, same bucket on m0, not engaged by the window end."""
        if (area, m0) not in self.pools:
            self.pools[(area, m0)] = self._pools(area, m0)
        s = self.pools[(area, m0)][window].get(bucket, [0, 0, 0, 0])
        return s[0], {lvl: s[k] for k, lvl in enumerate(LEVELS, start=1)}

    def _pools(self, area: str | None, m0: date) -> dict[int, dict[int, list[int]]]:
        """Every window's comparison counts for one area and month, in one pass over the area's
        locations: each location's bucket on m0 and the first day it entered each level after m0
        are looked up once, then compared with each window's end."""
        start = m0.toordinal()
        ends = {w: add_months(m0, w) for w in WINDOWS}
        out: dict[int, dict[int, list[int]]] = {w: {} for w in WINDOWS}
        for j in self.area_members[area]:
            b = self.tl.bucket(j, start)
            if b < 0:
                continue
            first = self.anyone.get(j)
            entered = [self.tl.entered_after(lvl, j, start) for lvl in LEVELS]
            for w, end_day in ends.items():
                if first is not None and first <= end_day:
                    continue
                s = out[w].setdefault(b, [0, 0, 0, 0])
                s[0] += 1
                end = end_day.toordinal()
                for k, day in enumerate(entered, start=1):
                    s[k] += day is not None and day <= end
        return out


def context() -> _Context:
    """Everything the outcome measure reads, for every LSO (read once per request)."""
    return _Context(Timelines())


def first_engagements(ctx: _Context, lso_code: str | None = None) -> dict[int, date]:
    """Location id → day of first engagement (by this LSO, or by any when None)."""
    return dict(ctx.mine.get(lso_code, {})) if lso_code else dict(ctx.anyone)


def outcomes(lso_code: str, as_of: date, ctx: _Context | None = None) -> dict:
    """The outcome measure for one LSO's engagements, as of a date."""
    ctx = ctx or context()
    tl = ctx.tl
    mine = ctx.mine.get(lso_code, {})
    already = 0
    cohort = []
    for oid, d0 in mine.items():
        b = tl.bucket(oid, d0.toordinal())
        if b < 0:
            continue
        if b in COMPLIANT_BUCKETS:
            already += 1
            continue
        cohort.append((oid, d0, b))
    windows = []
    for w in WINDOWS:
        n = 0
        reached = dict.fromkeys(LEVELS, 0)
        comp_share = dict.fromkeys(LEVELS, 0.0)
        comp_n = comp_pool = 0
        for oid, d0, b in cohort:
            end = add_months(d0, w)
            if end > as_of:
                continue
            n += 1
            for lvl in LEVELS:
                reached[lvl] += tl.reached(lvl, oid, d0.toordinal(), end.toordinal())
            size, hits = ctx.pool(tl.lso[oid] or None, d0.replace(day=1), b, w)
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

"""Every location's bucket on any day, from month-start snapshots plus the changes since.

A *snapshot* is every location's bucket just before a month starts; the status changes
(events) between one snapshot and the next are kept with the earlier one, in day order. The
bucket vector for a day is then a copy of the snapshot before it plus at most a month of
events, not a pass over every timeline. When a few locations' timelines change, only their
entries in each snapshot and the months their old and new events fall in are rewritten.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date

NOT_REGISTERED = 6  # bucket of Not Registered (engine.BUCKETS)
OUTSIDE = -1  # before the location's CQC registration: not in the population yet


@dataclass(slots=True)
class Snapshots:
    days: list[int]  # ordinal of each snapshot (0 for the first: before anything happened)
    vectors: list[array]  # bucket of every location just before that day ('b')
    # Per snapshot: the events from its day up to the next snapshot's, in day order.
    ev_days: list[array]  # 'i'
    ev_locs: list[array]  # 'i'
    ev_codes: list[array]  # 'b'

    def vector(self, day: int) -> array:
        """Every location's bucket on `day` (a new array)."""
        k = bisect_right(self.days, day) - 1
        vec = array("b", self.vectors[k])
        ev_days, ev_locs, ev_codes = self.ev_days[k], self.ev_locs[k], self.ev_codes[k]
        for p in range(bisect_right(ev_days, day)):
            vec[ev_locs[p]] = ev_codes[p]
        return vec


def events_of(days: list[int], codes: list[int], start: int) -> list[tuple[int, int]]:
    """One location's (day, bucket) changes: entering the population at `start` (its CQC
    registration, 0 when unknown) with the bucket of that day, then every later step."""
    out = []
    if start:
        j = bisect_right(days, start)
        out.append((start, codes[j - 1] if j else NOT_REGISTERED))
    out.extend((d, c) for d, c in zip(days, codes, strict=True) if d > start)
    return out


def initial_of(start: int) -> int:
    return OUTSIDE if start else NOT_REGISTERED


def value_on(days: list[int], codes: list[int], start: int, day: int) -> int:
    """The location's bucket on `day` (what the events give once all up to `day` are applied)."""
    if start and day < start:
        return OUTSIDE
    j = bisect_right(days, day)
    return codes[j - 1] if j else NOT_REGISTERED


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def build(all_days: list[list[int]], all_codes: list[list[int]], starts: list[int]) -> Snapshots:
    """Snapshots at the start of every month from the first event to the last."""
    events = []
    for i, (d, c, start) in enumerate(zip(all_days, all_codes, starts, strict=True)):
        events.extend((day, i, code) for day, code in events_of(d, c, start))
    events.sort()
    vec = array("b", (initial_of(s) for s in starts))
    snap_days = [0]
    vectors = [array("b", vec)]
    if events:
        month = date.fromordinal(events[0][0]).replace(day=1)
        last = date.fromordinal(events[-1][0])
        while month <= last:
            snap_days.append(month.toordinal())
            month = _next_month(month)
    ev_days, ev_locs, ev_codes = [], [], []
    p, n = 0, len(events)
    for k in range(len(snap_days)):
        end = snap_days[k + 1] if k + 1 < len(snap_days) else None
        q = p
        while q < n and (end is None or events[q][0] < end):
            q += 1
        chunk = events[p:q]
        ev_days.append(array("i", (e[0] for e in chunk)))
        ev_locs.append(array("i", (e[1] for e in chunk)))
        ev_codes.append(array("b", (e[2] for e in chunk)))
        for _day, i, code in chunk:
            vec[i] = code
        if end is not None:
            vectors.append(array("b", vec))
        p = q
    return Snapshots(snap_days, vectors, ev_days, ev_locs, ev_codes)


def patch(
    snaps: Snapshots,
    changed: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]],
    new_days: list[list[int]],
    new_codes: list[list[int]],
    starts: list[int],
) -> Snapshots:
    """New snapshots after the timelines of some locations changed (same location indices).

    `changed` maps a location index to its (old events, new events). The old snapshots are
    left as they were (other threads may be reading them).
    """
    vectors = list(snaps.vectors)
    for k, day in enumerate(snaps.days):
        vec = vectors[k] = array("b", vectors[k])
        for i in changed:
            if k == 0:
                vec[i] = initial_of(starts[i])
            else:
                vec[i] = value_on(new_days[i], new_codes[i], starts[i], day - 1)
    ev_days, ev_locs, ev_codes = list(snaps.ev_days), list(snaps.ev_locs), list(snaps.ev_codes)
    copied: set[int] = set()

    def month(day: int) -> int:
        k = bisect_right(snaps.days, day) - 1
        if k not in copied:  # copy before changing: the old snapshots stay as they were
            ev_days[k], ev_locs[k], ev_codes[k] = (
                array("i", ev_days[k]),
                array("i", ev_locs[k]),
                array("b", ev_codes[k]),
            )
            copied.add(k)
        return k

    # Events are in day order; a day may hold thousands (every expiry falls on the day after
    # a deadline), so the location is found with array.index (C speed) within its day.
    for i, (old, new) in changed.items():
        for day, _code in old:
            k = month(day)
            days_k, locs_k = ev_days[k], ev_locs[k]
            p = locs_k.index(i, bisect_left(days_k, day), bisect_right(days_k, day))
            del days_k[p], locs_k[p], ev_codes[k][p]
        for day, code in new:
            k = month(day)
            p = bisect_right(ev_days[k], day)
            ev_days[k].insert(p, day)
            ev_locs[k].insert(p, i)
            ev_codes[k].insert(p, code)
    return Snapshots(list(snaps.days), vectors, ev_days, ev_locs, ev_codes)

# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""Population locations' status timelines in Python, for the demo's engagement picker.

The outcome measure itself (outcomes.py) is worked out in the database; this reads every
location's spans once and answers "what was its status on a day" and "when did it next reach a
level" in memory, which is what the demo loader needs while it draws thousands of engagements.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

from dspt.monitoring.sql import BUCKET_OF, fetch, location_spans
from dspt.statuses.compute import Status
from dspt.statuses.facts import as_date

LEVELS = {
    "approaching": frozenset({Status.APPROACHING, Status.MET, Status.EXCEEDED}),
    "met": frozenset({Status.MET, Status.EXCEEDED}),
    "exceeded": frozenset({Status.EXCEEDED}),
}
_LEVEL_BUCKETS = {lvl: frozenset(BUCKET_OF[s.value] for s in st) for lvl, st in LEVELS.items()}


def add_months(day: date, months: int) -> date:
    """The same day `months` months later, kept to the month's end (31 Jan + 1 = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


class Timelines:
    """Population locations' status spans (read from the status interval table), for asking
    what a location's status was on a day and when it entered a level."""

    def __init__(self, condition: str = "", params: tuple = ()) -> None:
        self.spans = location_spans(condition, params)
        self.start: dict[int, int] = {}
        self.lso: dict[int, str] = {}
        self.provider: dict[int, int | None] = {}
        for oid, reg, lso, provider in fetch(
            "SELECT l.organisation_id, l.cqc_registered_on, l.lso_code, l.provider_id "
            f"FROM monitoring_location l WHERE 1 = 1{condition}",
            list(params),
        ):
            reg = as_date(reg)
            self.start[oid] = reg.toordinal() if reg else 0
            self.lso[oid] = lso
            self.provider[oid] = provider
        self.entries = {
            lvl: {oid: [d for d, b in spans if b in buckets] for oid, spans in self.spans.items()}
            for lvl, buckets in _LEVEL_BUCKETS.items()
        }

    def bucket(self, oid: int, day: int) -> int:
        """The location's bucket on a day (ordinal); -1 before its CQC registration."""
        if oid not in self.start or day < self.start[oid]:
            return -1
        spans = self.spans.get(oid, [])
        j = bisect_right(spans, (day, 99))
        return spans[j - 1][1] if j else BUCKET_OF[Status.NOT_REGISTERED.value]

    def entered_after(self, lvl: str, oid: int, start: int) -> int | None:
        """The first day (ordinal) after `start` on which the location entered level `lvl` (or
        better), or None."""
        days = self.entries[lvl].get(oid, [])
        j = bisect_right(days, start)
        return days[j] if j < len(days) else None

    def reached(self, lvl: str, oid: int, start: int, end: int) -> bool:
        """Did the location enter level `lvl` (or better) on a day in (start, end]?

        The status on the start day is the baseline, not an outcome: only later changes count.
        """
        day = self.entered_after(lvl, oid, start)
        return day is not None and day <= end

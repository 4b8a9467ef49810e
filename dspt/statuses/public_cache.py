"""A per-process cache of today's public status records, so a search page costs dictionary look-ups.

Every public record is a pure function of the organisation, its (and its head office's)
publications, moved deadlines and the day. Each worker process keeps the records it has computed
for today, encoded once as JSON, and drops the ones whose data changed:

- at most every `RECHECK_SECONDS` (at once after a change made in this process) it reads the
  shared change detector's mark (dspt/changes; one statement, shared with the search index);
  if it moved, the organisations touched since (new publications and covered sites, edited
  organisations) and their sites are dropped;
- a change the detector cannot trace (a deletion, a plan approval or certificate expiry changed
  in place, a moved deadline, an insert committed out of id order) drops everything, as do a
  new day (statuses expire at midnight) and, as a backstop, the passing of
  `FULL_REFRESH_SECONDS`.

So in the June rush a publication costs its own organisation's records, not everybody's. Records
for any other date (`as_of`) are computed on demand and never cached. See docs/performance.md.
"""

import json
import threading
import time
from collections.abc import Callable
from datetime import date

from dspt.changes import marks
from dspt.changes.detect import changed_since
from dspt.changes.marks import Mark
from dspt.statuses.calendar import forget_moved_deadlines

RECHECK_SECONDS = 5.0
# Whatever slipped through (a transaction longer than the detector's look-back) is dropped by
# this at most.
FULL_REFRESH_SECONDS = 600.0


def _touched(old: Mark, new: Mark) -> set[int] | None:
    """Organisations whose public record may differ between two marks (with the sites of those
    that are head offices: a site's record names its head office and reads its publications),
    or None when the change cannot be traced."""
    found = changed_since(old, new)
    if not found.traced:
        return None
    touched = found.organisations
    if touched:
        from dspt.organisations.models import Organisation

        touched.update(
            Organisation.objects.filter(parent_id__in=touched).values_list("id", flat=True)
        )
    return touched


Entry = tuple[dict, str]  # the record and its JSON encoding


class PublicRecordCache:
    """Thread-safe cache of today's records, keyed by organisation id and by ODS code."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[int, Entry] = {}
        self._by_code: dict[str, Entry] = {}
        self._day: date | None = None
        self._mark: Mark | None = None
        self._generation = 0  # bumped whenever entries are dropped
        # When the mark in use was read (monotonic); None: look again, with a fresh reading.
        self._checked: float | None = None
        self._started = 0.0  # when the cache last started empty

    def clear(self) -> None:
        """Drop every record (tests, and changes that cannot be traced)."""
        with self._lock:
            self._by_id, self._by_code = {}, {}
            self._mark = None
            self._generation += 1
            self._checked = None

    def recheck_soon(self) -> None:
        """Look for changes on the next request instead of waiting for the interval."""
        self._checked = None

    def _due(self, day: date) -> bool:
        checked = self._checked
        return self._day != day or checked is None or time.monotonic() - checked >= RECHECK_SECONDS

    def _fresh(self, day: date) -> None:
        """Drop what changed: everything on a new day or an untraceable change, otherwise only the
        organisations touched since the last check (looked for at most every few seconds)."""
        if not self._due(day):
            return
        with self._lock:
            if not self._due(day):
                return
            # A reading the search index took a moment ago will do, unless told to look again.
            # The interval counts from when the mark was read, so another process's change
            # still shows within RECHECK_SECONDS.
            forced = self._checked is None
            mark = marks.reading(max_age=0.0 if forced else RECHECK_SECONDS)
            stale = time.monotonic() - self._started > FULL_REFRESH_SECONDS
            if self._day != day or self._mark is None or stale:
                touched = None
            elif mark == self._mark:
                touched = set()
            else:
                touched = _touched(self._mark, mark)
            if touched is None:
                if self._mark is not None and mark.deadlines != self._mark.deadlines:
                    forget_moved_deadlines()  # perhaps moved by another process
                self._by_id, self._by_code = {}, {}
                self._generation += 1
                self._started = time.monotonic()
            elif touched:
                for oid in touched:
                    entry = self._by_id.pop(oid, None)
                    if entry is not None:
                        self._by_code.pop(entry[0]["ods_code"], None)
                self._generation += 1
            self._day, self._mark = day, mark
            self._checked = mark.taken

    def get(
        self, keys: list, by: str, day: date, compute: Callable[[list], list[tuple[int, str, dict]]]
    ) -> list[Entry]:
        """Entries for `keys` (ids, or ODS codes with by="ods_code"), in order, unknown keys left
        out. The missing ones are computed together by `compute(keys)`, which returns
        (id, ODS code, record) triples, and kept."""
        self._fresh(day)
        table = self._by_id if by == "id" else self._by_code
        found = {k: table[k] for k in keys if k in table}
        missing = [k for k in keys if k not in found]
        if missing:
            before = self._generation
            computed = [(oid, code, (r, json.dumps(r))) for oid, code, r in compute(missing)]
            for oid, code, entry in computed:
                found[oid if by == "id" else code] = entry
            with self._lock:
                # If the data changed while computing, use these records but don't keep them.
                if self._generation == before and self._day == day:
                    for oid, code, entry in computed:
                        self._by_id[oid] = entry
                        self._by_code[code] = entry
        return [found[k] for k in keys if k in found]

    def checked(self, day: date) -> int:
        """Look for changes now; returns the generation to pass to `put_all`."""
        self.recheck_soon()
        self._fresh(day)
        return self._generation

    def put_all(self, day: date, computed: list[tuple[int, str, dict]], generation: int) -> int:
        """Keep records computed from data read after `checked` returned `generation`, unless
        something changed since; returns how many were computed."""
        entries = [(oid, code, (r, json.dumps(r))) for oid, code, r in computed]
        with self._lock:
            if self._day == day and self._generation == generation:
                for oid, code, entry in entries:
                    self._by_id[oid] = entry
                    self._by_code[code] = entry
        return len(entries)


public_record_cache = PublicRecordCache()


def connect_signals() -> None:
    """Look for changes on the next request whenever this process changes anything a public
    record reads (at once, and again after the commit: a request in another thread may have
    cached a record from the data as it was before)."""
    from dspt.changes.listeners import on_change

    on_change(public_record_cache.recheck_soon, "public-cache")


def warm() -> int:
    """Compute today's record for every organisation with an ODS code; returns how many.

    `dspt serve` calls this before its workers fork, so they start with the whole day's records
    in shared memory instead of computing them on the first searches.
    """
    from dspt.core.dates import today
    from dspt.statuses.public import compute_all

    day = today()
    generation = public_record_cache.checked(day)  # read the mark before the data
    return public_record_cache.put_all(day, compute_all(day), generation)

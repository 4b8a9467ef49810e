"""A per-process cache of today's public status records, so a search page costs dictionary look-ups.

Every public record is a pure function of the organisation, its (and its head office's)
publications, moved deadlines and the day. Each worker process keeps the records it has computed
for today, encoded once as JSON, and drops the ones whose data changed:

- at most every `RECHECK_SECONDS` (at once after a change made in this process) one cheap query
  reads the tables' high-water marks; if they moved, the organisations touched since (new
  publications and covered sites by id, edits by `updated_at`) and their sites are dropped;
- a change that cannot be traced that way (a deletion, a plan approval, a moved deadline) drops
  everything, as do a new day (statuses expire at midnight) and, as a backstop, the passing of
  `FULL_REFRESH_SECONDS`.

So in the June rush a publication costs its own organisation's records, not everybody's. Records
for any other date (`as_of`) are computed on demand and never cached. See docs/performance.md.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from dspt.statuses.calendar import forget_moved_deadlines

RECHECK_SECONDS = 5.0

# What changes in place, or by deletion, and cannot be traced to organisations cheaply: if any of
# these move, every record is dropped. They change rarely (plan approvals, moved deadlines).
_WHOLESALE_SQL = """
SELECT (SELECT count(plan_approved_on) FROM assessments_publication),
       (SELECT sum(id) FROM assessments_publication WHERE plan_approved_on IS NOT NULL),
       (SELECT max(plan_approved_on) FROM assessments_publication),
       (SELECT count(*) FROM frameworks_deadlineoverride),
       (SELECT max(deadline) FROM frameworks_deadlineoverride)
"""
# Appends and edits that can be traced: new publications and covered sites by id, organisation
# edits by `updated_at` (every writer bumps it). Counts catch deletions.
_MARKS_SQL = """
SELECT (SELECT count(*) FROM assessments_publication),
       (SELECT max(id) FROM assessments_publication),
       (SELECT count(*) FROM assessments_publication_covers),
       (SELECT max(id) FROM assessments_publication_covers),
       (SELECT count(*) FROM organisations_organisation),
       (SELECT max(updated_at) FROM organisations_organisation),
       (SELECT count(*) FROM organisations_organisation WHERE updated_at > %s)
"""
# Edits are found by `updated_at`: those after the latest edit seen at the last check, and, for an
# edit committed late by a transaction that began earlier (so with an older timestamp), any in
# the last few minutes.
EDIT_LOOKBACK = timedelta(minutes=2)
# Whatever slipped through (a transaction longer than the look-back) is dropped by this at most.
FULL_REFRESH_SECONDS = 600.0
MAX_TRACED = 5000


@dataclass(frozen=True)
class _Marks:
    wholesale: tuple
    pubs: int
    top_pub: int
    covers: int
    top_cover: int
    orgs: int
    org_changed: object
    # Edits in the last few minutes: a late commit of an older-stamped edit moves this count
    # even when the latest timestamp stays put.
    recently_changed: int


def _read_marks() -> _Marks:
    with connection.cursor() as cur:
        cur.execute(_WHOLESALE_SQL)
        wholesale = tuple(str(v) for v in cur.fetchone())
        cur.execute(_MARKS_SQL, [_recent(text=connection.vendor == "sqlite")])
        pubs, top_pub, covers, top_cover, orgs, changed, recent = cur.fetchone()
    return _Marks(wholesale, pubs, top_pub or 0, covers, top_cover or 0, orgs, changed, recent)


def _recent(text: bool) -> datetime | str:
    """A few minutes ago; as UTC text for SQLite, which keeps datetimes as text."""
    recent = timezone.now() - EDIT_LOOKBACK
    return recent.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ") if text else recent


def _since(changed) -> datetime | str:
    """Where to look for organisation edits from: the earlier of the latest edit seen at the last
    check and a few minutes ago, in the type the database returns."""
    if changed is None:
        return "0001-01-01"
    return min(changed, _recent(text=isinstance(changed, str)))


def _touched(old: _Marks, new: _Marks) -> set[int] | None:
    """Organisations whose public record may differ between two readings, or None when the change
    cannot be traced (a deletion, a plan approval, a moved deadline, or an insert committed out of
    id order)."""
    if old.wholesale != new.wholesale or new.orgs < old.orgs:
        return None
    with connection.cursor() as cur:
        cur.execute(
            "SELECT organisation_id FROM assessments_publication WHERE id > %s", [old.top_pub]
        )
        pubs = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT organisation_id FROM assessments_publication_covers WHERE id > %s",
            [old.top_cover],
        )
        covers = [row[0] for row in cur.fetchall()]
        if len(pubs) != new.pubs - old.pubs or len(covers) != new.covers - old.covers:
            return None
        cur.execute(
            "SELECT id FROM organisations_organisation WHERE updated_at > %s",
            [_since(old.org_changed)],
        )
        touched = set(pubs) | set(covers) | {row[0] for row in cur.fetchall()}
    if len(touched) > MAX_TRACED:
        return None  # a bulk change: starting again is cheaper than tracing it
    if touched:
        from dspt.organisations.models import Organisation

        # A site's record names its head office and reads its publications.
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
        self._marks: _Marks | None = None
        self._generation = 0  # bumped whenever entries are dropped
        self._checked = 0.0
        self._started = 0.0  # when the cache last started empty

    def clear(self) -> None:
        """Drop every record (tests, and changes that cannot be traced)."""
        with self._lock:
            self._by_id, self._by_code = {}, {}
            self._marks = None
            self._generation += 1
            self._checked = 0.0

    def recheck_soon(self) -> None:
        """Look for changes on the next request instead of waiting for the interval."""
        self._checked = 0.0

    def _fresh(self, day: date) -> None:
        """Drop what changed: everything on a new day or an untraceable change, otherwise only the
        organisations touched since the last check (looked for at most every few seconds)."""
        if self._day == day and time.monotonic() - self._checked < RECHECK_SECONDS:
            return
        with self._lock:
            if self._day == day and time.monotonic() - self._checked < RECHECK_SECONDS:
                return
            marks = _read_marks()
            stale = time.monotonic() - self._started > FULL_REFRESH_SECONDS
            if self._day != day or self._marks is None or stale:
                touched = None
            elif marks == self._marks:
                touched = set()
            else:
                touched = _touched(self._marks, marks)
            if touched is None:
                if self._marks is not None and marks.wholesale != self._marks.wholesale:
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
            self._day, self._marks = day, marks
            self._checked = time.monotonic()

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


def _changed(**kwargs) -> None:
    # Look at once (this process's own reads see its own writes), and again after the commit: a
    # request in another thread may have cached a record from the data as it was before.
    public_record_cache.recheck_soon()
    transaction.on_commit(public_record_cache.recheck_soon)


def connect_signals() -> None:
    """Clear the cache whenever this process changes anything a public record reads."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from dspt.assessments.models import Publication
    from dspt.frameworks.models import DeadlineOverride
    from dspt.organisations.models import Organisation

    for model in (Publication, Organisation, DeadlineOverride):
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=model, dispatch_uid=f"public-cache-{model.__name__}")
    m2m_changed.connect(
        _changed, sender=Publication.covers.through, dispatch_uid="public-cache-covers"
    )


def warm() -> int:
    """Compute today's record for every organisation with an ODS code; returns how many.

    `dspt serve` calls this before its workers fork, so they start with the whole day's records
    in shared memory instead of computing them on the first searches.
    """
    from dspt.core.dates import today
    from dspt.statuses.public import compute_all

    day = today()
    generation = public_record_cache.checked(day)  # read the marks before the data
    return public_record_cache.put_all(day, compute_all(day), generation)

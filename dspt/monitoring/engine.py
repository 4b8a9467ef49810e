"""The monitoring data set: the population with every location's status timeline, cached.

Timelines come from `dspt.statuses.selectors.timelines`, i.e. from the one status rule; nothing
here judges a status. Building them for ~27,000 locations takes seconds, so the built data set is
kept in process memory, keyed by a *data version*: a fingerprint of everything the figures read
(publications, head-office cover, plan approvals, organisations, the area mapping and names,
moved deadlines, the provider size bands; version.py). Checking it costs one statement from the
shared change detector (dspt/changes) and a few small queries. After a change the next request
finds which organisations changed (dspt/changes, against the ledger the data set keeps) and
rebuilds only their locations (incremental.py); a change it cannot pin down (the area mapping,
deadlines, size bands) or a very large one rebuilds everything. Built data sets are shared
between processes through files (store.py).
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

from dspt.changes import marks
from dspt.changes.marks import Mark
from dspt.frameworks import deadlines
from dspt.frameworks.models import DeadlineOverride
from dspt.monitoring import snapshots, store
from dspt.monitoring.population import Location, Population, load_population
from dspt.monitoring.snapshots import Snapshots
from dspt.monitoring.version import context, data_version
from dspt.organisations.models import Organisation
from dspt.statuses.calendar import forget_moved_deadlines
from dspt.statuses.compute import Status, StatusResult, StatusTimeline
from dspt.statuses.selectors import all_histories, timelines

logger = logging.getLogger(__name__)

# Every location falls in exactly one bucket (CONTRACT row format).
BUCKETS = (
    "approaching",
    "met",
    "exceeded",
    "expired",
    "not_compliant",
    "not_published",
    "not_registered",
)
COMPLIANT_BUCKETS = frozenset({0, 1, 2})
_BUCKET_OF = {
    Status.APPROACHING: 0,
    Status.MET: 1,
    Status.EXCEEDED: 2,
    Status.EXPIRED: 3,
    Status.STANDARDS_NOT_MET: 4,
    Status.NOT_PUBLISHED: 5,
    Status.NOT_REGISTERED: 6,
}
# Edition of a valid publication relative to the day: 0 none, 1 current edition, 2 previous.
REL_NONE, REL_CURRENT, REL_PREVIOUS = 0, 1, 2
FAR_FUTURE = date(9999, 12, 31).toordinal()


def bucket_of(result: StatusResult) -> int:
    return _BUCKET_OF[result.status]


@dataclass(slots=True)
class Dataset:
    version: str
    population: Population
    # Parallel to population.locations: change days (ordinals) and the status from each day.
    days: list[list[int]]
    results: list[list[StatusResult]]
    # For the monthly series: (start, end_exclusive, bucket * 3 + edition relation) intervals.
    intervals: list[list[tuple[int, int, int]]]
    index: dict[int, int]
    # Fast paths: the bucket of each timeline step, and each location's first day in the
    # population (its CQC registration, 0 when unknown).
    codes: list[list[int]]
    starts: list[int]
    # What the tables looked like when this was built, with a ledger, to find what changed
    # since (dspt/changes).
    mark: Mark | None = None
    # Month-start snapshots of every location's bucket (snapshots.py), built on first use.
    snaps: Snapshots | None = None
    # Derived look-ups (area members, groups by dimension), filled on first use.
    memo: dict = field(default_factory=dict)
    # The area mapping and size bands it was built with (version.py).
    context: str = ""

    def groups_of(self, by: str) -> list[tuple[str, ...]]:
        """Each location's groups for one dimension, in population order."""
        key = ("groups", by)
        if key not in self.memo:
            self.memo[key] = [loc.groups[by] for loc in self.population.locations]
        return self.memo[key]

    def bucket_vector(self, on: date) -> array:
        """Every location's bucket on `on` (-1 before it registered with CQC).

        Read from the nearest month-start snapshot before `on` plus the status changes since
        (snapshots.py), so a date costs a copy and a few thousand updates, not a pass over
        every timeline. The last 64 dates asked are kept.
        """
        day = on.toordinal()
        cache = self.memo.setdefault("vectors", OrderedDict())
        if day in cache:
            cache.move_to_end(day)
            return cache[day]
        if self.snaps is None:
            self.snaps = snapshots.build(self.days, self.codes, self.starts)
        vec = self.snaps.vector(day)
        cache[day] = vec
        if len(cache) > 64:
            cache.popitem(last=False)
        return vec

    def buckets_on(self, members, on: date) -> list[tuple[int, int]]:
        """(location index, bucket) for the members in the population on `on`."""
        vec = self.bucket_vector(on)
        return [(i, vec[i]) for i in members if vec[i] >= 0]

    def status(self, i: int, on: date | int) -> StatusResult:
        """Location i's status on a day, read from its timeline (which is `status_on`)."""
        day = on if isinstance(on, int) else on.toordinal()
        j = bisect_right(self.days[i], day)
        return self.results[i][j - 1] if j else StatusResult(status=Status.NOT_REGISTERED)

    def in_population(self, i: int, on: date | int) -> bool:
        """A location counts from its CQC registration day (when known)."""
        reg = self.population.locations[i].cqc_registered_on
        day = on if isinstance(on, int) else on.toordinal()
        return reg is None or reg.toordinal() <= day

    def location(self, i: int) -> Location:
        return self.population.locations[i]


_lock = threading.Lock()
_cached: Dataset | None = None
# When the data version was last read (monotonic seconds). The version check scans the
# publications (~65 ms here), so within `DSPT_MONITORING_RECHECK_SECONDS` of a check the cached
# data set is used as it is; a change made in this process forces a check at once (signals
# below), so only other processes' changes can take that long to show.
_checked_at = float("-inf")


def recheck_seconds() -> float:
    return settings.DSPT_MONITORING_RECHECK_SECONDS


def check_soon() -> None:
    """Read the data version on the next figure (called on this process's writes, at once and
    again once the transaction commits: see `connect_signals`)."""
    global _checked_at
    _checked_at = float("-inf")


def dataset() -> Dataset:
    """The current data set: the cached one while the data version is unchanged.

    After a change: the cached one (or, in a new process, the newest one another process
    shared) updated for the organisations that changed (incremental.py); a full build only
    when that cannot be done. A full build is shared at once; an updated one is shared from a
    background thread, so the request that saw the change does not wait for the file. When a
    full build is needed and a previous data set exists, the build runs in the background
    (`DSPT_MONITORING_BACKGROUND_BUILD`) and figures come from the previous one meanwhile,
    with pages saying so; with no previous data set the request waits for the build.
    """
    global _cached, _checked_at
    current = _cached
    if current is not None and time.monotonic() - _checked_at < recheck_seconds():
        return current
    started = time.monotonic()
    version = data_version()
    if current is not None and current.version == version:
        _checked_at = started
        return current
    if _rebuilding is not None and current is not None:
        return current  # a full build is under way in the background; see _rebuild_later
    with _lock:
        _checked_at = started
        # The data changed: moved deadlines may be among the changes (another process's).
        forget_moved_deadlines()
        if _cached is not None and _cached.version == version:
            return _cached
        if _rebuilding is not None and _cached is not None:
            return _cached
        base = _cached if _cached is not None else store.load_latest()
        ds = None
        if base is not None and base.version == version:
            ds = base
        elif base is not None:
            from dspt.monitoring.incremental import update

            ds = update(base, version)
            if ds is not None:
                store.save_soon(ds)
        if ds is None and base is not None and settings.DSPT_MONITORING_BACKGROUND_BUILD:
            _cached = base
            _rebuild_later(version)
            return base
        if ds is None:
            ds = build(version)
            store.save(ds)
        _cached = ds
        return ds


# A full build in the background: (thread, wall-clock time it started), or None.
_rebuilding: tuple[threading.Thread, float] | None = None


def _rebuild_later(version: str) -> None:
    """Start a full build in a thread; until it finishes, figures come from the previous data
    set and pages say so (`updating_since`). Called with `_lock` held."""
    global _rebuilding

    def run() -> None:
        global _cached, _rebuilding
        from django.db import connection

        try:
            ds = build(version)
            store.save(ds)
            with _lock:
                _cached = ds
        except Exception:
            logger.exception("Background build of the monitoring data set failed")
        finally:
            connection.close()  # this thread's own connection
            _rebuilding = None
            check_soon()  # data may have changed while building: look again

    thread = threading.Thread(target=run, name="monitoring-build", daemon=True)
    _rebuilding = (thread, time.time())
    thread.start()


def updating_since() -> float | None:
    """When a background full build started (epoch seconds), while one runs; else None. Pages
    show it: their figures do not yet include the change that needed the build."""
    current = _rebuilding
    return current[1] if current is not None else None


def wait_for_rebuild(timeout: float | None = None) -> None:
    """Block until a background build (if any) finishes (tests, commands)."""
    current = _rebuilding
    if current is not None:
        current[0].join(timeout)


def forget() -> None:
    """Drop the cached data set and derived tables (tests; an operator never needs this)."""
    global _cached, _checked_at
    wait_for_rebuild()
    _cached = None
    _checked_at = float("-inf")
    for clear in _derived_caches:
        clear()


# Caches of figures derived from a data set register their `clear` here.
_derived_caches: list = []


def _overrides() -> dict:
    return dict(DeadlineOverride.objects.values_list("edition", "deadline"))


def deadline_ordinals():
    """edition -> ordinal of its deadline (moved deadlines included), memoised per call site."""
    overrides = _overrides()
    cache: dict[str, int] = {}

    def deadline_ord(edition: str) -> int:
        if edition not in cache:
            cache[edition] = deadlines.deadline_for(edition, overrides).toordinal()
        return cache[edition]

    return deadline_ord


def location_arrays(loc: Location, tl: StatusTimeline, deadline_ord) -> tuple:
    """One location's (days, results, intervals, codes, start) from its status timeline."""
    d = [day.toordinal() for day in tl.days]
    results = list(tl.results)
    start = loc.cqc_registered_on.toordinal() if loc.cqc_registered_on else 0
    return (
        d,
        results,
        _intervals(d, results, start, deadline_ord),
        [bucket_of(r) for r in results],
        start,
    )


def build(version: str) -> Dataset:
    """Read the population and build every location's status timeline."""
    # The mark first: a change made while we read is then seen again next time, never missed.
    mark = marks.read_mark(ledger=True)
    ctx = context()
    population = load_population()
    ids = [loc.id for loc in population.locations]
    orgs = Organisation.objects.filter(id__in=ids) if len(ids) < 900 else None
    if orgs is None:
        orgs = Organisation.objects.care_locations()
    orgs = list(orgs.only("id", "parent_id", "registered_on"))
    lines = timelines(all_histories(orgs))
    deadline_ord = deadline_ordinals()
    columns = [location_arrays(loc, lines[loc.id], deadline_ord) for loc in population.locations]
    days, results, intervals, codes, starts = (
        (list(c) for c in zip(*columns, strict=True)) if columns else ([], [], [], [], [])
    )
    index = {loc.id: i for i, loc in enumerate(population.locations)}
    ds = Dataset(
        version, population, days, results, intervals, index, codes, starts, mark, context=ctx
    )
    ds.snaps = snapshots.build(days, codes, starts)
    return ds


def _intervals(days, results, start, deadline_ord) -> list[tuple[int, int, int]]:
    """Split a timeline into intervals of constant series category.

    A valid publication of edition E counts as *current edition* up to E's own deadline and as
    *previous edition* from the day after until it expires.
    """
    out: list[tuple[int, int, int]] = []
    steps = [(0, StatusResult(status=Status.NOT_REGISTERED))] + list(
        zip(days, results, strict=True)
    )
    for k, (s, result) in enumerate(steps):
        e = steps[k + 1][0] if k + 1 < len(steps) else FAR_FUTURE
        s = max(s, start)
        if s >= e:
            continue
        b = bucket_of(result)
        if result.status in (Status.EXPIRED, Status.NOT_PUBLISHED, Status.NOT_REGISTERED):
            out.append((s, e, b * 3 + REL_NONE))
            continue
        cut = deadline_ord(result.edition) + 1 if result.edition else FAR_FUTURE
        if s < cut:
            out.append((s, min(e, cut), b * 3 + REL_CURRENT))
        if e > cut:
            out.append((max(s, cut), e, b * 3 + REL_PREVIOUS))
    return out


def month_ends(as_of: date, months: int) -> list[date]:
    """The last day of each of `months` months ending with as_of's month (as_of itself last)."""
    out = []
    y, m = as_of.year, as_of.month
    for _ in range(months):
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        out.append(min(nxt - timedelta(days=1), as_of))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def connect_signals() -> None:
    """Check the data version at once after anything the figures read changes in this process."""
    from dspt.changes.listeners import on_change
    from dspt.organisations.models import ICB, LocalAuthority, Region
    from dspt.support.models import LSO

    on_change(check_soon, "monitoring", also=(LocalAuthority, Region, ICB, LSO))

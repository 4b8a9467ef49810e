"""The monitoring data set: the population with every location's status timeline, cached.

Timelines come from `dspt.statuses.selectors.timelines`, i.e. from the one status rule; nothing
here judges a status. Building them for ~27,000 locations takes seconds, so the built data set is
kept in process memory, keyed by a *data version*: a fingerprint of everything the figures read
(publications, head-office cover, plan approvals, organisations, the area mapping, moved
deadlines, the provider size bands). Any change to those gives a new fingerprint and the next
request rebuilds. Checking the fingerprint costs a few aggregate queries per request.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from array import array
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max, Q, Sum

from dspt.assessments.models import Publication
from dspt.frameworks import deadlines
from dspt.frameworks.models import DeadlineOverride
from dspt.monitoring.config import size_bands
from dspt.monitoring.population import Location, Population, load_population
from dspt.organisations.models import LocalAuthority, Organisation
from dspt.statuses.compute import Status, StatusResult
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
    # Derived look-ups (area members, groups by dimension), filled on first use.
    memo: dict = field(default_factory=dict)

    def groups_of(self, by: str) -> list[tuple[str, ...]]:
        """Each location's groups for one dimension, in population order."""
        key = ("groups", by)
        if key not in self.memo:
            self.memo[key] = [loc.groups[by] for loc in self.population.locations]
        return self.memo[key]

    def bucket_vector(self, on: date) -> array:
        """Every location's bucket on `on` (-1 before it registered with CQC).

        Read from the nearest month-start snapshot before `on` plus the status changes since
        (see `_snapshots`), so a date costs a copy and a few thousand updates, not a pass over
        every timeline. The last 64 dates asked are kept.
        """
        day = on.toordinal()
        cache = self.memo.setdefault("vectors", OrderedDict())
        if day in cache:
            cache.move_to_end(day)
            return cache[day]
        snaps = self.memo.get("snapshots") or self.memo.setdefault("snapshots", _snapshots(self))
        snap_days, snap_vectors, snap_pos, ev_day, ev_loc, ev_code = snaps
        k = bisect_right(snap_days, day) - 1
        vec = array("b", snap_vectors[k])
        p, n = snap_pos[k], len(ev_day)
        while p < n and ev_day[p] <= day:
            vec[ev_loc[p]] = ev_code[p]
            p += 1
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


def _snapshots(ds: Dataset) -> tuple:
    """Every status change in the population as (day, location, bucket) events in day order,
    with a snapshot of all buckets at the start of every month they span."""
    events = []
    initial = array("b", [0] * len(ds.days))
    for i, (d, c, start) in enumerate(zip(ds.days, ds.codes, ds.starts, strict=True)):
        if start:
            initial[i] = -1
            j = bisect_right(d, start)
            events.append((start, i, c[j - 1] if j else 6))
        else:
            initial[i] = 6
        for day, code in zip(d, c, strict=True):
            if day > start:
                events.append((day, i, code))
    events.sort()
    ev_day = array("l", (e[0] for e in events))
    ev_loc = array("l", (e[1] for e in events))
    ev_code = array("b", (e[2] for e in events))
    vec = array("b", initial)
    snap_days, snap_vectors, snap_pos = [0], [array("b", vec)], [0]
    if events:
        first = date.fromordinal(ev_day[0]).replace(day=1)
        last = date.fromordinal(ev_day[-1])
        month, p = first, 0
        while month <= last:
            m = month.toordinal()
            while p < len(events) and ev_day[p] < m:
                vec[ev_loc[p]] = ev_code[p]
                p += 1
            snap_days.append(m)
            snap_vectors.append(array("b", vec))
            snap_pos.append(p)
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return snap_days, snap_vectors, snap_pos, ev_day, ev_loc, ev_code


def data_version() -> str:
    """A fingerprint of everything the figures read; it changes whenever any of it changes.

    Publications are append-mostly; the plan services set `plan_approved_on` in place, so the
    count and id-sum of approved publications and the latest approval day are part of it.
    Organisation writers bump `updated_at` (auto_now); a bulk `update()` must set it too.
    """
    pubs = Publication.objects.aggregate(
        n=Count("id"),
        top=Max("id"),
        approved=Count("plan_approved_on"),
        approved_ids=Sum("id", filter=Q(plan_approved_on__isnull=False)),
        last_approval=Max("plan_approved_on"),
        ce=Count("cyber_essentials_plus_expires_on"),
        last_ce=Max("cyber_essentials_plus_expires_on"),
    )
    covers = Publication.covers.through.objects.aggregate(n=Count("id"), top=Max("id"))
    orgs = Organisation.objects.aggregate(n=Count("id"), top=Max("id"), changed=Max("updated_at"))
    areas = list(
        LocalAuthority.objects.order_by("ons_code").values_list(
            "ons_code", "name", "region_id", "icb_id", "lso_id"
        )
    )
    moved = sorted(DeadlineOverride.objects.values_list("edition", "deadline"))
    parts = [pubs, covers, orgs, areas, moved, size_bands()]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


_lock = threading.Lock()
_cached: Dataset | None = None


def dataset() -> Dataset:
    """The current data set, rebuilt only when the data version has changed."""
    global _cached
    version = data_version()
    current = _cached
    if current is not None and current.version == version:
        return current
    with _lock:
        if _cached is not None and _cached.version == version:
            return _cached
        _cached = _load_file(version)
        if _cached is None:
            _cached = build(version)
            _save_file(_cached)
        return _cached


def _cache_dir() -> Path | None:
    """Where built data sets are shared between processes (None: not shared).

    `DSPT_MONITORING_CACHE_DIR`, by default the data directory's `cache/`; set it to an empty
    string to keep the data set in process memory only. The folder must be writable only by
    the platform: its files are Python pickles.
    """
    configured = getattr(settings, "DSPT_MONITORING_CACHE_DIR", None)
    if configured == "":
        return None
    return Path(configured) if configured else Path(settings.DATA_DIR) / "cache"


def _load_file(version: str) -> Dataset | None:
    folder = _cache_dir()
    if folder is None:
        return None
    path = folder / f"monitoring-{version}.pickle"
    try:
        with path.open("rb") as f:
            ds = pickle.load(f)  # noqa: S301 - written by this module into the platform's own folder
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
        return None
    return ds if isinstance(ds, Dataset) and ds.version == version else None


def _save_file(ds: Dataset) -> None:
    """Write the data set for other processes (atomically), and remove older versions."""
    folder = _cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".monitoring-{ds.version}.{os.getpid()}.tmp"
        # Keep the month snapshots (compact arrays, slow to rebuild); drop per-request memos.
        memo = ds.memo
        ds.memo = {k: v for k, v in memo.items() if k == "snapshots"}
        try:
            with tmp.open("wb") as f:
                pickle.dump(ds, f, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            ds.memo = memo
        tmp.replace(folder / f"monitoring-{ds.version}.pickle")
        for old in folder.glob("monitoring-*.pickle"):
            if old.name != f"monitoring-{ds.version}.pickle":
                old.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("Could not share the monitoring data set in %s: %s", folder, exc)


def forget() -> None:
    """Drop the cached data set and derived tables (tests; an operator never needs this)."""
    global _cached
    _cached = None
    for clear in _derived_caches:
        clear()


# Caches of figures derived from a data set register their `clear` here.
_derived_caches: list = []


def _overrides() -> dict:
    return dict(DeadlineOverride.objects.values_list("edition", "deadline"))


def build(version: str) -> Dataset:
    """Read the population and build every location's status timeline."""
    population = load_population()
    ids = [loc.id for loc in population.locations]
    orgs = Organisation.objects.filter(id__in=ids) if len(ids) < 900 else None
    if orgs is None:
        orgs = Organisation.objects.care_locations()
    orgs = list(orgs.only("id", "parent_id", "registered_on"))
    lines = timelines(all_histories(orgs))
    overrides = _overrides()
    deadline_cache: dict[str, int] = {}

    def deadline_ord(edition: str) -> int:
        if edition not in deadline_cache:
            deadline_cache[edition] = deadlines.deadline_for(edition, overrides).toordinal()
        return deadline_cache[edition]

    days, results, intervals = [], [], []
    for loc in population.locations:
        tl = lines[loc.id]
        d = [day.toordinal() for day in tl.days]
        days.append(d)
        results.append(list(tl.results))
        start = loc.cqc_registered_on.toordinal() if loc.cqc_registered_on else 0
        intervals.append(_intervals(d, tl.results, start, deadline_ord))
    index = {loc.id: i for i, loc in enumerate(population.locations)}
    codes = [[bucket_of(r) for r in rs] for rs in results]
    starts = [
        loc.cqc_registered_on.toordinal() if loc.cqc_registered_on else 0
        for loc in population.locations
    ]
    ds = Dataset(version, population, days, results, intervals, index, codes, starts)
    ds.memo["snapshots"] = _snapshots(ds)
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

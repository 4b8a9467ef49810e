"""Update a built data set for the organisations that changed, instead of rebuilding it.

A publication, plan approval or cover change touches the publishing organisation's own
timeline and, for a head office, its sites'; an organisation edit also touches its provider's
size and scope (population.patch_population). Only those locations' timelines are rebuilt, from
the same status rule as a full build (`histories_for` → `timelines`), and every other location's
timeline is kept. The result equals a full rebuild location by location
(tests/test_incremental.py applies random changes and compares).
"""

from __future__ import annotations

import logging

from dspt.changes.detect import changed_since
from dspt.monitoring import snapshots
from dspt.monitoring.engine import Dataset, deadline_ordinals, location_arrays
from dspt.monitoring.population import patch_population
from dspt.monitoring.version import reading_for
from dspt.organisations.models import Organisation
from dspt.statuses.selectors import histories_for, timelines

logger = logging.getLogger(__name__)

# Above this many locations to rebuild, a full build is about as quick and simpler.
LIMIT = 3000
# Memo entries that depend only on the population (kept when no organisation changed).
_POPULATION_MEMOS = {"groups", "members", "pairs"}


def update(ds: Dataset, version: str) -> Dataset | None:
    """`ds` brought up to date as `version`, or None when a full build is needed."""
    if ds.mark is None or ds.mark.ledger is None:
        return None
    mark, context = reading_for(version)
    if context != ds.context:
        return None  # the area mapping, area names or size bands changed
    found = changed_since(ds.mark, mark)
    if not found.traced:
        logger.info("Monitoring: %s; rebuilding all.", ", ".join(sorted(found.untraceable)))
        return None
    old = ds.population
    edited = set(found.edited)
    if edited:
        # Sites of an edited (or removed) head office: their head office's code, name or
        # existence changed even though their own rows did not.
        edited |= {loc.id for loc in old.locations if loc.provider_id in edited}
    heads = found.published | edited
    pop = patch_population(old, edited) if edited else old
    touched = (found.published | found.covered | edited) & {loc.id for loc in pop.locations}
    touched |= {loc.id for loc in pop.locations if loc.provider_id in heads}
    for loc in pop.locations if pop is not old else ():
        j = ds.index.get(loc.id)
        if j is None or ds.starts[j] != _start(loc):
            touched.add(loc.id)  # new to the population, or its CQC registration moved
    if len(touched) > LIMIT:
        logger.info("Monitoring: %s locations changed; rebuilding all.", len(touched))
        return None
    orgs = Organisation.objects.filter(id__in=touched).only("id", "parent_id", "registered_on")
    lines = timelines(histories_for(orgs))
    deadline_ord = deadline_ordinals()
    rebuilt: dict[int, list] = {}  # new index -> the location's old events
    old_intervals: dict[int, list] = {}
    if pop is old:
        # Same locations in the same order: copy the lists, replace the touched entries.
        # (.copy(): a data set loaded from a shared file holds lazily read lists, store.Ragged.)
        days, results, intervals = ds.days.copy(), ds.results.copy(), ds.intervals.copy()
        codes, starts = ds.codes.copy(), list(ds.starts)
        for loc_id, tl in lines.items():
            i = ds.index[loc_id]
            rebuilt[i] = snapshots.events_of(days[i], codes[i], starts[i])
            old_intervals[i] = intervals[i]
            days[i], results[i], intervals[i], codes[i], starts[i] = location_arrays(
                pop.locations[i], tl, deadline_ord
            )
    else:
        days, results, intervals, codes, starts = [], [], [], [], []
        for i, loc in enumerate(pop.locations):
            j = ds.index.get(loc.id)
            if loc.id in lines:
                row = location_arrays(loc, lines[loc.id], deadline_ord)
                rebuilt[i] = (
                    [] if j is None else snapshots.events_of(ds.days[j], ds.codes[j], ds.starts[j])
                )
            else:
                row = ds.days[j], ds.results[j], ds.intervals[j], ds.codes[j], ds.starts[j]
            for column, value in zip((days, results, intervals, codes, starts), row, strict=True):
                column.append(value)
    index = ds.index if pop is old else {loc.id: i for i, loc in enumerate(pop.locations)}
    new = Dataset(
        version, pop, days, results, intervals, index, codes, starts, found.mark, context=context
    )
    same_order = pop is old or [loc.id for loc in pop.locations] == [
        loc.id for loc in old.locations
    ]
    if ds.snaps is not None and same_order:
        changed = {
            i: (old_events, snapshots.events_of(days[i], codes[i], starts[i]))
            for i, old_events in rebuilt.items()
        }
        new.snaps = snapshots.patch(ds.snaps, changed, days, codes, starts)
    if not edited:
        new.memo.update(
            (k, v) for k, v in ds.memo.items() if isinstance(k, tuple) and k[0] in _POPULATION_MEMOS
        )
        _patch_series(ds, new, old_intervals)
    return new


_SCOPE_ATTR = {"lso": "lso_code", "local_authority": "la_code", "icb": "icb_code"}
_SCOPE_ATTR["region"] = "region_code"


def _patch_series(ds: Dataset, new: Dataset, old_intervals: dict[int, list]) -> None:
    """Carry each area's counts by change day over to the new data set, patched for the
    locations rebuilt (same population, so same areas), instead of recounting the area."""
    from dspt.monitoring.series import patch_cumulative

    for key, value in ds.memo.items():
        if not (isinstance(key, tuple) and key[0] == "cumulative"):
            continue
        _, kind, code = key
        attr = _SCOPE_ATTR.get(kind)
        changed = [
            (before, new.intervals[i])
            for i, before in old_intervals.items()
            if attr is None or getattr(new.population.locations[i], attr) == code
        ]
        new.memo[key] = patch_cumulative(value, changed)


def _start(loc) -> int:
    return loc.cqc_registered_on.toordinal() if loc.cqc_registered_on else 0

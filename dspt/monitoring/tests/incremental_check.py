"""Compare an incrementally updated data set with a full build, location by location."""

from __future__ import annotations

from datetime import date, timedelta

from dspt.monitoring import engine
from dspt.monitoring.figures import NATIONAL, Scope, compliance_table
from dspt.monitoring.population import DIMENSIONS
from dspt.monitoring.series import monthly_series

# Dates the figures are compared on: spread over the history, plus deadline days and the days
# either side of them (where expiries land).
CHECK_DAYS = (
    [date(2021, 4, 1) + timedelta(days=37 * k) for k in range(52)]
    + [date(y, 6, d) for y in (2023, 2024, 2025, 2026) for d in (29, 30)]
    + [date(y, 7, 1) for y in (2023, 2024, 2025, 2026)]
)


def per_location(ds) -> dict[int, tuple]:
    return {
        loc.id: (
            loc,
            ds.days[i],
            ds.results[i],
            ds.intervals[i],
            ds.codes[i],
            ds.starts[i],
        )
        for i, loc in enumerate(ds.population.locations)
    }


def assert_same_as_full_build(inc) -> None:
    """`inc` (an updated data set) equals a full build of the database as it is now."""
    full = engine.build("full-" + inc.version)
    a, b = per_location(inc), per_location(full)
    assert a.keys() == b.keys()
    for loc_id in a:
        assert a[loc_id] == b[loc_id], loc_id
    assert inc.population.providers == full.population.providers
    assert inc.population.names == full.population.names
    assert inc.index == {loc.id: i for i, loc in enumerate(inc.population.locations)}
    # The month snapshots (patched, not rebuilt) give every location's bucket on any day.
    order = [full.index[loc.id] for loc in inc.population.locations]
    for day in CHECK_DAYS:
        got = inc.bucket_vector(day)
        want = full.bucket_vector(day)
        assert list(got) == [want[j] for j in order], day
    # And so every figure: a few dimensions' tables and the series.
    for day in (date(2023, 7, 1), date(2024, 7, 15), date(2025, 7, 1)):
        for by in DIMENSIONS:
            assert compliance_table(by, day, ds=inc) == compliance_table(by, day, ds=full)
    for scope in (NATIONAL, Scope("lso", "LSO1"), Scope("local_authority", "E09000007")):
        assert monthly_series(date(2025, 12, 31), 48, scope, ds=inc) == monthly_series(
            date(2025, 12, 31), 48, scope, ds=full
        )

"""Monitoring API (mounted at /api/v1/monitoring): the same rows as `dspt compliance`.

Figures follow the caller's remit (dspt.monitoring.access): a signed-in session, or a personal
API token of a commissioner, LSO or programme person (docs/adr/0004). Organisation tokens act for
one organisation only, so they are refused here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

from ninja import Query, Router
from ninja.errors import HttpError

from dspt.core.api_types import Day
from dspt.monitoring.api_areas import router as areas
from dspt.monitoring.api_remit import caller_scope, figures_day, national_caller
from dspt.monitoring.api_watchlist import router as watchlist
from dspt.monitoring.breakdowns import MEASURES, Filters, at_dates, table
from dspt.monitoring.figures import total
from dspt.monitoring.population import DIMENSIONS
from dspt.monitoring.series import monthly_series
from dspt.monitoring.sql import Scope
from dspt.monitoring.targets import targets_by_year, targets_vs_actuals

router = Router(tags=["monitoring"])

# What the query parameters may hold, so that the OpenAPI description lists them.
Dimension = Literal[DIMENSIONS]
AreaKind = Literal["national", "region", "local_authority", "icb", "lso"]
Measure = Literal[MEASURES]
MAX_DATES = 24


@router.get("/compliance", summary="Compliance table by one dimension, or two")
def compliance(
    request,
    by: Dimension,
    then: Dimension | None = None,
    as_of: Day | None = None,
    compare_to: Day | None = None,
    area_kind: AreaKind | None = None,
    area_code: str | None = None,
    where: list[str] = Query(None),  # noqa: B008 - how django-ninja declares a list query parameter
) -> list[dict]:
    """One row per group (the row in docs/interfaces.md), as of a date (default today), for your area.

    `by` and `then` are each one of region, local_authority, icb, lso, provider_size,
    service_type, client_group, rating, scope, care_home; with `then`, one row per (group,
    subgroup) with `group_share_pct` and `subgroup_share_pct`. `where` (repeatable) limits to
    one group, `dimension:group`, of provider_size, care_home, service_type, scope, rating or
    client_group. `compare_to` adds the same figures on a second date and the change in
    percentage points. National users may pass `area_kind` (lso, region, icb, local_authority)
    and `area_code`.
    """
    return compliance_rows(
        lambda: caller_scope(request, area_kind, area_code), by, then, as_of, compare_to, where
    )


def compliance_rows(
    scope_of: Callable[[], Scope],
    by: str,
    then: str | None,
    as_of: date | None,
    compare_to: date | None,
    where: list[str] | None,
) -> list[dict]:
    """The compliance rows both the monitoring API and the public figures answer with: the
    dimensions checked first (422), then the area (`scope_of` may refuse it), the days and the
    filters (422)."""
    for dim in (by, then):
        if dim is not None and dim not in DIMENSIONS:
            raise HttpError(
                422, f"Unknown dimension '{dim}'. Choose one of: {', '.join(DIMENSIONS)}."
            )
    scope = scope_of()
    day = figures_day(as_of)
    if compare_to is not None:
        figures_day(compare_to)
    try:
        return table(by, then, day, scope, Filters.parse(where), compare_to)
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/at-dates", summary="One measure by group at several dates")
def figures_at_dates(
    request,
    by: Dimension,
    dates: list[Day] = Query(..., min_length=1, max_length=MAX_DATES),  # noqa: B008
    measure: Measure = "compliance_pct",
    area_kind: AreaKind | None = None,
    area_code: str | None = None,
    where: list[str] = Query(None),  # noqa: B008
) -> list[dict]:
    """One row per group of `by` with `measure` (compliance_pct, locations, compliant or a
    status count) on each date given (`dates`, repeatable; at most 24)."""
    scope = caller_scope(request, area_kind, area_code)
    for day in dates:
        figures_day(day)
    try:
        return at_dates(by, sorted(dates), measure, scope, Filters.parse(where))
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/total", summary="The whole area's row")
def area_total(
    request,
    as_of: Day | None = None,
    area_kind: AreaKind | None = None,
    area_code: str | None = None,
) -> dict:
    return total(figures_day(as_of), caller_scope(request, area_kind, area_code))


@router.get("/series", summary="Monthly series")
def series(
    request,
    as_of: Day | None = None,
    months: int = Query(48, ge=1, le=120),  # noqa: B008 - a bounded query parameter
    area_kind: AreaKind | None = None,
    area_code: str | None = None,
) -> list[dict]:
    """Status at each month end (`months` from 1 to 120), split by current edition, previous
    edition and expired."""
    return monthly_series(figures_day(as_of), months, caller_scope(request, area_kind, area_code))


@router.get("/targets", summary="Targets against actuals")
def targets(request, as_of: Day | None = None) -> list[dict]:
    national_caller(request)
    return targets_vs_actuals(figures_day(as_of))


@router.get("/targets/years", summary="Each toolkit year against its own targets")
def targets_years(request, as_of: date | None = None) -> list[dict]:
    """Every toolkit year with targets, read on the day after its deadline (or on `as_of` while
    it is under way: `in_progress`), against that year's targets."""
    national_caller(request)
    return targets_by_year(figures_day(as_of))


router.add_router("/watchlist", watchlist)
router.add_router("", areas)

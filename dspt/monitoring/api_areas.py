"""Monitoring API for maps, location lists and a region by local authority (mounted under
/api/v1/monitoring beside the compliance tables; the caller's remit applies as there)."""

from __future__ import annotations

from typing import Literal

from ninja import Query, Router
from ninja.errors import HttpError

from dspt.core.api_types import Day
from dspt.monitoring.api_remit import caller_remit, caller_scope, figures_day
from dspt.monitoring.area_measures import MapMeasure, by_area
from dspt.monitoring.figures import region_of
from dspt.monitoring.lists import SORTS, STATUS_CHOICES, ListFilters, area_locations
from dspt.monitoring.population import area_names
from dspt.monitoring.regional import region_table

router = Router(tags=["monitoring"])

Level = Literal["local_authority", "region", "icb", "lso"]
AreaKind = Literal["lso", "local_authority", "icb", "region"]
MAX_PAGE_SIZE = 100  # as for every paged operation (docs/interfaces.md)


@router.get("/areas", summary="One measure by area (the figures behind a map)")
def areas(
    request,
    measure: Literal["compliance", "change", "expired", "small_share", "medium_regional"],
    level: Level,
    as_of: Day | None = None,
    compare_to: Day | None = None,
    area_kind: AreaKind | None = None,
    area_code: str | None = None,
) -> list[dict]:
    """One row per area of `level` within your remit: `code`, `group`, `locations`,
    `compliance_pct` and `value`; a `change` also has `compare_to` (default a year before),
    `compare_locations` and `compare_compliance_pct`."""
    day = figures_day(as_of, "as_of")
    scope = caller_scope(request, area_kind, area_code)
    compare_to = figures_day(compare_to, "compare_to") if compare_to else None
    return by_area(MapMeasure(measure), level, day, scope, compare_to)


@router.get("/locations", summary="Every location in your area with its status, a page at a time")
def locations(
    request,
    as_of: Day | None = None,
    status: str | None = None,
    provider_size: str | None = None,
    care_home: str | None = None,
    sort: Literal[
        "name", "local_authority", "provider", "provider_size", "status", "valid_until"
    ] = "name",
    order: Literal["asc", "desc"] = "asc",
    page: int = Query(1, ge=1),  # noqa: B008 - how django-ninja declares a bounded query parameter
    page_size: int = Query(100, ge=1, le=MAX_PAGE_SIZE),  # noqa: B008
    area_kind: AreaKind | None = None,
    area_code: str | None = None,
) -> dict:
    """`{"count": N, "page": P, "page_size": S, "results": [...]}`: locations of every status
    (not registered and never published included). `status` is compliant, not_compliant or one
    status value; `page_size` 1 to 100."""
    if status and status not in STATUS_CHOICES:
        raise HttpError(422, f"status: choose one of {', '.join(STATUS_CHOICES)}.")
    day = figures_day(as_of, "as_of")
    filters = ListFilters(status or "", provider_size or "", care_home or "")
    rows, count = area_locations(
        day,
        caller_scope(request, area_kind, area_code),
        filters,
        sort=sort if sort in SORTS else "name",
        descending=order == "desc",
        page=page,
        per_page=page_size,
    )
    return {"count": count, "page": page, "page_size": page_size, "results": rows}


@router.get("/region-table", summary="A region's local authorities by level, care home and edition")
def region(request, region: str | None = None, as_of: Day | None = None) -> list[dict]:
    """Every local authority of the region (default: your area's) then the region's total."""
    caller_remit(request)  # any remit: these are counts of public statuses
    names = area_names()["region"]
    if region is None:
        region = region_of(caller_scope(request, None, None))
        if region is None:
            raise HttpError(422, "region: choose a region code.")
    if region not in names:
        raise HttpError(422, f"region: no region has the code {region}.")
    return region_table(region, figures_day(as_of, "as_of"))

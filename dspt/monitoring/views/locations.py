"""Every location in the person's area with its status on a date: filtered, sorted and paged
in the database, exported whole."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from dspt.monitoring.config import size_bands
from dspt.monitoring.lists import SORTS, STATUS_CHOICES, ListFilters, area_locations
from dspt.monitoring.population import CARE_HOME, NON_CARE_HOME
from dspt.monitoring.views.common import (
    LOCATION_COLUMNS as COLUMNS,
)
from dspt.monitoring.views.common import (
    area_page,
    as_of_from,
    download,
    page,
    query_with,
    wants_download,
)

PER_PAGE = 50
# An export holds every matching location; England has about 27,000 (a few MB).
EXPORT_LIMIT = 1_000_000


def _int(raw: str | None, default: int) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 else default


@login_required
def locations(request):
    view = area_page(request)
    scope = view.scope
    as_of, error = as_of_from(request)
    g = request.GET
    filters = ListFilters(
        status=g.get("status") if g.get("status") in STATUS_CHOICES else "",
        provider_size=g.get("provider_size") or "",
        care_home=g.get("care_home") if g.get("care_home") in (CARE_HOME, NON_CARE_HOME) else "",
    )
    sort = g.get("sort") if g.get("sort") in SORTS else "name"
    descending = g.get("order") == "desc"
    fmt = wants_download(request)
    if fmt:
        rows, _ = area_locations(
            as_of, scope, filters, sort=sort, descending=descending, per_page=EXPORT_LIMIT
        )
        return download(rows, COLUMNS, f"locations-{as_of.isoformat()}", fmt)
    number = _int(g.get("page"), 1)
    rows, matched = area_locations(
        as_of, scope, filters, sort=sort, descending=descending, page=number, per_page=PER_PAGE
    )
    pages = max(1, -(-matched // PER_PAGE))
    headings = []
    for key, label, _ in COLUMNS:
        sort_key = "status" if key == "status_label" else key
        if sort_key not in SORTS:
            headings.append((label, None, None))
            continue
        current = sort == sort_key
        flip = "asc" if current and descending else "desc" if current else "asc"
        state = ("descending" if descending else "ascending") if current else "none"
        headings.append((label, query_with(request, sort=sort_key, order=flip, page=1), state))
    return page(
        request,
        "monitoring/locations.jinja",
        {
            **view.context(request, "Locations"),
            "page_title": f"Locations in {scope.label}",
            "as_of": as_of,
            "error": error,
            "status_options": [("", "Any status")]
            + [(k, label) for k, (label, _) in STATUS_CHOICES.items()],
            "size_options": [("", "Any size")] + [(b.group, b.group) for b in size_bands()],
            "care_options": [
                ("", "Care homes and others"),
                (CARE_HOME, "Care homes only"),
                (NON_CARE_HOME, "Not care homes"),
            ],
            "filters": filters,
            "rows": rows,
            "matched": matched,
            "number": number,
            "pages": pages,
            "headings": headings,
            "previous": query_with(request, page=number - 1) if number > 1 else None,
            "next": query_with(request, page=number + 1) if number < pages else None,
        },
    )

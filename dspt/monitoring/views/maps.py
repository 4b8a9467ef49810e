"""Choropleth maps of compliance by local authority and by region, with the table beside."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404

from dspt.monitoring import svg
from dspt.monitoring.access import require_remit
from dspt.monitoring.figures import compliance_table
from dspt.monitoring.maps import CODE_KEY, BoundaryError, boundaries
from dspt.monitoring.population import area_names
from dspt.monitoring.tables import paged_table
from dspt.monitoring.views.common import (
    ROW_COLUMNS,
    as_of_from,
    download,
    page,
    wants_download,
)
from dspt.monitoring.views.dashboard import scope_of
from dspt.monitoring.views.nav import subnav

LEVELS = {"local_authority": "local authority", "region": "region"}


@login_required
def area_map(request, level: str):
    if level not in LEVELS:
        raise Http404
    remit = require_remit(request.user)
    names = area_names()
    scope = scope_of(request, remit, names)
    as_of, error = as_of_from(request)
    rows = compliance_table(level, as_of, scope)
    fmt = wants_download(request)
    if fmt:
        return download(rows, ROW_COLUMNS, f"compliance-map-{level}-{as_of.isoformat()}", fmt)
    # Table rows are by name; the map needs ONS codes.
    code_of = {name: code for code, name in names[level].items()}
    mapped = [(code_of[r["group"]], r) for r in rows if r["group"] in code_of]
    map_svg, problem = None, None
    try:
        map_svg = svg.choropleth(
            boundaries(level),
            CODE_KEY,
            {code: r["compliance_pct"] for code, r in mapped},
            {code: r["group"] for code, r in mapped},
        )
    except BoundaryError as exc:
        problem = str(exc)
    return page(
        request,
        "monitoring/map.jinja",
        {
            "page_title": f"Map of compliance by {LEVELS[level]}",
            "subnav": subnav(remit),
            "current": "Maps",
            "has_charts": False,
            "level": level,
            "level_label": LEVELS[level],
            "as_of": as_of,
            "error": error,
            "scope": scope,
            "rows": rows,
            "columns": ROW_COLUMNS,
            "table": paged_table(request, "areas", rows, ROW_COLUMNS),
            "map_svg": map_svg,
            "problem": problem
            if remit.national
            else ("The map is not available." if problem else None),
        },
    )

"""Dashboards: compliance by every dimension as of a date, for the person's area."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from dspt.monitoring import charts
from dspt.monitoring.access import require_remit
from dspt.monitoring.figures import beside, compliance_table, total
from dspt.monitoring.population import DIMENSION_LABELS, DIMENSIONS
from dspt.monitoring.tables import paged_table
from dspt.monitoring.views.common import (
    ROW_COLUMNS,
    area_page,
    as_of_from,
    chart_data,
    charts_csp,
    download,
    page,
    wants_download,
)


@login_required
def home(request):
    """Send each person to where their monitoring work starts."""
    remit = require_remit(request.user)
    if remit.commissioner_id:
        return redirect("monitoring:watchlist")
    if remit.lso_code:
        return redirect("support:home")
    return redirect("monitoring:dashboard")


@login_required
@charts_csp
def dashboard(request):
    view = area_page(request)
    remit, scope = view.remit, view.scope
    as_of, error = as_of_from(request)
    by = request.GET.get("by") or ("region" if scope.kind == "national" else "provider_size")
    if by not in DIMENSIONS:
        by = "region"
    rows = compliance_table(by, as_of, scope)
    fmt = wants_download(request)
    if fmt:
        return download(rows, ROW_COLUMNS, f"compliance-by-{by}-{as_of.isoformat()}", fmt)
    whole = total(as_of, scope)
    title = f"Compliance by {DIMENSION_LABELS[by].lower()}"
    return page(
        request,
        "monitoring/dashboard.jinja",
        {
            **view.context(request, "Dashboard" if remit.national else "Area dashboard"),
            "page_title": f"Compliance in {scope.label}",
            "has_charts": True,
            "as_of": as_of,
            "error": error,
            "by": by,
            "dimensions": [(d, DIMENSION_LABELS[d]) for d in DIMENSIONS],
            "rows": rows,
            "whole": whole,
            "beside": beside(as_of, scope, view.names) if scope.kind != "national" else None,
            "beside_columns": [("group", "Area", "text"), *ROW_COLUMNS[1:]],
            "columns": ROW_COLUMNS,
            "table": paged_table(request, "groups", rows, ROW_COLUMNS),
            "title": title,
            "figure": chart_data(charts.status_mix_bars(rows, title)),
            "note": NOTES.get(by, ""),
        },
    )


NOTES = {
    "service_type": "Only locations registered for exactly one service type are counted, so no "
    "location is counted twice; locations with several service types are left out.",
    "client_group": "A location counts once in every client group it serves, so the groups add "
    "up to more than the number of locations.",
    "provider_size": "Size is the larger of the provider's band by number of locations and its "
    "band by total care-home beds.",
    "scope": "Local: all the provider's locations in one local authority. Regional: several "
    "local authorities in one region. National: more than one region.",
}

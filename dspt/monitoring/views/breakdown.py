"""The breakdown page: any dimension by any other, filtered, on one date or compared with another."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from dspt.monitoring import charts
from dspt.monitoring.breakdowns import (
    FILTER_DIMENSIONS,
    Filters,
    area_scope,
    filter_options,
    table,
)
from dspt.monitoring.figures import fell_in
from dspt.monitoring.population import DIMENSION_LABELS, DIMENSIONS, area_names
from dspt.monitoring.sql import NATIONAL
from dspt.monitoring.tables import paged_table
from dspt.monitoring.views.common import (
    ROW_COLUMNS,
    area_options,
    area_page,
    as_of_from,
    chart_data,
    charts_csp,
    compare_to_from,
    download,
    page,
    wants_download,
)

TWO_WAY_COLUMNS = [
    ("group", "Group", "text"),
    ("subgroup", "Subgroup", "text"),
    *ROW_COLUMNS[1:],
    ("group_share_pct", "Share of the group's locations (%)", "pct"),
    ("subgroup_share_pct", "Share of the subgroup's locations (%)", "pct"),
]
COMPARED_COLUMNS = [
    ("compare_locations", "Locations then", "int"),
    ("compare_compliance_pct", "Compliant then (%)", "pct"),
    ("change_pts", "Change (points)", "pts"),
]
# A two-way or compared table has up to 17 columns, too many for a 1280 px screen: these are
# left for the person to add ("Choose columns"); downloads always have them all.
DETAIL_COLUMNS = (
    "approaching",
    "met",
    "exceeded",
    "group_share_pct",
    "subgroup_share_pct",
    "compare_locations",
)


@login_required
@charts_csp
def breakdown_page(request):
    """For signed-in commissioners, LSOs and the programme, inside their remit."""
    view = area_page(request)
    return _breakdowns(request, view.scope, view.context(request, "Breakdowns"))


@charts_csp
def public_breakdowns(request):
    """For anyone, without signing in: every aggregate of public statuses is public."""
    names = area_names()
    raw = request.GET.get("area") or ""
    kind, _, code = raw.partition(":")
    try:
        scope, area_error = area_scope(kind, code, names), None
    except ValueError as exc:
        scope, area_error = NATIONAL, str(exc)
    extra = {"public": True, "areas": area_options(names), "area_error": area_error}
    return _breakdowns(request, scope, extra)


def _breakdowns(request, scope, extra: dict):
    as_of, error = as_of_from(request)
    other, compare_error = compare_to_from(request)
    by = request.GET.get("by") if request.GET.get("by") in DIMENSIONS else "provider_size"
    then = request.GET.get("then") if request.GET.get("then") in DIMENSIONS else None
    then = None if then == by else then
    chosen = {d: request.GET.get(d, "") for d in FILTER_DIMENSIONS}
    filters = Filters.parse([f"{d}:{v}" for d, v in chosen.items() if v])
    rows = table(by, then, as_of, scope, filters, other)
    columns = list(TWO_WAY_COLUMNS if then else ROW_COLUMNS)
    if other is not None:
        columns += COMPARED_COLUMNS
    fmt = wants_download(request)
    if fmt:
        name = f"breakdown-{by}{'-' + then if then else ''}-{as_of.isoformat()}"
        return download(rows, columns, name, fmt)
    title = f"Compliance by {DIMENSION_LABELS[by].lower()}"
    if then:
        title += f" and {DIMENSION_LABELS[then].lower()}"
    figure = (
        charts.breakdown_chart(rows, title)
        if then
        else charts.status_mix_bars([r for r in rows if r.get("locations")], title)
    )
    wide = len(columns) > len(ROW_COLUMNS)
    shown = [k for k, _, _ in columns if not (wide and k in DETAIL_COLUMNS)]
    fallen = fell_in(rows) if other is not None else []
    options = filter_options()
    dims = [(d, DIMENSION_LABELS[d]) for d in DIMENSIONS]
    return page(
        request,
        "monitoring/breakdown.jinja",
        {
            "page_title": f"Compliance figures for {scope.label}",
            "has_charts": True,
            "as_of": as_of,
            "error": error,
            "compare_to": other,
            "compare_error": compare_error,
            "scope": scope,
            "by": by,
            "then": then or "",
            "dimensions": dims,
            "then_options": [("", "Nothing (one-way table)"), *dims],
            "filters": [
                (d, DIMENSION_LABELS[d], [("", "Any"), *[(v, v) for v in options[d]]], chosen[d])
                for d in FILTER_DIMENSIONS
            ],
            "area": request.GET.get("area") or "national",
            "rows": rows,
            "fell": fallen,
            "columns": columns,
            "table": paged_table(request, "rows", rows, columns, default_columns=shown),
            "fell_table": paged_table(request, "fell", fallen, columns, default_columns=shown),
            "title": title,
            "figure": chart_data(figure),
            **extra,
        },
    )

"""Maps of any measure by local authority, region, ICB or LSO area, with the table beside and
the map itself as SVG and PNG downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404

from dspt.monitoring import charts, choropleth
from dspt.monitoring.area_measures import (
    MAP_LEVELS,
    SUFFIX,
    MapMeasure,
    by_area,
    drawing,
    scale_for,
)
from dspt.monitoring.figures import year_before
from dspt.monitoring.maps import CODE_KEY, BoundaryError, boundaries
from dspt.monitoring.tables import paged_table
from dspt.monitoring.views.common import (
    area_page,
    as_of_from,
    attachment,
    chart_data,
    charts_csp,
    compare_to_from,
    download,
    page,
    wants_download,
)


def _columns(measure: MapMeasure, level: str) -> list[tuple[str, str, str]]:
    area = MAP_LEVELS[level].capitalize()
    kind = "int" if measure == MapMeasure.MEDIUM_REGIONAL else "pct"
    if measure == MapMeasure.CHANGE:
        return [
            ("group", area, "text"),
            ("code", "Code", "text"),
            ("compare_locations", "Locations then", "int"),
            ("compare_compliance_pct", "Compliant then (%)", "pct"),
            ("locations", "Locations", "int"),
            ("compliance_pct", "Compliant (%)", "pct"),
            ("value", "Change (percentage points)", "pts"),
        ]
    columns = [
        ("group", area, "text"),
        ("code", "Code", "text"),
        ("locations", "Locations", "int"),
        # The compliance map's value is the one-way tables' "Compliant (%)".
        ("value", "Compliant (%)" if measure == MapMeasure.COMPLIANCE else measure.label, kind),
    ]
    if measure != MapMeasure.COMPLIANCE:
        columns.append(("compliance_pct", "Compliant (%)", "pct"))
    return columns


def _figures(
    measure: MapMeasure, level: str, rows: list[dict], area_of: dict | None
) -> choropleth.Figures:
    return choropleth.Figures(
        values={r["code"]: r["value"] for r in rows if r["code"]},
        names={r["code"]: r["group"] for r in rows if r["code"]},
        scale=scale_for(measure, rows),
        legend=f"{measure.label}, by {MAP_LEVELS[level]}",
        suffix=SUFFIX[measure],
        area_of=area_of,
    )


@login_required
@charts_csp
def area_map(request, level: str):
    if level not in MAP_LEVELS:
        raise Http404
    view = area_page(request)
    as_of, error = as_of_from(request)
    compare_to, compare_error = compare_to_from(request)
    raw = request.GET.get("measure") or MapMeasure.COMPLIANCE
    measure = MapMeasure(raw) if raw in MapMeasure.values else MapMeasure.COMPLIANCE
    if measure == MapMeasure.CHANGE:
        compare_to = compare_to or year_before(as_of)
    rows = by_area(measure, level, as_of, view.scope, compare_to)
    stem = f"map-{measure.value}-{level}-{as_of.isoformat()}"
    fmt = wants_download(request)
    if fmt:
        return download(rows, _columns(measure, level), stem, fmt)
    drawn, area_of = drawing(level)
    figures = _figures(measure, level, rows, area_of)
    map_svg, problem = None, None
    try:
        shapes = boundaries(drawn)
        picture = map_download(request, shapes, figures, stem)
        if picture is not None:
            return picture
        map_svg = choropleth.svg(shapes, CODE_KEY, figures)
    except BoundaryError as exc:
        problem = str(exc)
    scatter = None
    if measure == MapMeasure.SMALL:
        scatter = charts.scatter_chart(
            [r for r in rows if r["code"]],
            ("value", "Locations of micro and small providers (%)"),
            ("compliance_pct", "Compliant (%)"),
            f"Compliance against the share of micro and small providers, by {MAP_LEVELS[level]}",
            size_key="locations",
        )
    return page(
        request,
        "monitoring/map.jinja",
        {
            **view.context(request, "Maps"),
            "page_title": f"Map of {measure.label.lower()} by {MAP_LEVELS[level]}",
            "has_charts": scatter is not None,
            "scatter": chart_data(scatter) if scatter else None,
            "level": level,
            "levels": MAP_LEVELS,
            "measure": measure,
            "measures": MapMeasure.choices,
            "as_of": as_of,
            "error": error,
            "compare_to": compare_to,
            "compare_error": compare_error,
            "rows": rows,
            "columns": _columns(measure, level),
            "table": paged_table(request, "areas", rows, _columns(measure, level)),
            "map_svg": map_svg,
            "problem": problem
            if view.remit.national
            else ("The map is not available." if problem else None),
        },
    )


def map_download(request, shapes: dict, figures: choropleth.Figures, stem: str):
    """The map as an SVG or PNG file when ?download= asks for one, else None."""
    picture = request.GET.get("download")
    if picture == "svg":
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + str(
            choropleth.svg(shapes, CODE_KEY, figures)
        )
        return attachment(body.encode(), "image/svg+xml", f"{stem}.svg")
    if picture == "png":
        return attachment(choropleth.png(shapes, CODE_KEY, figures), "image/png", f"{stem}.png")
    return None

"""Series, year-on-year change, targets, targeting lists, new locations and a region by local
authority."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from dspt.monitoring import charts, lists
from dspt.monitoring.access import require_national, require_remit
from dspt.monitoring.figures import fell_in, region_of, year_on_year
from dspt.monitoring.population import DIMENSION_LABELS, DIMENSIONS, area_names
from dspt.monitoring.regional import cell_columns, region_table
from dspt.monitoring.series import monthly_series
from dspt.monitoring.tables import paged_table
from dspt.monitoring.targets import targets_by_year, targets_vs_actuals
from dspt.monitoring.views.common import (
    area_page,
    as_of_from,
    chart_data,
    charts_csp,
    download,
    page,
    scope_of,
    wants_download,
)
from dspt.monitoring.views.nav import subnav

SERIES_COLUMNS = [
    ("month", "Month", "text"),
    ("as_of", "As of", "text"),
    ("current_edition_code", "Current edition", "text"),
    ("locations", "Locations", "int"),
    ("compliant", "Compliant", "int"),
    ("compliance_pct", "Compliant (%)", "pct"),
    ("current_edition", "Current edition publication", "int"),
    ("previous_edition", "Previous edition publication", "int"),
    ("expired", "Expired", "int"),
    ("not_published", "Not published", "int"),
    ("not_registered", "Not registered", "int"),
    ("approaching", "Approaching", "int"),
    ("met", "Met", "int"),
    ("exceeded", "Exceeded", "int"),
    ("not_compliant", "Not met", "int"),
]
YOY_COLUMNS = [
    ("group", "Group", "text"),
    ("previous_locations", "Locations a year before", "int"),
    ("previous_compliance_pct", "Compliant a year before (%)", "pct"),
    ("locations", "Locations", "int"),
    ("compliance_pct", "Compliant (%)", "pct"),
    ("change_pts", "Change (percentage points)", "pts"),
]
TARGET_COLUMNS = [
    ("target", "Target", "text"),
    ("edition", "Edition", "text"),
    ("min_pct", "Target (%)", "pct"),
    ("max_pct", "Upper end of range (%)", "pct"),
    ("locations", "Locations", "int"),
    ("actual_pct", "Actual (%)", "pct"),
    ("gap_pts", "Above (+) or below (−) target, points", "pts"),
    ("met_text", "Met?", "text"),
]
# Each toolkit year's targets: the year and its day first, then a target's columns.
YEAR_TARGET_COLUMNS = [
    ("edition", "Toolkit year", "text"),
    ("judged_on", "Figures as of", "text"),
    TARGET_COLUMNS[0],
    *TARGET_COLUMNS[2:],
]
PROVIDER_COLUMNS = [
    ("provider", "Provider", "text"),
    ("locations", "Locations", "int"),
    ("not_compliant_locations", "Not compliant", "int"),
    ("compliance_pct", "Compliant (%)", "pct"),
    ("expired", "Expired", "int"),
    ("not_published", "Not published", "int"),
    ("not_registered", "Not registered", "int"),
    ("local_authorities", "Local authorities", "text"),
]
LAG_COLUMNS = [
    ("group", "Local authority", "text"),
    ("small_locations", "Micro/small locations", "int"),
    ("small_compliance_pct", "Micro/small compliant (%)", "pct"),
    ("other_locations", "Other locations", "int"),
    ("other_compliance_pct", "Others compliant (%)", "pct"),
    ("gap_pts", "Gap (points)", "num"),
]
NEW_COLUMNS = [
    ("group", "Year registered with CQC", "text"),
    ("locations", "Locations", "int"),
    ("judged_first_year", "Open a full year", "int"),
    ("registered_in_first_year", "Registered with the toolkit in their first year", "int"),
    ("first_year_pct", "Share registering in first year (%)", "pct"),
    ("published", "Have published", "int"),
    ("median_months_to_first_publication", "Median months to first publication", "num"),
    ("mean_months_to_first_publication", "Mean months to first publication", "num"),
]


@login_required
@charts_csp
def series(request):
    view = area_page(request)
    scope = view.scope
    as_of, error = as_of_from(request)
    rows = monthly_series(as_of, 48, scope)
    fmt = wants_download(request)
    if fmt:
        return download(rows, SERIES_COLUMNS, f"monthly-series-{as_of.isoformat()}", fmt)
    ctx = dict(
        view.context(request, "Monthly series"),
        page_title=f"Monthly series for {scope.label}",
        has_charts=True,
        as_of=as_of,
        error=error,
        rows=rows,
        columns=SERIES_COLUMNS,
        table=paged_table(request, "months", rows, SERIES_COLUMNS),
        figure=chart_data(charts.series_chart(rows)),
    )
    return page(request, "monitoring/series.jinja", ctx)


@login_required
@charts_csp
def change(request):
    view = area_page(request)
    as_of, error = as_of_from(request)
    by = request.GET.get("by") if request.GET.get("by") in DIMENSIONS else "region"
    rows = year_on_year(by, as_of, view.scope)
    fell = fell_in(rows)
    fmt = wants_download(request)
    if fmt:
        chosen = fell if request.GET.get("table") == "fell" else rows
        return download(chosen, YOY_COLUMNS, f"year-on-year-{by}-{as_of.isoformat()}", fmt)
    ctx = dict(
        view.context(request, "Year-on-year change"),
        page_title="Year-on-year change",
        as_of=as_of,
        error=error,
        by=by,
        dimensions=[(d, DIMENSION_LABELS[d]) for d in DIMENSIONS],
        by_label=DIMENSION_LABELS[by].lower(),
        rows=rows,
        fell=fell,
        columns=YOY_COLUMNS,
        table=paged_table(request, "groups", rows, YOY_COLUMNS),
        fell_table=paged_table(request, "fell", fell, YOY_COLUMNS),
        has_charts=True,
        figure=chart_data(charts.year_on_year_chart(rows, DIMENSION_LABELS[by].lower())),
    )
    return page(request, "monitoring/change.jinja", ctx)


@login_required
@charts_csp
def targets(request):
    remit = require_national(request.user)
    as_of, error = as_of_from(request)
    rows = targets_vs_actuals(as_of)
    years = targets_by_year(as_of)
    for r in (*rows, *years):
        r["met_text"] = ("Yes" if r["met"] else "No") + (" so far" if r.get("in_progress") else "")
    fmt = wants_download(request)
    if fmt:
        if request.GET.get("table") == "years":
            return download(years, YEAR_TARGET_COLUMNS, f"targets-by-year-{as_of}", fmt)
        return download(rows, TARGET_COLUMNS, f"targets-{as_of.isoformat()}", fmt)
    ctx = dict(
        subnav=subnav(remit),
        current="Targets",
        page_title="Targets against actuals",
        as_of=as_of,
        error=error,
        rows=rows,
        columns=TARGET_COLUMNS,
        table=paged_table(request, "targets", rows, TARGET_COLUMNS),
        has_charts=True,
        figure=chart_data(charts.targets_chart(rows)),
        years_table=paged_table(request, "years", years, YEAR_TARGET_COLUMNS),
        years_figure=chart_data(charts.targets_by_year_chart(years)),
    )
    return page(request, "monitoring/targets.jinja", ctx)


@login_required
@charts_csp
def targeting(request):
    remit = require_national(request.user)
    as_of, error = as_of_from(request)
    providers = lists.medium_regional_providers(as_of)
    lag = lists.areas_where_small_lag(as_of)
    fmt = wants_download(request)
    if fmt:
        if request.GET.get("table") == "small":
            return download(lag, LAG_COLUMNS, f"small-providers-lag-{as_of.isoformat()}", fmt)
        return download(providers, PROVIDER_COLUMNS, f"medium-regional-{as_of.isoformat()}", fmt)
    ctx = dict(
        subnav=subnav(remit),
        current="Targeting lists",
        page_title="Targeting lists",
        as_of=as_of,
        error=error,
        providers=providers,
        lag=lag,
        provider_columns=PROVIDER_COLUMNS,
        lag_columns=LAG_COLUMNS,
        providers_table=paged_table(request, "providers", providers, PROVIDER_COLUMNS),
        lag_table=paged_table(request, "lag", lag, LAG_COLUMNS),
        has_charts=True,
        providers_figure=chart_data(charts.providers_chart(providers)),
        lag_figure=chart_data(charts.small_lag_chart(lag)),
    )
    return page(request, "monitoring/targeting.jinja", ctx)


@login_required
@charts_csp
def new_locations(request):
    view = area_page(request)
    as_of, error = as_of_from(request)
    rows = lists.new_locations(as_of, view.scope)
    fmt = wants_download(request)
    if fmt:
        return download(rows, NEW_COLUMNS, f"new-locations-{as_of.isoformat()}", fmt)
    ctx = dict(
        view.context(request, "New locations"),
        page_title="New locations",
        as_of=as_of,
        error=error,
        rows=rows,
        columns=NEW_COLUMNS,
        table=paged_table(request, "years", rows, NEW_COLUMNS),
        has_charts=True,
        figure=chart_data(charts.new_locations_chart(rows)),
    )
    return page(request, "monitoring/new_locations.jinja", ctx)


REGION_COLUMNS = [
    ("group", "Local authority", "text"),
    ("locations", "Locations", "int"),
    ("compliant", "Compliant", "int"),
    ("compliance_pct", "Compliant (%)", "pct"),
    *cell_columns(),
]


@login_required
def region_month(request):
    """Every local authority of a region: compliant locations by level × care home × edition.
    Counts of public statuses, so anyone with a monitoring remit may choose any region."""
    remit = require_remit(request.user)
    names = area_names()
    as_of, error = as_of_from(request)
    chosen = request.GET.get("region")
    if chosen not in names["region"]:
        chosen = region_of(scope_of(request, remit, names)) or min(names["region"], default="")
    rows = region_table(chosen, as_of) if chosen else []
    label = names["region"].get(chosen, "")
    fmt = wants_download(request)
    if fmt:
        return download(rows, REGION_COLUMNS, f"region-{chosen}-{as_of.isoformat()}", fmt)
    ctx = dict(
        subnav=subnav(remit),
        current="Region by local authority",
        page_title=f"{label}: local authorities by level, care home and edition",
        as_of=as_of,
        error=error,
        region=chosen,
        region_label=label,
        regions=sorted(names["region"].items(), key=lambda kv: kv[1]),
        rows=rows,
        columns=REGION_COLUMNS,
    )
    return page(request, "monitoring/region_month.jinja", ctx)

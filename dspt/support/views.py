"""LSO pages: area dashboard, work lists and the LSO comparison.

Every view picks the LSO with `lso_for`: LSO staff get their own (asking for another is
refused), the programme team may choose any with ?lso=CODE.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404

from dspt.core.dates import today
from dspt.monitoring import charts, choropleth, lists
from dspt.monitoring.access import lso_for, require_remit
from dspt.monitoring.area_measures import drawing
from dspt.monitoring.figures import Scope, compliance_table, expired_share_by_lso, total
from dspt.monitoring.maps import CODE_KEY, BoundaryError, boundaries
from dspt.monitoring.views.common import (
    LOCATION_COLUMNS,
    ROW_COLUMNS,
    as_of_from,
    chart_data,
    charts_csp,
    download,
    page,
    wants_download,
)
from dspt.monitoring.views.maps import map_download
from dspt.monitoring.views.nav import subnav
from dspt.organisations.models import LSO
from dspt.support.activity_periods import Period, activity_over, default_period, parse_month
from dspt.support.models import ActivityRecord
from dspt.support.outcomes import all_outcomes, outcomes

WORK_LISTS = {
    "expired": ("Expired", "Locations whose last publication has lapsed.", lists.expired),
    "expiring": (
        "Expiring and not renewed",
        "Valid publications that lapse at the next deadline and have not been renewed for the "
        "current edition.",
        lists.expiring,
    ),
    "never-published": (
        "Registered, never published",
        "Locations with a toolkit account that have never published.",
        lists.never_published,
    ),
    "small": (
        "Micro and small providers lagging",
        "Locations of micro and small providers that are not compliant.",
        lists.small_not_compliant,
    ),
}
PROVIDER_COLUMNS = [
    ("provider", "Provider", "text"),
    ("locations", "Locations", "int"),
    ("not_compliant_locations", "Not compliant", "int"),
    ("compliance_pct", "Compliant (%)", "pct"),
    ("local_authorities", "Local authorities", "text"),
]


def _ctx(request, remit, lso, current, **extra):
    ctx = {
        "subnav": subnav(remit),
        "current": current,
        "lso": lso,
        "lso_query": f"?lso={lso.code}" if remit.national else "",
        "lsos": list(LSO.objects.all()) if remit.national else None,
    }
    ctx.update(extra)
    return ctx


@login_required
def home(request):
    remit = require_remit(request.user)
    lso = lso_for(request.user, request.GET.get("lso"))
    as_of, error = as_of_from(request)
    scope = Scope("lso", lso.code, lso.name)
    whole = total(as_of, scope)
    counts = {key: len(fn(as_of, scope)) for key, (_t, _d, fn) in WORK_LISTS.items()}
    counts["medium-regional"] = len(lists.medium_regional_providers(as_of, scope))
    by_la = compliance_table("local_authority", as_of, scope)
    fmt = wants_download(request)
    if fmt:
        return download(by_la, ROW_COLUMNS, f"{lso.code}-by-local-authority", fmt)
    return page(
        request,
        "support/home.jinja",
        _ctx(
            request,
            remit,
            lso,
            "LSO work",
            page_title=lso.name,
            as_of=as_of,
            error=error,
            whole=whole,
            counts=counts,
            lists=WORK_LISTS,
            by_la=by_la,
            columns=ROW_COLUMNS,
        ),
    )


@login_required
def work_list(request, kind: str):
    remit = require_remit(request.user)
    lso = lso_for(request.user, request.GET.get("lso"))
    as_of, error = as_of_from(request)
    scope = Scope("lso", lso.code, lso.name)
    if kind == "medium-regional":
        title = "Medium-sized regional providers"
        description = (
            "Providers with locations in your area, ranked by how many of their "
            "locations are not compliant."
        )
        rows, columns = lists.medium_regional_providers(as_of, scope), PROVIDER_COLUMNS
    elif kind in WORK_LISTS:
        title, description, fn = WORK_LISTS[kind]
        rows, columns = fn(as_of, scope), LOCATION_COLUMNS
    else:
        raise Http404
    fmt = wants_download(request)
    if fmt:
        return download(rows, columns, f"{lso.code}-{kind}-{as_of.isoformat()}", fmt)
    return page(
        request,
        "support/work_list.jinja",
        _ctx(
            request,
            remit,
            lso,
            "LSO work",
            page_title=f"{title} – {lso.name}",
            title=title,
            description=description,
            rows=rows,
            columns=columns,
            as_of=as_of,
            error=error,
            kind=kind,
        ),
    )


OUTCOME_COLUMNS = [
    ("months", "Within (months)", "int"),
    ("engaged", "Engaged locations measured", "int"),
    ("engaged_approaching_pct", "Reached Approaching or better (%)", "pct"),
    ("comparison_approaching_pct", "Comparable, not engaged (%)", "pct"),
    ("engaged_met_pct", "Reached Met or better (%)", "pct"),
    ("comparison_met_pct", "Comparable, not engaged: Met (%)", "pct"),
    ("engaged_exceeded_pct", "Reached Exceeded (%)", "pct"),
    ("comparison_exceeded_pct", "Comparable, not engaged: Exceeded (%)", "pct"),
    ("comparison_pool", "Comparable locations (total)", "int"),
]


@login_required
@charts_csp
def outcome_measure(request):
    remit = require_remit(request.user)
    lso = lso_for(request.user, request.GET.get("lso"))
    as_of, error = as_of_from(request)
    result = outcomes(lso.code, as_of)
    fmt = wants_download(request)
    if fmt:
        return download(result["windows"], OUTCOME_COLUMNS, f"{lso.code}-outcomes", fmt)
    return page(
        request,
        "support/outcomes.jinja",
        _ctx(
            request,
            remit,
            lso,
            "LSO work",
            page_title=f"Outcomes – {lso.name}",
            r=result,
            columns=OUTCOME_COLUMNS,
            has_charts=True,
            figure=chart_data(charts.outcomes_chart(result["windows"])),
            as_of=as_of,
            error=error,
        ),
    )


COMPARE_COLUMNS = [
    ("group", "LSO", "text"),
    ("locations", "Locations", "int"),
    ("compliance_pct", "Compliant (%)", "pct"),
    ("expired_pct", "Expired (%)", "pct"),
    ("engaged_locations", "Locations engaged", "int"),
    ("planned_hours", "Hours planned", "num"),
    ("actual_hours", "Hours delivered", "num"),
    ("reached_12", "Engaged reaching Approaching within 12 months (%)", "pct"),
    ("comparison_12", "Comparable, not engaged (%)", "pct"),
]


@login_required
@charts_csp
def compare(request):
    """All LSOs side by side, in aggregate only (no lists of another LSO's locations)."""
    remit = require_remit(request.user)
    if not remit.national and not remit.lso_code:
        raise Http404
    as_of, error = as_of_from(request)
    by_name = {r["group"]: r for r in expired_share_by_lso(as_of)}
    hours = {
        row["lso_id"]: row
        for row in ActivityRecord.objects.filter(month__lte=as_of)
        .values("lso_id")
        .annotate(planned=Sum("planned_hours"), actual=Sum("actual_hours"))
    }
    rows = []
    lsos = list(LSO.objects.all())
    # Every LSO's measure from the same two queries; the table shows the 12-month window and
    # the comparison at Approaching Standards only.
    codes = [lso.code for lso in lsos]
    measured = all_outcomes(codes, as_of, windows=(12,), levels=("approaching",))
    for lso in lsos:
        base = by_name.get(lso.name, {"locations": 0, "compliance_pct": None, "expired_pct": None})
        out = measured[lso.code]
        twelve = next(w for w in out["windows"] if w["months"] == 12)
        h = hours.get(lso.code, {})
        rows.append(
            {
                "group": lso.name,
                "locations": base["locations"],
                "compliance_pct": base["compliance_pct"],
                "expired_pct": base["expired_pct"],
                "engaged_locations": out["engaged_locations"],
                "planned_hours": float(h.get("planned") or 0),
                "actual_hours": float(h.get("actual") or 0),
                "reached_12": twelve["engaged_approaching_pct"],
                "comparison_12": twelve["comparison_approaching_pct"],
            }
        )
    fmt = wants_download(request)
    if fmt:
        return download(rows, COMPARE_COLUMNS, f"lso-comparison-{as_of.isoformat()}", fmt)
    return page(
        request,
        "support/compare.jinja",
        {
            "page_title": "Compare LSOs",
            "subnav": subnav(remit),
            "current": "Compare LSOs",
            "has_charts": True,
            "scatter": chart_data(
                charts.scatter_chart(
                    rows,
                    ("actual_hours", "Actual hours of activity recorded to this date"),
                    ("compliance_pct", "Compliant (%)"),
                    "Each LSO area: hours of activity against compliance",
                    size_key="locations",
                )
            ),
            "rows": rows,
            "columns": COMPARE_COLUMNS,
            "as_of": as_of,
            "error": error,
        },
    )


def _hours_map(hours: dict[str, float], area_of: dict | None) -> choropleth.Figures:
    """Actual hours by LSO area, drawn as each LSO's local authorities."""
    top = max(hours.values(), default=0) or 1.0
    return choropleth.Figures(
        values=hours,
        names={code: name for code, name in LSO.objects.values_list("code", "name")},
        scale=choropleth.Scale(
            0.0, float(top), (choropleth.PALE, choropleth.BLUE), lambda v: f"{v:,.0f} hours"
        ),
        legend="Actual hours of activity, by LSO area",
        area_of=area_of,
    )


ACTIVITY_PERIOD_COLUMNS = [
    ("group", "Group", "text"),
    ("planned_hours", "Planned hours", "num"),
    ("actual_hours", "Actual hours", "num"),
    ("actual_pct_of_planned", "Actual as a share of planned (%)", "pct"),
    ("previous_actual_hours", "Actual hours a year before", "num"),
    ("change_hours", "Change (hours)", "num"),
    ("change_pct", "Change (%)", "pct"),
]


def _period_from(request) -> tuple[Period, dict[str, str]]:
    """The period from ?from=YYYY-MM&to=YYYY-MM (default the last twelve months), with any
    errors by field."""
    chosen = default_period(today())
    if not request.GET.get("from") and not request.GET.get("to"):
        return chosen, {}
    first, from_error = parse_month(request.GET.get("from", ""), "first month")
    last, to_error = parse_month(request.GET.get("to", ""), "last month")
    errors = {k: v for k, v in (("from", from_error), ("to", to_error)) if v}
    if not errors and first > last:
        errors["to"] = "The last month must be the same as or after the first month."
    if errors:
        return chosen, errors
    return Period(first, last), {}


@login_required
@charts_csp
def activity_periods(request):
    """Hours of LSO activity over any months: by kind nationally and by LSO, with the same
    months a year earlier. Aggregates only, for LSO staff and the programme alike."""
    remit = require_remit(request.user)
    if not remit.national and not remit.lso_code:
        raise Http404
    period, errors = _period_from(request)
    found = activity_over(period)
    drawn_as, area_of = drawing("lso")
    fmt = wants_download(request)
    stem = f"lso-activity-{period.first:%Y-%m}-to-{period.last:%Y-%m}"
    if fmt:
        table = "by_lso" if request.GET.get("table") == "lso" else "by_kind"
        return download([*found[table], found["total"]], ACTIVITY_PERIOD_COLUMNS, stem, fmt)
    map_svg, problem = None, None
    try:
        shapes = boundaries(drawn_as)
        figures = _hours_map(found["by_lso_codes"], area_of)
        picture = map_download(request, shapes, figures, stem + "-map")
        if picture is not None:
            return picture
        map_svg = choropleth.svg(shapes, CODE_KEY, figures)
    except BoundaryError as exc:
        problem = str(exc) if remit.national else "The map is not available."
    pairs = (
        ("previous_actual_hours", "Actual, a year before", "#768692"),
        ("actual_hours", "Actual", "#005eb8"),
        ("planned_hours", "Planned", "#aeb7bd"),
    )
    return page(
        request,
        "support/activity_periods.jinja",
        {
            "page_title": f"LSO activity, {period.label}",
            "subnav": subnav(remit),
            "current": "LSO activity",
            "period": period,
            "errors": errors,
            "values": {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")},
            "found": found,
            "kind_rows": [*found["by_kind"], found["total"]],
            "lso_rows": [*found["by_lso"], found["total"]],
            "columns": ACTIVITY_PERIOD_COLUMNS,
            "has_charts": True,
            "kind_figure": chart_data(
                charts.hours_chart(found["by_kind"], pairs, "Hours by kind of activity")
            ),
            "lso_figure": chart_data(charts.hours_chart(found["by_lso"], pairs, "Hours by LSO")),
            "map_svg": map_svg,
            "problem": problem,
        },
    )

"""Plotly figures as plain dicts (drawn in the browser by static/js/charts.js)."""

from __future__ import annotations

COLOURS = {
    "approaching": "#ffb81c",
    "met": "#007f3b",
    "exceeded": "#005eb8",
    "expired": "#d5281b",
    "not_compliant": "#7c2855",
    "not_published": "#768692",
    "not_registered": "#d8dde0",
    "current_edition": "#007f3b",
    "previous_edition": "#78be20",
}
LABELS = {
    "approaching": "Approaching",
    "met": "Met",
    "exceeded": "Exceeded",
    "expired": "Expired",
    "not_compliant": "Not met",
    "not_published": "Not published",
    "not_registered": "Not registered",
    "current_edition": "Current edition",
    "previous_edition": "Previous edition",
}
LAYOUT = {
    "font": {"family": "Frutiger W01, Arial, sans-serif", "size": 14},
    "margin": {"l": 60, "r": 20, "t": 30, "b": 60},
    "legend": {"orientation": "h", "y": -0.2},
}


def _hbar(name: str, y: list, x: list, colour, hover: str) -> dict:
    """One horizontal bar trace (`colour` may be one colour or one per bar)."""
    return {
        "type": "bar",
        "orientation": "h",
        "name": name,
        "y": y,
        "x": x,
        "marker": {"color": colour},
        "hovertemplate": hover,
    }


def _hbar_layout(title: str, xaxis: dict, height: int, **extra) -> dict:
    """The layout every horizontal bar chart shares: first group at the top, labels fitted."""
    return dict(
        LAYOUT,
        title={"text": title},
        xaxis=xaxis,
        yaxis={"automargin": True, "autorange": "reversed"},
        height=height,
        **extra,
    )


def status_mix_bars(rows: list[dict], title: str) -> dict:
    """Stacked horizontal bars of each group's status mix (percent of its locations)."""
    groups = [r["group"] for r in rows]
    keys = ("exceeded", "met", "approaching", "not_compliant", "expired")
    keys += ("not_published", "not_registered")
    data = [
        _hbar(
            LABELS[key],
            groups,
            [100.0 * r[key] / r["locations"] if r["locations"] else 0 for r in rows],
            COLOURS[key],
            "%{y}: %{x:.1f}%<extra>" + LABELS[key] + "</extra>",
        )
        for key in keys
    ]
    layout = _hbar_layout(
        title,
        {"title": {"text": "% of locations"}, "range": [0, 100]},
        _hbar_height(len(groups)),
        barmode="stack",
    )
    return {"data": data, "layout": layout}


def series_chart(rows: list[dict]) -> dict:
    """Stacked areas: current edition, previous edition, expired; compliance % as a line."""
    months = [r["as_of"] for r in rows]
    data = []
    for key in (
        "current_edition",
        "previous_edition",
        "expired",
        "not_published",
        "not_registered",
    ):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "stackgroup": "one",
                "name": LABELS[key],
                "x": months,
                "y": [r[key] for r in rows],
                "line": {"color": COLOURS[key]},
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Compliant (%)",
            "x": months,
            "y": [r["compliance_pct"] for r in rows],
            "yaxis": "y2",
            "line": {"color": "#212b32", "dash": "dot"},
        }
    )
    layout = dict(
        LAYOUT,
        title={"text": "Locations by status, month by month"},
        yaxis={"title": {"text": "Locations"}},
        yaxis2={
            "title": {"text": "Compliant (%)"},
            "overlaying": "y",
            "side": "right",
            "range": [0, 100],
        },
        height=460,
    )
    return {"data": data, "layout": layout}


def bars(labels: list[str], values: list[float], title: str, axis: str) -> dict:
    layout = dict(LAYOUT, title={"text": title}, yaxis={"title": {"text": axis}})
    return {
        "data": [{"type": "bar", "x": labels, "y": values, "marker": {"color": "#005eb8"}}],
        "layout": layout,
    }


def _hbar_height(n: int) -> int:
    return max(300, 28 * n + 160)


def _grouped_bars(rows: list[dict], series: tuple, title: str, unit: tuple[str, str, dict]) -> dict:
    """One value per series for each group as grouped horizontal bars; `series` is
    ((key, name, colour), …) and `unit` (hover format, axis title, extra axis settings)."""
    hover, axis_title, axis = unit
    groups = [r["group"] for r in rows]
    data = [
        _hbar(name, groups, [r[key] for r in rows], colour, hover + "<extra>" + name + "</extra>")
        for key, name, colour in series
    ]
    layout = _hbar_layout(
        title,
        {"title": {"text": axis_title}, **axis},
        max(300, 20 * len(series) * len(groups) + 160),
        barmode="group",
    )
    return {"data": data, "layout": layout}


def _paired_pct_chart(rows: list[dict], series: tuple, title: str) -> dict:
    """Two compliance percentages per group as grouped horizontal bars."""
    unit = ("%{y}: %{x:.1f}%", "% of locations compliant", {"range": [0, 100]})
    return _grouped_bars(rows, series, title, unit)


def year_on_year_chart(rows: list[dict], by_label: str) -> dict:
    """Each group's compliance a year before and now, side by side."""
    return _paired_pct_chart(
        rows,
        (
            ("previous_compliance_pct", "A year before", "#768692"),
            ("compliance_pct", "Now", "#005eb8"),
        ),
        f"Compliant (%) now and a year before, by {by_label}",
    )


def _against_targets(labels: list[str], rows: list[dict], *, horizontal: bool) -> list[dict]:
    """Actual percentages as bars (green if met, red if not), each target marked across its
    bar; the labels run down the side (`horizontal`) or along the bottom."""
    along, across = ("y", "x") if horizontal else ("x", "y")
    bars = {
        "type": "bar",
        "name": "Actual",
        along: labels,
        across: [r["actual_pct"] for r in rows],
        "marker": {"color": ["#007f3b" if r["met"] else "#d5281b" for r in rows]},
        "hovertemplate": f"%{{{along}}}: %{{{across}:.1f}}%<extra>Actual</extra>",
    }
    if horizontal:
        bars["orientation"] = "h"
    marks = {
        "type": "scatter",
        "mode": "markers",
        "name": "Target",
        along: labels,
        across: [r["min_pct"] for r in rows],
        "marker": {
            "symbol": "line-ns-open" if horizontal else "line-ew-open",
            "size": 24 if horizontal else 40,
            "color": "#212b32",
            "line": {"width": 3},
        },
        "hovertemplate": f"%{{{along}}}: target %{{{across}:.0f}}%<extra></extra>",
    }
    return [bars, marks]


def targets_chart(rows: list[dict]) -> dict:
    """Actual percentage for each target as bars (green if met), the target as a marker."""
    names = [r["target"] for r in rows]
    layout = _hbar_layout(
        "Actual against target (%); green met, red not met",
        {"title": {"text": "%"}, "range": [0, 100]},
        _hbar_height(len(names)),
    )
    return {"data": _against_targets(names, rows, horizontal=True), "layout": layout}


def targets_by_year_chart(rows: list[dict]) -> dict:
    """Overall compliance in each toolkit year as bars (green if met), its own target marked."""
    overall = [r for r in rows if r["measure"] == "overall"]
    years = [r["edition"] + (" (so far)" if r["in_progress"] else "") for r in overall]
    layout = dict(
        LAYOUT,
        title={"text": "Overall compliance in each toolkit year against that year's target (%)"},
        xaxis={"title": {"text": "Toolkit year"}},
        yaxis={"title": {"text": "%"}, "range": [0, 100]},
        height=380,
    )
    return {"data": _against_targets(years, overall, horizontal=False), "layout": layout}


def providers_chart(rows: list[dict], top: int = 20) -> dict:
    """The providers with most locations not compliant (the top of the ranked list)."""
    rows = rows[:top]
    names = [r["provider"] for r in rows]
    data = [
        _hbar(
            "Locations not compliant",
            names,
            [r["not_compliant_locations"] for r in rows],
            "#7c2855",
            "%{y}: %{x} not compliant<extra></extra>",
        ),
        _hbar(
            "Compliant locations",
            names,
            [r["locations"] - r["not_compliant_locations"] for r in rows],
            "#007f3b",
            "%{y}: %{x} compliant<extra></extra>",
        ),
    ]
    layout = _hbar_layout(
        f"Top {len(rows)} providers by locations not compliant",
        {"title": {"text": "Locations"}},
        _hbar_height(len(names)),
        barmode="stack",
    )
    return {"data": data, "layout": layout}


def small_lag_chart(rows: list[dict], top: int = 20) -> dict:
    """Micro/small providers' locations against the rest, by area (biggest gap first)."""
    rows = rows[:top]
    return _paired_pct_chart(
        rows,
        (
            ("small_compliance_pct", "Micro/small providers", "#ffb81c"),
            ("other_compliance_pct", "Other providers", "#005eb8"),
        ),
        f"Compliant (%): micro/small against others, {len(rows)} biggest gaps",
    )


def outcomes_chart(windows: list[dict]) -> dict:
    """Engaged locations against comparable ones not engaged, by window and level."""
    x = [f"Within {w['months']} months" for w in windows]
    data = []
    for level, label in (("approaching", "Approaching or better"), ("met", "Met or better")):
        for who, name, colour in (
            ("engaged", "Engaged", "#005eb8" if level == "approaching" else "#007f3b"),
            (
                "comparison",
                "Comparable, not engaged",
                "#768692" if level == "approaching" else "#aeb7bd",
            ),
        ):
            data.append(
                {
                    "type": "bar",
                    "name": f"{name}: {label}",
                    "x": x,
                    "y": [w[f"{who}_{level}_pct"] for w in windows],
                    "marker": {"color": colour},
                    "hovertemplate": "%{x}: %{y:.1f}%<extra>" + f"{name}: {label}" + "</extra>",
                }
            )
    layout = dict(
        LAYOUT,
        barmode="group",
        title={"text": "Share reaching each level (%)"},
        yaxis={"title": {"text": "% of locations"}, "range": [0, 100]},
        height=460,
    )
    return {"data": data, "layout": layout}


def new_locations_chart(rows: list[dict]) -> dict:
    """Share of new locations registering in their first year, by year of CQC registration."""
    return bars(
        [r["group"] for r in rows],
        [r["first_year_pct"] for r in rows],
        "Share registering with the toolkit in their first year (%)",
        "%",
    )


def breakdown_chart(rows: list[dict], title: str) -> dict:
    """Compliance (%) of each group, one bar per subgroup side by side (grouped bars)."""
    groups = list(dict.fromkeys(r["group"] for r in rows))
    subgroups = list(dict.fromkeys(r["subgroup"] for r in rows))
    palette = ("#005eb8", "#007f3b", "#ffb81c", "#7c2855", "#d5281b", "#768692", "#41b6e6")
    found = {(r["group"], r["subgroup"]): r["compliance_pct"] for r in rows}
    data = [
        _hbar(
            sg,
            groups,
            [found.get((g, sg)) for g in groups],
            palette[k % len(palette)],
            "%{y}: %{x:.1f}%<extra>" + sg + "</extra>",
        )
        for k, sg in enumerate(subgroups)
    ]
    layout = _hbar_layout(
        title,
        {"title": {"text": "% of locations compliant"}, "range": [0, 100]},
        max(300, 18 * len(groups) * max(1, len(subgroups)) + 160),
        barmode="group",
    )
    return {"data": data, "layout": layout}


def scatter_chart(
    rows: list[dict], x: tuple[str, str], y: tuple[str, str], title: str, size_key: str = ""
) -> dict:
    """One labelled point per row (`x` and `y` are (key, axis title)); rows lacking either value
    are left out. With `size_key`, the points' areas follow that column (e.g. locations)."""
    shown = [r for r in rows if r.get(x[0]) is not None and r.get(y[0]) is not None]
    marker: dict = {"color": "#005eb8", "opacity": 0.75, "size": 10}
    if size_key and shown:
        biggest = max(r[size_key] for r in shown) or 1
        marker["size"] = [8 + 22 * (r[size_key] / biggest) ** 0.5 for r in shown]
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Areas",
            "x": [r[x[0]] for r in shown],
            "y": [r[y[0]] for r in shown],
            "text": [r["group"] for r in shown],
            "marker": marker,
            "hovertemplate": "%{text}<br>"
            + x[1]
            + ": %{x:.1f}<br>"
            + y[1]
            + ": %{y:.1f}<extra></extra>",
        }
    ]
    layout = dict(
        LAYOUT,
        title={"text": title},
        xaxis={"title": {"text": x[1]}, "zeroline": False},
        yaxis={"title": {"text": y[1]}, "zeroline": False},
        height=460,
        showlegend=False,
    )
    return {"data": data, "layout": layout}


def hours_chart(rows: list[dict], series: tuple, title: str) -> dict:
    """Hours per group as grouped horizontal bars; `series` is ((key, name, colour), …)."""
    return _grouped_bars(rows, series, title, ("%{y}: %{x:,.1f} hours", "Hours", {}))

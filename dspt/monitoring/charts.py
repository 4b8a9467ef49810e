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


def status_mix_bars(rows: list[dict], title: str) -> dict:
    """Stacked horizontal bars of each group's status mix (percent of its locations)."""
    groups = [r["group"] for r in rows]
    data = []
    for key in (
        "exceeded",
        "met",
        "approaching",
        "not_compliant",
        "expired",
        "not_published",
        "not_registered",
    ):
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": LABELS[key],
                "y": groups,
                "x": [100.0 * r[key] / r["locations"] if r["locations"] else 0 for r in rows],
                "marker": {"color": COLOURS[key]},
                "hovertemplate": "%{y}: %{x:.1f}%<extra>" + LABELS[key] + "</extra>",
            }
        )
    layout = dict(
        LAYOUT,
        barmode="stack",
        title={"text": title},
        xaxis={"title": {"text": "% of locations"}, "range": [0, 100]},
        yaxis={"automargin": True, "autorange": "reversed"},
        height=max(300, 28 * len(groups) + 160),
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

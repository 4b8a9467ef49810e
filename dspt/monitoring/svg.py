"""Small server-drawn SVG charts for the monthly report (it must work in a PDF, without JS)."""

from __future__ import annotations

from markupsafe import Markup, escape


def hbars(rows: list[tuple[str, float]], width: int = 640, label_width: int = 200) -> Markup:
    """Horizontal bars of percentages (0–100), one per row, labelled."""
    bar_h, gap = 18, 6
    height = len(rows) * (bar_h + gap) + 24
    span = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-hidden="true" class="app-svg">'
    ]
    for k, (label, value) in enumerate(rows):
        y = k * (bar_h + gap)
        w = max(0.0, min(100.0, value)) / 100 * span
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end" font-size="12" '
            f'fill="#212b32">{escape(label[:32])}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#005eb8"/>'
            f'<text x="{label_width + w + 4:.1f}" y="{y + 13}" font-size="12" '
            f'fill="#212b32">{value:.1f}%</text>'
        )
    axis_y = len(rows) * (bar_h + gap) + 4
    parts.append(
        f'<line x1="{label_width}" y1="{axis_y}" x2="{label_width + span}" y2="{axis_y}" '
        f'stroke="#768692"/><text x="{label_width}" y="{axis_y + 16}" font-size="11" '
        f'fill="#4c6272">0%</text><text x="{label_width + span}" y="{axis_y + 16}" '
        f'font-size="11" text-anchor="end" fill="#4c6272">100%</text></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 - every label is escaped above


def line(points: list[tuple[str, float]], width: int = 640, height: int = 220) -> Markup:
    """A line of percentages over time, with the first and last labels on the axis."""
    if not points:
        return Markup("")
    left, right, top, bottom = 40, 10, 10, 30
    span_x, span_y = width - left - right, height - top - bottom
    n = len(points)

    def xy(k: int, v: float) -> tuple[float, float]:
        x = left + (span_x * k / (n - 1) if n > 1 else span_x / 2)
        return x, top + span_y * (1 - max(0.0, min(100.0, v)) / 100)

    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(k, v) for k, (_, v) in enumerate(points)))
    grid = "".join(
        f'<line x1="{left}" x2="{width - right}" y1="{top + span_y * (1 - g / 100):.1f}" '
        f'y2="{top + span_y * (1 - g / 100):.1f}" stroke="#d8dde0"/>'
        f'<text x="{left - 4}" y="{top + span_y * (1 - g / 100) + 4:.1f}" font-size="11" '
        f'text-anchor="end" fill="#4c6272">{g}%</text>'
        for g in (0, 25, 50, 75, 100)
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-hidden="true" class="app-svg">{grid}'
        f'<polyline points="{path}" fill="none" stroke="#005eb8" stroke-width="2"/>'
        f'<text x="{left}" y="{height - 8}" font-size="11" fill="#4c6272">'
        f"{escape(points[0][0])}</text>"
        f'<text x="{width - right}" y="{height - 8}" font-size="11" text-anchor="end" '
        f'fill="#4c6272">{escape(points[-1][0])}</text></svg>'
    )
    return Markup(svg)  # noqa: S704 - labels escaped above


def _colour(pct: float) -> str:
    """Red (0%) through amber (50%) to green (100%), the NHS palette's status colours."""
    stops = [(0.0, (0xD5, 0x28, 0x1B)), (50.0, (0xFF, 0xB8, 0x1C)), (100.0, (0x00, 0x7F, 0x3B))]
    pct = max(0.0, min(100.0, pct))
    for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
        if pct <= p1:
            t = (pct - p0) / (p1 - p0)
            return "#" + "".join(
                f"{round(a + (b - a) * t):02x}" for a, b in zip(c0, c1, strict=True)
            )
    return "#007f3b"


def _rings(geometry: dict) -> list[list[list[float]]]:
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def choropleth(
    geojson: dict, prop: str, values: dict[str, float], names: dict[str, str], width: int = 560
) -> Markup:
    """A filled map of compliance % by area, drawn on the server as SVG from a boundary file.

    No map tiles or base map are fetched, so it works offline, under the content security policy
    and in the PDF report. Areas without a figure are grey. Each area carries a <title> tooltip;
    the table beside the map is the accessible version of the same figures.
    """
    features = [f for f in geojson.get("features", []) if _rings(f.get("geometry"))]
    points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    if not points:
        return Markup("")
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    mid_lat = (min(lats) + max(lats)) / 2
    # Equirectangular projection, squeezed by cos(latitude) so England keeps its shape.
    import math

    squeeze = math.cos(math.radians(mid_lat))
    x0, x1 = min(lons) * squeeze, max(lons) * squeeze
    y0, y1 = min(lats), max(lats)
    scale = width / ((x1 - x0) or 1)
    height = round((y1 - y0) * scale) + 2

    def project(pt) -> str:
        return f"{(pt[0] * squeeze - x0) * scale:.1f},{(y1 - pt[1]) * scale:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" class="app-svg app-map" '
        f'aria-label="Map of compliance by area; the table below gives the same figures">'
    ]
    for f in features:
        code = str((f.get("properties") or {}).get(prop, ""))
        pct = values.get(code)
        fill = _colour(pct) if pct is not None else "#d8dde0"
        d = " ".join(
            "M" + " L".join(project(pt) for pt in ring) + " Z" for ring in _rings(f["geometry"])
        )
        label = names.get(code) or (f.get("properties") or {}).get("name", code)
        text = f"{label}: {pct:.1f}% compliant" if pct is not None else f"{label}: no locations"
        parts.append(
            f'<path d="{d}" fill="{fill}" stroke="#ffffff" stroke-width="0.6">'
            f"<title>{escape(text)}</title></path>"
        )
    parts.append("</svg>")
    legend = (
        '<p class="nhsuk-body-s app-map-legend">'
        + "".join(
            f'<span class="app-map-swatch app-map-swatch--{k}"></span>{k}% '
            for k in (0, 25, 50, 75, 100)
        )
        + "of locations compliant; grey where there are none.</p>"
    )
    # Safe: area names pass through escape(); everything else is numbers we formatted.
    return Markup("".join(parts) + legend)  # noqa: S704

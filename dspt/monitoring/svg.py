"""Small server-drawn SVG charts for the monthly report (it must work in a PDF, without JS).

Maps are drawn by dspt.monitoring.choropleth."""

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

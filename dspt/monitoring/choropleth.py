"""Filled maps of any measure by area, drawn on the server as SVG (the page and its download)
and PNG (a download), from a boundary file (dspt.monitoring.maps).

No map tiles or base map are fetched, so maps work offline and under the content security
policy. Areas without a figure are grey. Each area carries a <title> tooltip; the table beside
the map is the accessible version of the same figures. The legend is drawn inside the picture,
so a downloaded map keeps it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

NO_FIGURE = "#d8dde0"
RED, AMBER, GREEN = "#d5281b", "#ffb81c", "#007f3b"
PALE, BLUE = "#e8edee", "#005eb8"
LEGEND_HEIGHT = 46


@dataclass(frozen=True, slots=True)
class Scale:
    """How values become colours: colour stops spread evenly from `low` to `high`."""

    low: float
    high: float
    stops: tuple[str, ...]
    describe: Callable[[float], str]  # a value in words, for tooltips and the legend

    def colour(self, value: float) -> str:
        """The colour for `value` (clamped to the scale), interpolated between the stops."""
        span = (self.high - self.low) or 1.0
        t = max(0.0, min(1.0, (value - self.low) / span)) * (len(self.stops) - 1)
        k = min(int(t), len(self.stops) - 2)
        a, b = _rgb(self.stops[k]), _rgb(self.stops[k + 1])
        f = t - k
        return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))

    def ticks(self) -> list[float]:
        """Five values spread over the scale, for the legend."""
        return [self.low + (self.high - self.low) * k / 4 for k in range(5)]


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def percent(low_is_good: bool = False, stops: tuple[str, ...] | None = None) -> Scale:
    """A 0–100% scale: red to green (or green to red when a low share is good)."""
    chosen = stops or ((GREEN, AMBER, RED) if low_is_good else (RED, AMBER, GREEN))
    return Scale(0.0, 100.0, chosen, lambda v: f"{v:.1f}%")


@dataclass(frozen=True, slots=True)
class Shape:
    """One area's outline in picture coordinates, with the code its figure is looked up by."""

    code: str
    rings: list[list[tuple[float, float]]]


def _rings(geometry: dict | None) -> list:
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def project(geojson: dict, prop: str, width: int) -> tuple[list[Shape], int]:
    """Every feature's rings projected to a picture `width` wide, and the picture's height.

    Equirectangular, squeezed by cos(latitude) so England keeps its shape.
    """
    features = [f for f in geojson.get("features", []) if _rings(f.get("geometry"))]
    points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    if not points:
        return [], 0
    lats = [p[1] for p in points]
    squeeze = math.cos(math.radians((min(lats) + max(lats)) / 2))
    x0 = min(p[0] for p in points) * squeeze
    x1 = max(p[0] for p in points) * squeeze
    y1 = max(lats)
    scale = width / ((x1 - x0) or 1)
    shapes = [
        Shape(
            str((f.get("properties") or {}).get(prop, "")),
            [
                [((pt[0] * squeeze - x0) * scale, (y1 - pt[1]) * scale) for pt in ring]
                for ring in _rings(f["geometry"])
            ],
        )
        for f in features
    ]
    return shapes, round((y1 - min(lats)) * scale) + 2


@dataclass(frozen=True, slots=True)
class Figures:
    """What a map shows: a value and a name per area code, and the words for the legend.

    `area_of` maps a boundary's code to the area it is coloured as (a local authority drawn as
    part of its ICB or LSO area); boundaries not in it are looked up by their own code.
    """

    values: dict[str, float | None]
    names: dict[str, str]
    scale: Scale
    legend: str
    suffix: str = ""  # words after the value in a tooltip ("compliant")
    area_of: dict[str, str] | None = None

    def of(self, boundary_code: str) -> tuple[str, float | None]:
        code = (self.area_of or {}).get(boundary_code, boundary_code)
        return self.names.get(code, code), self.values.get(code)

    def fill(self, value: float | None) -> str:
        """The colour an area with this value is filled with (grey without a figure)."""
        return self.scale.colour(value) if value is not None else NO_FIGURE

    def key(self) -> list[tuple[str, str]]:
        """The legend's entries, (colour, words): five values across the scale, then none."""
        ticks = [(self.scale.colour(t), self.scale.describe(t)) for t in self.scale.ticks()]
        return [*ticks, (NO_FIGURE, "no figure")]


def svg(geojson: dict, prop: str, figures: Figures, width: int = 560) -> Markup:
    """The map as an SVG element (for the page, and as the SVG download)."""
    shapes, height = project(geojson, prop, width)
    if not shapes:
        return Markup("")
    total = height + LEGEND_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" '
        f'viewBox="0 0 {width} {total}" role="img" class="app-svg app-map" '
        f'aria-label="{escape(figures.legend)} by area; the table below gives the same figures">'
    ]
    for shape in shapes:
        name, value = figures.of(shape.code)
        d = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + " Z" for ring in shape.rings
        )
        said = figures.scale.describe(value) + figures.suffix if value is not None else "no figure"
        parts.append(
            f'<path d="{d}" fill="{figures.fill(value)}" stroke="#ffffff" stroke-width="0.6">'
            f"<title>{escape(name)}: {escape(said)}</title></path>"
        )
    parts.append(_legend_svg(figures, width, height))
    parts.append("</svg>")
    # Safe: names and words pass through escape(); everything else is numbers we formatted.
    return Markup("".join(parts))  # noqa: S704


def _legend_svg(figures: Figures, width: int, top: int) -> str:
    y = top + 8
    out = [
        f'<text x="4" y="{y + 10}" font-size="12" fill="#212b32">{escape(figures.legend)}</text>'
    ]
    step = min(100, (width - 8) // 6)
    for k, (colour, words) in enumerate(figures.key()):
        x = 4 + k * step
        out.append(
            f'<rect x="{x}" y="{y + 16}" width="14" height="14" fill="{colour}" stroke="#768692"/>'
            f'<text x="{x + 18}" y="{y + 27}" font-size="11" fill="#212b32">{escape(words)}</text>'
        )
    return "".join(out)


def png(geojson: dict, prop: str, figures: Figures, width: int = 1120) -> bytes:
    """The same map as a PNG image (drawn with Pillow), legend included."""
    from PIL import Image, ImageDraw, ImageFont

    shapes, height = project(geojson, prop, width)
    image = Image.new("RGB", (width, max(height, 1) + LEGEND_HEIGHT * 2), "#ffffff")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=18)
    for shape in shapes:
        fill = figures.fill(figures.of(shape.code)[1])
        for ring in shape.rings:
            if len(ring) >= 3:
                draw.polygon(ring, fill=fill, outline="#ffffff")
    y = height + 16
    draw.text((8, y), figures.legend, fill="#212b32", font=font)
    step = (width - 16) // 6
    for k, (colour, words) in enumerate(figures.key()):
        x = 8 + k * step
        draw.rectangle((x, y + 22, x + 20, y + 42), fill=colour, outline="#768692")
        draw.text((x + 26, y + 24), words, fill="#212b32", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

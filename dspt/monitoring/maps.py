"""Boundary files for the choropleth maps: GeoJSON keyed by ONS code.

The operator points `DSPT_BOUNDARIES_DIR` at a folder of GeoJSON files (the official ONS
boundaries, simplified; see docs/monitoring.md); by default the shipped synthetic geometry in
dspt/organisations/data/boundaries/ is used. Every `*.geojson` file in the folder is read; a
feature is a local authority when its code starts E06/E08/E09/E10 and a region when it starts
E12. The code is read from the property named by `DSPT_BOUNDARIES_CODE_PROPERTY` (default
`ons_code`); failing that, the first property whose value looks like an ONS code.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from dspt.monitoring.config import boundaries_dir, boundary_code_property

ONS_CODE = re.compile(r"^E\d{8}$")
PREFIXES = {"local_authority": ("E06", "E08", "E09", "E10"), "region": ("E12",)}
CODE_KEY = "dspt_ons_code"  # the property the maps key on, added to every feature read


class BoundaryError(Exception):
    """No usable boundary file; the message tells the operator what is missing."""


def boundaries(level: str) -> dict:
    """A FeatureCollection of the level's areas, each feature with `properties.dspt_ons_code`."""
    folder = boundaries_dir()
    files = tuple(sorted(folder.glob("*.geojson"))) if folder.is_dir() else ()
    if not files:
        raise BoundaryError(
            f"No boundary files (*.geojson) in {folder}. Set DSPT_BOUNDARIES_DIR to a folder "
            "of GeoJSON boundaries keyed by ONS code."
        )
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    collection = _read(stamp, boundary_code_property(), PREFIXES[level])
    if not collection["features"]:
        raise BoundaryError(
            f"The boundary files in {folder} have no {level.replace('_', ' ')} areas."
        )
    return collection


@lru_cache(maxsize=8)
def _read(stamp: tuple, prop: str, prefixes: tuple[str, ...]) -> dict:
    features = []
    for name, _mtime in stamp:
        try:
            data = json.loads(Path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BoundaryError(f"Cannot read {name}: {exc}") from exc
        for feature in data.get("features", []):
            props = feature.get("properties") or {}
            code = props.get(prop)
            if not (isinstance(code, str) and ONS_CODE.match(code)):
                code = next(
                    (v for v in props.values() if isinstance(v, str) and ONS_CODE.match(v)), None
                )
            if code and code.startswith(prefixes):
                features.append(
                    {
                        "type": "Feature",
                        "geometry": feature.get("geometry"),
                        "properties": {CODE_KEY: code},
                    }
                )
    return {"type": "FeatureCollection", "features": features}

"""Configurable inputs to the figures: provider size bands and programme targets.

Both are data files (JSON) shipped in dspt/monitoring/data/; an operator points the settings
`DSPT_MONITORING_PROVIDER_SIZE_FILE` / `DSPT_MONITORING_TARGETS_FILE` at their own copies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class SizeBand:
    group: str
    min_locations: int
    min_beds: int


@dataclass(frozen=True, slots=True)
class Target:
    edition: str
    measure: str  # overall, provider_size, scope, care_home, …, or exceeded_share
    label: str
    min_pct: float
    max_pct: float | None = None
    group: str | None = None


def _read(setting: str, default_name: str) -> dict:
    path = Path(getattr(settings, setting, "") or DATA_DIR / default_name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"Cannot read {path}: {exc}") from exc


def size_bands() -> tuple[SizeBand, ...]:
    """Provider size bands, largest first."""
    data = _read("DSPT_MONITORING_PROVIDER_SIZE_FILE", "provider_size.json")
    bands = tuple(
        SizeBand(b["group"], int(b["min_locations"]), int(b["min_beds"])) for b in data["bands"]
    )
    if not bands:
        raise ValueError("The provider size file lists no bands.")
    return bands


def size_of(locations: int, beds: int, bands: tuple[SizeBand, ...]) -> str:
    """The provider's size group: the larger of its location band and its bed band."""
    by_locations = next((i for i, b in enumerate(bands) if locations >= b.min_locations), None)
    by_beds = next((i for i, b in enumerate(bands) if beds >= b.min_beds), None)
    ranks = [i for i in (by_locations, by_beds) if i is not None]
    return bands[min(ranks)].group if ranks else bands[-1].group


def targets() -> tuple[Target, ...]:
    """Programme targets from the targets data file."""
    data = _read("DSPT_MONITORING_TARGETS_FILE", "targets.json")
    out = []
    for t in data["targets"]:
        out.append(
            Target(
                edition=t["edition"],
                measure=t["measure"],
                label=t["label"],
                min_pct=float(t["min_pct"]),
                max_pct=float(t["max_pct"]) if t.get("max_pct") is not None else None,
                group=t.get("group"),
            )
        )
    return tuple(out)


def boundaries_dir() -> Path:
    """Where the GeoJSON boundary files live (the shipped synthetic ones by default)."""
    configured = getattr(settings, "DSPT_BOUNDARIES_DIR", "")
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "organisations" / "data" / "boundaries"


def boundary_code_property() -> str:
    """The GeoJSON feature property holding the ONS code."""
    return getattr(settings, "DSPT_BOUNDARIES_CODE_PROPERTY", "") or "ons_code"

# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""Measures by area for the maps: compliance, change between two dates, expired share, the
share of micro and small providers' locations, and medium regional providers' locations.

One query per day over the location and status interval tables, grouped by the area's code
(docs/monitoring.md, "Maps"). LSO activity hours are mapped by the support app, which owns
activity records.
"""

from __future__ import annotations

from datetime import date

from django.db import models

from dspt.monitoring.choropleth import BLUE, GREEN, PALE, RED, Scale, percent
from dspt.monitoring.figures import year_before
from dspt.monitoring.population import NOT_KNOWN, area_names
from dspt.monitoring.sql import (
    AREA_COLUMNS,
    BUCKET_OF,
    COMPLIANT_BUCKETS,
    IN_POPULATION,
    LOCATION_SPANS,
    NATIONAL,
    ON_DAY,
    Scope,
    fetch,
    on_day,
)
from dspt.organisations.models import LocalAuthority
from dspt.statuses.compute import Status

MAP_LEVELS = {
    "local_authority": "local authority",
    "region": "region",
    "icb": "integrated care board",
    "lso": "LSO area",
}


# Boundary files hold local authorities and regions; an ICB or LSO area is drawn as the local
# authorities it is made of, each coloured with its area's figure.
PARENT_FIELD = {"icb": "icb_id", "lso": "lso_id"}


def drawing(level: str) -> tuple[str, dict[str, str] | None]:
    """The boundary level a map of `level` is drawn from, and (for ICB and LSO areas) which
    area each local authority's outline is coloured as."""
    if level not in PARENT_FIELD:
        return level, None
    pairs = LocalAuthority.objects.values_list("ons_code", PARENT_FIELD[level])
    return "local_authority", {la: parent for la, parent in pairs if parent}


class MapMeasure(models.TextChoices):
    COMPLIANCE = "compliance", "Compliance (%)"
    CHANGE = "change", "Change in compliance since an earlier date (percentage points)"
    EXPIRED = "expired", "Expired publications (% of locations)"
    SMALL = "small_share", "Locations of micro and small providers (%)"
    MEDIUM_REGIONAL = "medium_regional", "Locations of medium-sized regional providers"


# What a tooltip says after the value.
SUFFIX = {
    MapMeasure.COMPLIANCE: " compliant",
    MapMeasure.CHANGE: "",
    MapMeasure.EXPIRED: " expired",
    MapMeasure.SMALL: " of locations",
    MapMeasure.MEDIUM_REGIONAL: "",
}


def _tallies(level: str, day: date, scope: Scope) -> dict[str, list[int]]:
    """Area code -> [locations, compliant, expired, micro/small, medium regional] on `day`."""
    area, area_params = scope.where()
    column = f"l.{AREA_COLUMNS[level]}"
    out: dict[str, list[int]] = {}
    for code, status, small, medium_regional, n in fetch(
        f"SELECT {column}, i.status, "
        "CASE WHEN l.provider_size = 'Micro/Small' THEN 1 ELSE 0 END, "
        "CASE WHEN l.provider_size = 'Medium' AND l.scope = 'Regional' THEN 1 ELSE 0 END, "
        f"COUNT(*) {LOCATION_SPANS} AND {ON_DAY} WHERE {IN_POPULATION}{area} "
        f"GROUP BY {column}, i.status, 3, 4",
        [*on_day(day), *area_params],
    ):
        t = out.setdefault(code or "", [0, 0, 0, 0, 0])
        t[0] += n
        t[1] += n if BUCKET_OF[status] in COMPLIANT_BUCKETS else 0
        t[2] += n if status == Status.EXPIRED.value else 0
        t[3] += n if small else 0
        t[4] += n if medium_regional else 0
    return out


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def by_area(
    measure: str,
    level: str,
    as_of: date,
    scope: Scope = NATIONAL,
    compare_to: date | None = None,
) -> list[dict]:
    """One row per area of `level` in the scope: `code`, `group` (its name), `locations`,
    `compliance_pct`, `value` (the measure), and for a change `compare_to`,
    `compare_locations` and `compare_compliance_pct`. Sorted by name; locations with no area
    recorded come last as "Not known" (they are in the table, not on the map).

    A change compares with `compare_to` (default a year before `as_of`).
    """
    if level not in MAP_LEVELS:
        raise ValueError(f"Unknown area level '{level}'. Choose one of: {', '.join(MAP_LEVELS)}.")
    measure = MapMeasure(measure)
    names = area_names()[level]
    now = _tallies(level, as_of, scope)
    before: dict[str, list[int]] = {}
    if measure == MapMeasure.CHANGE:
        compare_to = compare_to or year_before(as_of)
        before = _tallies(level, compare_to, scope)
    rows = []
    for code in now.keys() | before.keys():
        n, c, expired, small, medium_regional = now.get(code, [0] * 5)
        r = {"code": code, "group": names.get(code, NOT_KNOWN) if code else NOT_KNOWN}
        r["locations"] = n
        r["compliance_pct"] = _pct(c, n)
        if measure == MapMeasure.COMPLIANCE:
            r["value"] = _pct(c, n)
        elif measure == MapMeasure.EXPIRED:
            r["value"] = _pct(expired, n)
        elif measure == MapMeasure.SMALL:
            r["value"] = _pct(small, n)
        elif measure == MapMeasure.MEDIUM_REGIONAL:
            r["value"] = medium_regional
        else:
            b_n, b_c = before.get(code, [0, 0])[:2]
            now_pct, then_pct = _pct(c, n), _pct(b_c, b_n)
            r.update(
                compare_to=compare_to.isoformat(),
                compare_locations=b_n,
                compare_compliance_pct=then_pct,
                value=now_pct - then_pct if now_pct is not None and then_pct is not None else None,
            )
        rows.append(r)
    return sorted(rows, key=lambda r: (r["code"] == "", r["group"].casefold()))


def scale_for(measure: str, rows: list[dict]) -> Scale:
    """The colour scale that suits the measure and the values shown."""
    measure = MapMeasure(measure)
    values = [r["value"] for r in rows if r["value"] is not None and r["code"]]
    if measure == MapMeasure.COMPLIANCE:
        return percent()
    if measure == MapMeasure.EXPIRED:
        return percent(low_is_good=True)
    if measure == MapMeasure.SMALL:
        return percent(stops=(PALE, BLUE))
    if measure == MapMeasure.CHANGE:
        # Symmetric about no change: falls red, rises green.
        reach = max((abs(v) for v in values), default=0.0) or 1.0
        return Scale(-reach, reach, (RED, "#f0f4f5", GREEN), lambda v: f"{v:+.1f} points")
    top = max(values, default=0) or 1
    return Scale(0.0, float(top), (PALE, BLUE), lambda v: f"{v:,.0f} locations")

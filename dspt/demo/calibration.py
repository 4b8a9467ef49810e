"""Give each location its chance of being compliant on the anchor day (31 July 2024).

The July 2024 figures (docs/rules.md §9) are margins: 74.6% overall, care homes 84%, large providers
99%, micro/small 63%, regions from ~70% (North West, West Midlands) to ~91% (Yorkshire and The
Humber). A logistic model with one effect per care-home flag, size band and region is fitted to
those margins by raking (adjusting each group's effect in turn until every margin matches). The
groups the figures do not name take whatever keeps the overall figure at 74.6%. CQC rating has a
fixed effect so that better-rated services are more often compliant.

In the demo's shape "2024" (docs/data.md) the model has one more margin, medium-sized regional
providers at 65%, and the raking allows for new locations that cannot be compliant yet
(`reach`); EARLY says how much of each unit's compliance it already had in July 2023.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

from dspt.demo.england import DEFAULT_SHAPE, LARGE, MEDIUM, SMALL, Location
from dspt.demo.history_2024 import FIRST_YEAR, SLOW_EARLIEST, SLOW_LATEST
from dspt.organisations.models import CqcRating

ANCHOR = date(2024, 7, 31)
OVERALL = 0.746
CARE_HOME = 0.84
SIZE = {LARGE: 0.99, SMALL: 0.63}
NORTH_WEST, WEST_MIDLANDS, YORKSHIRE = "E12000002", "E12000005", "E12000003"
REGION = {NORTH_WEST: 0.70, WEST_MIDLANDS: 0.70, YORKSHIRE: 0.91}
# Spread among the regions the figures do not name (logit offsets); their level is fitted.
REGION_OFFSETS = {
    "E12000001": 0.35,  # North East
    "E12000004": 0.05,  # East Midlands
    "E12000006": 0.0,  # East of England
    "E12000007": -0.15,  # London
    "E12000008": 0.0,  # South East
    "E12000009": 0.2,  # South West
}
RATING = {
    CqcRating.OUTSTANDING: 0.5,
    CqcRating.GOOD: 0.0,
    CqcRating.REQUIRES_IMPROVEMENT: -0.35,
    CqcRating.INADEQUATE: -0.8,
    CqcRating.NOT_YET_RATED: -0.9,
}
# Shape "2024" (docs/data.md): medium-sized regional providers' locations are 65% compliant.
MEDIUM_REGIONAL = 0.65
# Shape "2024": the share of a unit's anchor-day compliance already held on 31 July 2023, by
# (care home, size band). Care homes and large providers were mostly compliant a year earlier;
# micro/small non-care services caught up during 2023-24 (+16 points small, +3 large, +7 care
# homes, +18 others, July 2023 to June 2024).
EARLY = {
    (True, LARGE): 0.985,
    (False, LARGE): 0.985,
    (True, MEDIUM): 0.93,
    (False, MEDIUM): 0.80,
    (True, SMALL): 0.89,
    (False, SMALL): 0.57,
}


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def early(loc: Location) -> float:
    """Shape "2024": how much of the location's compliance it already had in July 2023."""
    return EARLY[(loc.care_home, loc.provider.band)]


def medium_regional(locations: list[Location]) -> set[int]:
    """ids of the providers that are medium and regional as the monitoring figures judge them
    (docs/monitoring.md): from the local authorities of their active locations."""
    out = set()
    for provider in {id(loc.provider): loc.provider for loc in locations}.values():
        active = [loc.area for loc in provider.locations if not loc.dormant]
        regions = {a.region_id for a in active}
        if provider.band == MEDIUM and len(regions) == 1 and len({a.ons_code for a in active}) > 1:
            out.add(id(provider))
    return out


def calibrate(locations: list[Location], shape: str = DEFAULT_SHAPE) -> None:
    """Set `p` on every location."""
    population = [loc for loc in locations if not loc.dormant and loc.cqc_registered_on <= ANCHOR]
    chosen = medium_regional(locations) if shape != "2023" else None

    def _key(loc: Location) -> tuple:
        key = (loc.care_home, loc.provider.band, loc.area.region_id, loc.rating)
        # Shape "2023" keeps its cells exactly (same sums, same probabilities to the last bit).
        if chosen is None:
            return key
        return (*key, id(loc.provider) in chosen, reach(loc.cqc_registered_on))

    # Cells: identical covariates share one probability.
    cells: dict[tuple, int] = defaultdict(int)
    for loc in population:
        cells[_key(loc)] += 1
    if not cells:
        return
    total = sum(cells.values())
    effect: dict[tuple[str, object], float] = defaultdict(float)

    def p_of(key) -> float:
        care_home, band, region, rating = key[:4]
        named = region in REGION
        x = (
            effect[("base", None)]
            + effect[("care_home", care_home)]
            + effect[("size", band)]
            + effect[("region", region if named else "rest")]
            + (0.0 if named else REGION_OFFSETS.get(region, 0.0))
            + RATING.get(rating, 0.0)
        )
        if chosen is not None:
            x += effect[("medium_regional", key[4])]
        return sigmoid(x)

    margins = _margins(cells, total)
    if chosen is not None:
        margins.update(_medium_regional_margins(cells, total))
    for _ in range(60):
        for group, (members, target) in margins.items():
            n = sum(cells[k] for k in members)
            if n == 0:
                continue
            current = sum(cells[k] * p_of(k) * _reach_of(k) for k in members) / n
            effect[group] += logit(target) - logit(current)
    for loc in locations:
        loc.p = p_of(_key(loc))


def reach(cqc_registered_on: date) -> float:
    """Shape "2024": the chance that a location can be compliant on the anchor day at all.

    A location that does not register with the toolkit in its first year (history_2024) cannot
    publish before 380-560 days have passed; one that started too near the anchor day is then
    not compliant whatever its `p`. Raking on `p` times this keeps the margins where they were.
    """
    age = (ANCHOR - cqc_registered_on).days
    if age >= SLOW_LATEST:
        return 1.0
    year = min(max(cqc_registered_on.year, min(FIRST_YEAR)), max(FIRST_YEAR))
    slow_in_time = max(0, age - SLOW_EARLIEST + 1) / (SLOW_LATEST - SLOW_EARLIEST + 1)
    return round(FIRST_YEAR[year] + (1 - FIRST_YEAR[year]) * slow_in_time, 2)


def _reach_of(key: tuple) -> float:
    return key[5] if len(key) > 5 else 1.0


def _medium_regional_margins(cells: dict[tuple, int], total: int) -> dict:
    members = {flag: [k for k in cells if k[4] is flag] for flag in (True, False)}
    counts = {flag: sum(cells[k] for k in m) for flag, m in members.items()}
    targets = {True: MEDIUM_REGIONAL, False: _derived({True: MEDIUM_REGIONAL}, counts, total)}
    return {("medium_regional", f): (m, targets[f]) for f, m in members.items() if m}


def _derived(named: dict, counts: dict, total: int) -> float:
    """The target for the unnamed group of a margin that keeps the overall figure."""
    rest = total - sum(counts.get(g, 0) for g in named)
    if rest <= 0:
        return OVERALL
    value = (OVERALL * total - sum(counts.get(g, 0) * t for g, t in named.items())) / rest
    return min(max(value, 0.2), 0.97)


def _margins(cells: dict[tuple, int], total: int) -> dict:
    by: dict[str, dict] = {"care_home": defaultdict(list), "size": defaultdict(list)}
    by["region"] = defaultdict(list)
    for key in cells:
        care_home, band, region = key[:3]
        by["care_home"][care_home].append(key)
        by["size"][band].append(key)
        by["region"][region if region in REGION else "rest"].append(key)

    def count(members):
        return sum(cells[k] for k in members)

    margins: dict = {("base", None): (list(cells), OVERALL)}
    ch_counts = {g: count(m) for g, m in by["care_home"].items()}
    for flag, members in by["care_home"].items():
        target = CARE_HOME if flag else _derived({True: CARE_HOME}, ch_counts, total)
        margins[("care_home", flag)] = (members, target)
    size_counts = {g: count(m) for g, m in by["size"].items()}
    for band, members in by["size"].items():
        target = SIZE.get(band) or _derived(SIZE, size_counts, total)
        margins[("size", band)] = (members, target)
    region_counts = {g: count(m) for g, m in by["region"].items()}
    for region, members in by["region"].items():
        target = REGION.get(region) or _derived(REGION, region_counts, total)
        margins[("region", region)] = (members, target)
    return margins

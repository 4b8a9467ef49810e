"""Work and targeting lists: who to help, and where (DOMAIN §7)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date

from dspt.frameworks import deadlines
from dspt.frameworks.models import DeadlineOverride
from dspt.monitoring.engine import Dataset, bucket_of, dataset
from dspt.monitoring.figures import NATIONAL, Scope, row
from dspt.monitoring.series import current_edition_on
from dspt.statuses.compute import COMPLIANT_STATUSES, Status

PUBLISHED = frozenset({Status.STANDARDS_NOT_MET, Status.APPROACHING, Status.MET, Status.EXCEEDED})
DAYS_PER_MONTH = 365.25 / 12


def _location_row(ds: Dataset, i: int, on: date) -> dict:
    loc = ds.location(i)
    result = ds.status(i, on)
    return {
        "ods_code": loc.ods_code,
        "cqc_location_id": loc.cqc_location_id,
        "name": loc.name,
        "postcode": loc.postcode,
        "local_authority": loc.groups["local_authority"][0],
        "provider": loc.provider_name,
        "provider_size": loc.groups["provider_size"][0],
        "status": result.status.value,
        "status_label": result.label,
        "edition": result.edition or "",
        "published_on": result.published_on.isoformat() if result.published_on else "",
        "valid_until": result.valid_until.isoformat() if result.valid_until else "",
        "covered_by": result.covered_by or "",
    }


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r["local_authority"], r["name"].casefold(), r["ods_code"]))


def _current(ds: Dataset, scope: Scope, on: date):
    day = on.toordinal()
    for i in scope.members(ds):
        if ds.in_population(i, day):
            yield i, ds.status(i, day)


def expired(as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None) -> list[dict]:
    """Locations whose last publication has lapsed."""
    ds = ds or dataset()
    return _sorted(
        [
            _location_row(ds, i, as_of)
            for i, r in _current(ds, scope, as_of)
            if r.status == Status.EXPIRED
        ]
    )


def next_deadline(as_of: date) -> date:
    """The next deadline on or after as_of (that of the edition being worked towards)."""
    overrides = dict(DeadlineOverride.objects.values_list("edition", "deadline"))
    return deadlines.deadline_for(current_edition_on(as_of, overrides), overrides)


def expiring(as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None) -> list[dict]:
    """Valid publications that lapse at the next deadline and have not been renewed.

    A renewal is a publication for the current edition; once there is one the location's
    status rests on it (valid for a year longer), so it drops off this list by itself.
    """
    ds = ds or dataset()
    deadline = next_deadline(as_of)
    return _sorted(
        [
            _location_row(ds, i, as_of)
            for i, r in _current(ds, scope, as_of)
            if r.status in PUBLISHED and r.valid_until is not None and r.valid_until <= deadline
        ]
    )


def never_published(as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None) -> list[dict]:
    """Registered with the toolkit but never published (status Not Published)."""
    ds = ds or dataset()
    return _sorted(
        [
            _location_row(ds, i, as_of)
            for i, r in _current(ds, scope, as_of)
            if r.status == Status.NOT_PUBLISHED
        ]
    )


def small_not_compliant(
    as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None
) -> list[dict]:
    """Locations of micro/small providers that are not compliant."""
    ds = ds or dataset()
    return _sorted(
        [
            _location_row(ds, i, as_of)
            for i, r in _current(ds, scope, as_of)
            if ds.location(i).groups["provider_size"][0] == "Micro/Small"
            and r.status not in COMPLIANT_STATUSES
        ]
    )


def medium_regional_providers(
    as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None
) -> list[dict]:
    """Medium-sized regional providers with at least one location in the area, ranked by how
    many of their locations (anywhere) are not compliant; ties by name."""
    ds = ds or dataset()
    day = as_of.toordinal()
    in_area = {ds.location(i).provider_key for i in scope.members(ds)}
    out = []
    for key in in_area:
        p = ds.population.providers[key]
        if p.size != "Medium" or p.scope != "Regional":
            continue
        counts = [0] * 7
        for loc_id in p.location_ids:
            i = ds.index[loc_id]
            if ds.in_population(i, day):
                counts[bucket_of(ds.status(i, day))] += 1
        r = row(p.name, counts)
        r["provider"] = r.pop("group")
        r["not_compliant_locations"] = r["locations"] - r["compliant"]
        r["local_authorities"] = ", ".join(
            sorted(ds.population.names["local_authority"].get(c, c) for c in p.la_codes)
        )
        out.append(r)
    return sorted(out, key=lambda r: (-r["not_compliant_locations"], r["provider"].casefold()))


def areas_where_small_lag(
    as_of: date, by: str = "local_authority", scope: Scope = NATIONAL, ds: Dataset | None = None
) -> list[dict]:
    """Areas where micro/small providers' locations are less compliant than the rest, biggest
    gap first. Only areas with both micro/small and other locations are listed."""
    ds = ds or dataset()
    small: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rest: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, r in _current(ds, scope, as_of):
        loc = ds.location(i)
        target = small if loc.groups["provider_size"][0] == "Micro/Small" else rest
        for group in loc.groups[by]:
            target[group][0] += 1
            target[group][1] += r.status in COMPLIANT_STATUSES
    out = []
    for group in small.keys() & rest.keys():
        s_n, s_c = small[group]
        o_n, o_c = rest[group]
        s_pct, o_pct = 100.0 * s_c / s_n, 100.0 * o_c / o_n
        if s_pct < o_pct:
            out.append(
                {
                    "group": group,
                    "small_locations": s_n,
                    "small_compliance_pct": s_pct,
                    "other_locations": o_n,
                    "other_compliance_pct": o_pct,
                    "gap_pts": o_pct - s_pct,
                }
            )
    return sorted(out, key=lambda r: (-r["gap_pts"], r["group"]))


def new_locations(as_of: date, scope: Scope = NATIONAL, ds: Dataset | None = None) -> list[dict]:
    """By year of CQC registration: how many registered with the toolkit within a year of
    starting, and the months from CQC registration to first publication (own or head office's).

    Only locations registered with CQC at least a year before as_of are judged on the first-year
    share (the others have not had a full year); months to first publication count locations
    that have published by as_of.
    """
    ds = ds or dataset()
    day = as_of.toordinal()
    cohorts: dict[int, dict] = defaultdict(lambda: {"n": 0, "judged": 0, "first_year": 0, "m": []})
    for i in scope.members(ds):
        loc = ds.location(i)
        start = loc.cqc_registered_on
        if start is None or start > as_of:
            continue
        c = cohorts[start.year]
        c["n"] += 1
        first_reg = first_pub = None
        for d, result in zip(ds.days[i], ds.results[i], strict=True):
            if d > day:
                break
            if first_reg is None and result.status != Status.NOT_REGISTERED:
                first_reg = d
            if result.status in PUBLISHED or result.status == Status.EXPIRED:
                first_pub = d
                first_reg = first_reg or d
                break
        if start.toordinal() + 365 <= day:
            c["judged"] += 1
            c["first_year"] += first_reg is not None and first_reg <= start.toordinal() + 365
        if first_pub is not None:
            c["m"].append(max(0, first_pub - start.toordinal()) / DAYS_PER_MONTH)
    out = []
    for year in sorted(cohorts):
        c = cohorts[year]
        out.append(
            {
                "group": str(year),
                "locations": c["n"],
                "judged_first_year": c["judged"],
                "registered_in_first_year": c["first_year"],
                "first_year_pct": 100.0 * c["first_year"] / c["judged"] if c["judged"] else None,
                "published": len(c["m"]),
                "median_months_to_first_publication": statistics.median(c["m"]) if c["m"] else None,
                "mean_months_to_first_publication": statistics.fmean(c["m"]) if c["m"] else None,
            }
        )
    return out

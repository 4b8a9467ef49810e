# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""Work and targeting lists: who to help, and where (docs/rules.md §7).

Each list is a query over the location dimension and the status interval that holds on the
day; the statuses were decided by the status rule when the intervals were written.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from dspt.frameworks import deadlines
from dspt.monitoring.figures import grouped_counts, row
from dspt.monitoring.series import current_edition_on
from dspt.monitoring.sql import (
    BUCKET_OF,
    BUCKETS,
    COMPLIANT_BUCKETS,
    IN_POPULATION,
    LOCATION_SPANS,
    NATIONAL,
    ON_DAY,
    Scope,
    fetch,
    on_day,
)
from dspt.statuses.compute import COMPLIANT_STATUSES, Status
from dspt.statuses.facts import as_date, marks, moved_deadlines
from dspt.statuses.selectors import RESULT_COLUMNS, result_from_row

PUBLISHED = frozenset({Status.STANDARDS_NOT_MET, Status.APPROACHING, Status.MET, Status.EXCEEDED})
DAYS_PER_MONTH = 365.25 / 12
SMALL = "Micro/Small"


_LISTED = (
    "SELECT l.ods_code, l.cqc_location_id, l.name, l.postcode, l.local_authority, "
    f"l.provider_name, l.provider_size, {RESULT_COLUMNS} {LOCATION_SPANS} AND {ON_DAY} "
    f"WHERE {IN_POPULATION}"
)


def _locations(as_of: date, scope: Scope, condition: str = "", params: tuple = ()) -> list[dict]:
    """The area's locations in the population on `as_of` whose interval meets `condition`,
    one row each, sorted by local authority, name and code."""
    area, area_params = scope.where()
    found = fetch(f"{_LISTED}{area}{condition}", [*on_day(as_of), *area_params, *params])
    rows = _rows(found)
    return sorted(rows, key=lambda r: (r["local_authority"], r["name"].casefold(), r["ods_code"]))


def _rows(found: list[tuple]) -> list[dict]:
    rows = []
    for code, cqc_id, name, postcode, la, provider, size, *cols in found:
        result = result_from_row(*cols)
        rows.append(
            {
                "ods_code": code,
                "cqc_location_id": cqc_id,
                "name": name,
                "postcode": postcode,
                "local_authority": la,
                "provider": provider,
                "provider_size": size,
                "status": result.status.value,
                "status_label": result.label,
                "edition": result.edition or "",
                "published_on": result.published_on.isoformat() if result.published_on else "",
                "valid_until": result.valid_until.isoformat() if result.valid_until else "",
                "covered_by": result.covered_by or "",
            }
        )
    return rows


# Sort keys a person may choose for the location list, each with a tie-break by name and code.
SORTS = {
    "name": "l.name",
    "local_authority": "l.local_authority",
    "provider": "l.provider_name",
    "provider_size": "l.provider_size",
    "status": "i.status",
    "valid_until": "i.valid_until",
}
# Status filters: the two broad groups, then each status on its own.
STATUS_CHOICES: dict[str, tuple[str, frozenset]] = {
    "compliant": ("Compliant (any level)", COMPLIANT_STATUSES),
    "not_compliant": ("Not compliant (any reason)", frozenset(Status) - COMPLIANT_STATUSES),
    **{s.value: (s.label, frozenset({s})) for s in Status},
}


@dataclass(frozen=True, slots=True)
class ListFilters:
    """What the location list is limited to: a status group, provider size, care home."""

    status: str = ""
    provider_size: str = ""
    care_home: str = ""

    def where(self) -> tuple[str, list]:
        sql, params = "", []
        if self.status in STATUS_CHOICES:
            chosen = sorted(s.value for s in STATUS_CHOICES[self.status][1])
            sql += f" AND i.status IN ({marks(len(chosen))})"
            params += chosen
        if self.provider_size:
            sql += " AND l.provider_size = %s"
            params.append(self.provider_size)
        if self.care_home:
            sql += " AND l.care_home = %s"
            params.append(self.care_home)
        return sql, params


def area_locations(
    as_of: date,
    scope: Scope = NATIONAL,
    filters: ListFilters = ListFilters(),  # noqa: B008 - frozen, so one shared default is safe
    *,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[dict], int]:
    """One page of every location in the area on `as_of` (every status, not registered and
    never published included; every provider size), filtered and sorted in the database, and
    how many match in all."""
    area, area_params = scope.where()
    limit, limit_params = filters.where()
    params = [*on_day(as_of), *area_params, *limit_params]
    (matched,) = fetch(
        f"SELECT COUNT(*) {LOCATION_SPANS} AND {ON_DAY} WHERE {IN_POPULATION}{area}{limit}",
        params,
    )[0]
    direction = "DESC" if descending else "ASC"
    column = SORTS.get(sort, SORTS["name"])
    # Blanks (no valid-until day) last either way, on SQLite and PostgreSQL alike.
    order = f"({column} IS NULL), {column} {direction}, l.name, l.ods_code"
    found = fetch(
        f"{_LISTED}{area}{limit} ORDER BY {order} LIMIT %s OFFSET %s",
        [*params, per_page, (max(page, 1) - 1) * per_page],
    )
    return _rows(found), matched


def expired(as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """Locations whose last publication has lapsed."""
    return _locations(as_of, scope, " AND i.status = %s", (Status.EXPIRED.value,))


def next_deadline(as_of: date) -> date:
    """The next deadline on or after as_of (that of the edition being worked towards)."""
    overrides = moved_deadlines()
    return deadlines.deadline_for(current_edition_on(as_of, overrides), overrides)


def expiring(as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """Valid publications that lapse at the next deadline and have not been renewed.

    A renewal is a publication for the current edition; once there is one the location's
    status rests on it (valid for a year longer), so it drops off this list by itself.
    """
    published = sorted(s.value for s in PUBLISHED)
    return _locations(
        as_of,
        scope,
        f" AND i.status IN ({marks(len(published))}) AND i.valid_until <= %s",
        (*published, next_deadline(as_of).isoformat()),
    )


def never_published(as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """Registered with the toolkit but never published (status Not Published)."""
    return _locations(as_of, scope, " AND i.status = %s", (Status.NOT_PUBLISHED.value,))


def small_not_compliant(as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """Locations of micro/small providers that are not compliant."""
    compliant = [s for s, b in BUCKET_OF.items() if b in COMPLIANT_BUCKETS]
    return _locations(
        as_of,
        scope,
        f" AND l.provider_size = %s AND i.status NOT IN ({marks(len(compliant))})",
        (SMALL, *compliant),
    )


def medium_regional_providers(as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """Medium-sized regional providers with at least one location in the area, ranked by how
    many of their locations (anywhere) are not compliant; ties by name."""
    area, area_params = scope.where("a")
    chosen = (
        "l.provider_size = 'Medium' AND l.scope = 'Regional' AND l.provider_key IN "
        f"(SELECT a.provider_key FROM monitoring_location a WHERE 1 = 1{area})"
    )
    providers: dict[str, dict] = {}
    for key, name, la_code, la in fetch(
        f"SELECT l.provider_key, l.provider_name, l.la_code, l.local_authority "
        f"FROM monitoring_location l WHERE {chosen}",
        area_params,
    ):
        p = providers.setdefault(key, {"name": name, "las": set(), "counts": [0] * len(BUCKETS)})
        if la_code:
            p["las"].add(la)
    for key, status, n in fetch(
        f"SELECT l.provider_key, i.status, COUNT(*) {LOCATION_SPANS} AND {ON_DAY} "
        f"WHERE {IN_POPULATION} AND {chosen} GROUP BY l.provider_key, i.status",
        [*on_day(as_of), *area_params],
    ):
        providers[key]["counts"][BUCKET_OF[status]] += n
    out = []
    for p in providers.values():
        r = row(p["name"], p["counts"])
        r["provider"] = r.pop("group")
        r["not_compliant_locations"] = r["locations"] - r["compliant"]
        r["local_authorities"] = ", ".join(sorted(p["las"]))
        out.append(r)
    return sorted(out, key=lambda r: (-r["not_compliant_locations"], r["provider"].casefold()))


def areas_where_small_lag(
    as_of: date, by: str = "local_authority", scope: Scope = NATIONAL
) -> list[dict]:
    """Areas where micro/small providers' locations are less compliant than the rest, biggest
    gap first. Only areas with both micro/small and other locations are listed."""
    small: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rest: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (name, size, *_), counts in grouped_counts([by, "provider_size"], as_of, scope).items():
        target = small if size == SMALL else rest
        target[name][0] += sum(counts)
        target[name][1] += sum(counts[b] for b in COMPLIANT_BUCKETS)
    out = []
    for name in small.keys() & rest.keys():
        s_n, s_c = small[name]
        o_n, o_c = rest[name]
        s_pct, o_pct = 100.0 * s_c / s_n, 100.0 * o_c / o_n
        if s_pct < o_pct:
            out.append(
                {
                    "group": name,
                    "small_locations": s_n,
                    "small_compliance_pct": s_pct,
                    "other_locations": o_n,
                    "other_compliance_pct": o_pct,
                    "gap_pts": o_pct - s_pct,
                }
            )
    return sorted(out, key=lambda r: (-r["gap_pts"], r["group"]))


def new_locations(as_of: date, scope: Scope = NATIONAL) -> list[dict]:
    """By year of CQC registration: how many registered with the toolkit within a year of
    starting, and the months from CQC registration to first publication (own or head office's).

    Only locations registered with CQC at least a year before as_of are judged on the first-year
    share (the others have not had a full year); months to first publication count locations
    that have published by as_of.
    """
    published = sorted({*(s.value for s in PUBLISHED), Status.EXPIRED.value})
    area, area_params = scope.where()
    iso = as_of.isoformat()
    found = fetch(
        "SELECT l.organisation_id, l.cqc_registered_on, "
        "MIN(CASE WHEN i.status <> %s THEN i.first_day END), "
        f"MIN(CASE WHEN i.status IN ({marks(len(published))}) THEN i.first_day END) "
        f"{LOCATION_SPANS} WHERE l.cqc_registered_on IS NOT NULL AND l.cqc_registered_on <= %s "
        f"AND i.first_day <= %s{area} GROUP BY l.organisation_id, l.cqc_registered_on",
        [Status.NOT_REGISTERED.value, *published, iso, iso, *area_params],
    )
    day = as_of.toordinal()
    cohorts: dict[int, dict] = defaultdict(lambda: {"n": 0, "judged": 0, "first_year": 0, "m": []})
    for _oid, start, first_reg, first_pub in found:
        start, first_reg, first_pub = as_date(start), as_date(first_reg), as_date(first_pub)
        c = cohorts[start.year]
        c["n"] += 1
        if start.toordinal() + 365 <= day:
            c["judged"] += 1
            c["first_year"] += (
                first_reg is not None and first_reg.toordinal() <= start.toordinal() + 365
            )
        if first_pub is not None:
            c["m"].append(max(0, first_pub.toordinal() - start.toordinal()) / DAYS_PER_MONTH)
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

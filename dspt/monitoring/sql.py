"""The SQL every figure shares: the population joined to the status interval table on a day.

Figures are plain queries over two derived tables — the location dimension
(`monitoring_location`, population.py) and the status intervals (`statuses_statusinterval`) —
the same on SQLite and PostgreSQL; the few spellings that differ between them are here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection

from dspt.statuses.compute import Status

# Every location falls in exactly one bucket (the CONTRACT row's columns, in order).
BUCKETS = (
    "approaching",
    "met",
    "exceeded",
    "expired",
    "not_compliant",
    "not_published",
    "not_registered",
)
BUCKET_OF = {
    Status.APPROACHING.value: 0,
    Status.MET.value: 1,
    Status.EXCEEDED.value: 2,
    Status.EXPIRED.value: 3,
    Status.STANDARDS_NOT_MET.value: 4,
    Status.NOT_PUBLISHED.value: 5,
    Status.NOT_REGISTERED.value: 6,
}
COMPLIANT_BUCKETS = frozenset({0, 1, 2})
AREA_COLUMNS = {
    "lso": "lso_code",
    "local_authority": "la_code",
    "icb": "icb_code",
    "region": "region_code",
}
# Columns of monitoring_location holding each single-valued dimension's group.
GROUP_COLUMNS = {
    "region": "l.region",
    "local_authority": "l.local_authority",
    "icb": "l.icb",
    "lso": "l.lso",
    "provider_size": "l.provider_size",
    "service_type": "l.service_type",
    "rating": "l.rating",
    "scope": "l.scope",
    "care_home": "l.care_home",
    "client_group": "cg.client_group",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """An area the figures are limited to: national, or one LSO / local authority / ICB / region."""

    kind: str = "national"  # national, lso, local_authority, icb, region
    code: str = ""
    label: str = "England"

    def where(self, alias: str = "l") -> tuple[str, list]:
        """A condition (starting with AND) limiting `alias`'s locations to this area."""
        if self.kind == "national":
            return "", []
        return f" AND {alias}.{AREA_COLUMNS[self.kind]} = %s", [self.code]


NATIONAL = Scope()

# A location counts from its CQC registration day (when known).
IN_POPULATION = "(l.cqc_registered_on IS NULL OR l.cqc_registered_on <= %s)"
# The status interval that holds on a day (the day twice).
ON_DAY = "i.first_day <= %s AND (i.last_day IS NULL OR i.last_day >= %s)"
LOCATION_SPANS = (
    "FROM monitoring_location l "
    "JOIN statuses_statusinterval i ON i.organisation_id = l.organisation_id"
)


def on_day(day: date) -> list:
    """Parameters for `IN_POPULATION` followed by `ON_DAY`."""
    iso = day.isoformat()
    return [iso, iso, iso]


def month_of(expr: str) -> str:
    """'YYYY-MM' of a date expression."""
    if connection.vendor == "postgresql":
        return f"to_char({expr}, 'YYYY-MM')"
    return f"substr({expr}, 1, 7)"


def day_after(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"({expr} + 1)"
    return f"date({expr}, '+1 day')"


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def location_spans(condition: str = "", params: list | tuple = ()) -> dict[int, list[tuple]]:
    """Location id -> its status spans as (first day ordinal, bucket), in day order, for the
    population locations meeting `condition` (SQL on alias `l`, starting with AND)."""
    out: dict[int, list[tuple]] = {}
    for oid, first, status in fetch(
        f"SELECT l.organisation_id, i.first_day, i.status {LOCATION_SPANS} "
        f"WHERE 1 = 1{condition} ORDER BY l.organisation_id, i.first_day",
        list(params),
    ):
        day = first if isinstance(first, date) else date.fromisoformat(first)
        out.setdefault(oid, []).append((day.toordinal(), BUCKET_OF[status]))
    return out

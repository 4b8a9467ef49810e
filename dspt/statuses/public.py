# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""The public status record: one indexed query joining an organisation to its span on the day.

The public look-up is the platform's hottest path (anyone, any system, any time). The status is
already decided in the status interval table, so a record costs one query however many are
asked for, on any date, and nothing is kept between requests. Nothing private is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.db import connection

from dspt.core.dates import today
from dspt.organisations.models import SECTOR_LABELS
from dspt.statuses.facts import marks
from dspt.statuses.selectors import (
    ON_DAY,
    RESULT_COLUMNS,
    judged_afresh,
    result_from_row,
    status_record,
)

_SQL = f"""
SELECT o.id, o.ods_code, o.name, o.org_type, o.postcode, {RESULT_COLUMNS}
FROM organisations_organisation o
LEFT JOIN statuses_statusinterval i ON i.organisation_id = o.id AND {ON_DAY}
WHERE o.{{column}} IN ({{marks}})
"""


@dataclass(frozen=True, slots=True)
class PublicOrganisation:
    """The public facts of an organisation, enough for a status record."""

    id: int
    ods_code: str
    name: str
    org_type: str
    postcode: str

    @property
    def sector_label(self) -> str:
        return SECTOR_LABELS.get(self.org_type, "Other")


def public_records(keys: list, *, by: str = "id", on: date | None = None) -> list[dict]:
    """Status records for organisations given by id (or by ODS code with by="ods_code"), in the
    order given; unknown keys are left out."""
    if not keys:
        return []
    column = {"id": "id", "ods_code": "ods_code"}[by]
    day = on or today()
    iso = day.isoformat()
    with connection.cursor() as cur:
        cur.execute(_SQL.format(column=column, marks=marks(len(keys))), [iso, iso, *keys])
        rows = cur.fetchall()
    unjudged = [r[0] for r in rows if r[5] is None]
    afresh = judged_afresh(unjudged, day) if unjudged else {}
    found: dict = {}
    for oid, code, name, org_type, postcode, *result in rows:
        if result[0] is None:
            org = PublicOrganisation(oid, code, name, org_type, postcode or "")
            record = status_record(org, afresh[oid])
        else:
            record = _record(code, name, org_type, postcode, *result)
        found[oid if by == "id" else code] = record
    return [found[k] for k in keys if k in found]


def _iso(value) -> str | None:
    # SQLite gives ISO text already; PostgreSQL gives dates.
    return value if value is None or isinstance(value, str) else value.isoformat()


@lru_cache(maxsize=4096)
def _judged(status: str, edition: str, covered_by: str, lapsed: str) -> tuple:
    """The parts of a record that depend only on what was decided: label, compliant, unlocks."""
    result = result_from_row(status, edition, None, None, covered_by, lapsed)
    return result.label, result.compliant, result.unlocks


def _record(code, name, org_type, postcode, status, edition, published, until, by, lapsed):
    """A status record (the same fields as selectors.status_record) straight from a row: the
    hot path of every look-up and search."""
    label, compliant, unlocks = _judged(status, edition or "", by or "", lapsed or "")
    return {
        "ods_code": code,
        "name": name,
        "sector": SECTOR_LABELS.get(org_type, "Other"),
        "postcode": postcode or "",
        "status": status,
        "status_label": label,
        "edition": edition or None,
        "published_on": _iso(published),
        "valid_until": _iso(until),
        "compliant": compliant,
        "covered_by": by or None,
        "unlocks": list(unlocks),
    }

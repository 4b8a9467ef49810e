# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""Read statuses: what the status rule decided, from the status interval table.

Every page, API response, export and figure that shows a status reads it here (or joins the
same table in SQL). A day is a range condition over the organisation's spans, so "as of any
date" costs the same as today. Should an organisation have no row (a write that forgot to
announce itself), its status is worked out from the facts by the same rule and a warning is
logged, so nobody is ever shown a wrong status.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection

from dspt.core.dates import today
from dspt.organisations.models import Organisation
from dspt.statuses.compute import Status, StatusResult, status_on
from dspt.statuses.facts import Calendar, as_date, chunks, histories, marks

logger = logging.getLogger(__name__)

# The span that holds on a day: `ON_DAY` needs the day twice.
ON_DAY = "i.first_day <= %s AND (i.last_day IS NULL OR i.last_day >= %s)"
RESULT_COLUMNS = "i.status, i.edition, i.published_on, i.valid_until, i.covered_by, i.lapsed_level"


def result_from_row(status, edition, published_on, valid_until, covered_by, lapsed) -> StatusResult:
    """A StatusResult from the RESULT_COLUMNS of an interval row."""
    return StatusResult(
        status=Status(status),
        edition=edition or None,
        published_on=as_date(published_on),
        valid_until=as_date(valid_until),
        covered_by=covered_by or None,
        lapsed_level=lapsed or None,
    )


def results_on(organisation_ids: Iterable[int], on: date) -> dict[int, StatusResult]:
    """Each organisation's status on `on`."""
    ids = sorted(set(organisation_ids))
    day = on.isoformat()
    out: dict[int, StatusResult] = {}
    with connection.cursor() as cur:
        for chunk in chunks(ids):
            cur.execute(
                f"SELECT i.organisation_id, {RESULT_COLUMNS} FROM statuses_statusinterval i "
                f"WHERE i.organisation_id IN ({marks(len(chunk))}) AND {ON_DAY}",
                [*chunk, day, day],
            )
            for oid, *cols in cur.fetchall():
                out[oid] = result_from_row(*cols)
    missing = [i for i in ids if i not in out]
    if missing:
        out.update(judged_afresh(missing, on))
    return out


def judged_afresh(organisation_ids: list[int], on: date) -> dict[int, StatusResult]:
    """The status rule applied to the facts, for organisations the table has no row for."""
    found = histories(organisation_ids)
    if found:
        logger.warning("No status intervals for organisations %s: judged afresh", sorted(found))
    calendar = Calendar()
    return {oid: status_on(h, on, calendar.valid_until) for oid, h in found.items()}


def status_of(organisation: Organisation, on: date | None = None) -> StatusResult:
    """One organisation's status on a day (today by default)."""
    day = on or today()
    return results_on([organisation.id], day).get(
        organisation.id, StatusResult(status=Status.NOT_REGISTERED)
    )


def statuses_of(orgs: Iterable[Organisation], on: date | None = None) -> dict[int, StatusResult]:
    """Many organisations' statuses on one day."""
    return results_on([o.id for o in orgs], on or today())


def status_record(org, result: StatusResult) -> dict[str, Any]:
    """The public organisation status record (docs/interfaces.md). Never answers, gaps or plans."""
    return {
        "ods_code": org.ods_code,
        "name": org.name,
        "sector": org.sector_label,
        "postcode": org.postcode,
        "status": result.status.value,
        "status_label": result.label,
        "edition": result.edition,
        "published_on": result.published_on.isoformat() if result.published_on else None,
        "valid_until": result.valid_until.isoformat() if result.valid_until else None,
        "compliant": result.compliant,
        "covered_by": result.covered_by,
        "unlocks": result.unlocks,
    }

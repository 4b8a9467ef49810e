# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""The public CSV of every organisation's current status, in the DSPT search export's columns."""

from collections.abc import Iterator
from datetime import date

from django.db import connection

from dspt.core.csvsafe import write_csv
from dspt.core.dates import today
from dspt.organisations.models import SECTOR_LABELS
from dspt.statuses.compute import Status, edition_label
from dspt.statuses.selectors import ON_DAY, RESULT_COLUMNS, judged_afresh, result_from_row

EXPORT_COLUMNS = [
    "Code",
    "Organisation Name",
    "Status",
    "Date Of Publication",
    "Primary Sector",
    "Integrated Care Board",
]


def export_status_text(result) -> str:
    """The export's Status cell. As in the national export, an expired publication still shows
    its edition and level ('22/23 Standards Met'): the edition tells readers it has lapsed."""
    if result.status == Status.EXPIRED and result.edition and result.lapsed_level:
        return f"{edition_label(result.edition)} {Status(result.lapsed_level).label}"
    return result.label


# Rows read and sent per query: the first bytes leave at once, and memory stays flat however many
# organisations there are.
CHUNK_ROWS = 5000


def _chunk(day: date, after: str, limit: int) -> list[list]:
    """Up to `limit` export rows for organisations whose code sorts after `after`."""
    iso = day.isoformat()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT o.id, o.ods_code, o.name, o.org_type, icb.name, "
            f"{RESULT_COLUMNS} FROM organisations_organisation o "
            "LEFT JOIN organisations_icb icb ON icb.ods_code = o.icb_id "
            f"LEFT JOIN statuses_statusinterval i ON i.organisation_id = o.id AND {ON_DAY} "
            "WHERE o.ods_code IS NOT NULL AND o.ods_code > %s ORDER BY o.ods_code LIMIT %s",
            [iso, iso, after, limit],
        )
        found = cur.fetchall()
    unjudged = [r[0] for r in found if r[5] is None]
    afresh = judged_afresh(unjudged, day) if unjudged else {}
    rows = []
    for oid, code, name, org_type, icb, *cols in found:
        result = afresh[oid] if cols[0] is None else result_from_row(*cols)
        rows.append(
            [
                code,
                name,
                export_status_text(result),
                result.published_on.strftime("%d/%m/%Y") if result.published_on else "",
                SECTOR_LABELS.get(org_type, "Other"),
                icb or "",
            ]
        )
    return rows


def statuses_csv_chunks(chunk_rows: int | None = None) -> Iterator[str]:
    """Every organisation with an ODS code, sorted by code, as it stands today: the header, then
    one piece of CSV text per `chunk_rows` organisations (read by code, so each piece is one
    short query and a response can stream them)."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    day = today()
    yield write_csv(EXPORT_COLUMNS, [])
    after = ""
    while True:
        rows = _chunk(day, after, chunk_rows)
        if not rows:
            return
        yield write_csv(None, rows)
        if len(rows) < chunk_rows:
            return
        after = rows[-1][0]


def statuses_csv() -> str:
    """Every organisation with an ODS code, sorted by code, as it stands today, as one text."""
    return "".join(statuses_csv_chunks())

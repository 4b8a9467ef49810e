# ruff: noqa: S608 - SQL is built from fixed table and column names and placeholders, never from data.
"""The public CSV of every organisation's current status, in the DSPT search export's columns."""

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


def statuses_csv() -> str:
    """Every organisation with an ODS code, sorted by code, as it stands today."""
    day = today().isoformat()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT o.id, o.ods_code, o.name, o.org_type, icb.name, "
            f"{RESULT_COLUMNS} FROM organisations_organisation o "
            "LEFT JOIN organisations_icb icb ON icb.ods_code = o.icb_id "
            f"LEFT JOIN statuses_statusinterval i ON i.organisation_id = o.id AND {ON_DAY} "
            "WHERE o.ods_code IS NOT NULL ORDER BY o.ods_code",
            [day, day],
        )
        found = cur.fetchall()
    unjudged = [r[0] for r in found if r[5] is None]
    afresh = judged_afresh(unjudged, today()) if unjudged else {}
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
    return write_csv(EXPORT_COLUMNS, rows)

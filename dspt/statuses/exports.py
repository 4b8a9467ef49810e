"""The public CSV of every organisation's current status, in the DSPT search export's columns."""

from dspt.core.csvsafe import write_csv
from dspt.core.dates import today
from dspt.organisations.models import Organisation
from dspt.statuses.calendar import valid_until_function
from dspt.statuses.compute import Status, edition_label, status_on
from dspt.statuses.selectors import all_histories

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
    """Every organisation with an ODS code, sorted by code."""
    orgs = list(
        Organisation.objects.filter(ods_code__isnull=False)
        .select_related("icb")
        .order_by("ods_code")
    )
    histories = all_histories(orgs)
    on = today()
    valid_until = valid_until_function()
    rows = []
    for org in orgs:
        result = status_on(histories[org.id], on, valid_until)
        rows.append(
            [
                org.ods_code,
                org.name,
                export_status_text(result),
                result.published_on.strftime("%d/%m/%Y") if result.published_on else "",
                org.sector_label,
                org.icb.name if org.icb else "",
            ]
        )
    return write_csv(EXPORT_COLUMNS, rows)

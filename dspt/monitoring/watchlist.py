"""Commissioners' watchlists: upload, what changed, alerts (services and reads)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from dspt.accounts.models import OversightRole, User
from dspt.audit.services import record
from dspt.core.archives import upload_limits
from dspt.core.csvread import unreadable
from dspt.core.dates import today
from dspt.core.spreadsheets import NEW_SHEET, SheetLimits, SpreadsheetRefused, open_spreadsheet
from dspt.monitoring.models import AlertKind, WatchlistEntry
from dspt.notifications.services import notify
from dspt.organisations.models import Organisation
from dspt.statuses.compute import RANK, Status, StatusResult
from dspt.statuses.selectors import statuses_of

CQC_ID = re.compile(r"^1-\d{6,12}$")
ODS = re.compile(r"^[A-Z0-9]{1,9}$")
ID_HEADERS = {
    "cqc location id",
    "location id",
    "ods code",
    "location ods code",
    "ods",
    "code",
    "id",
}
MAX_ROWS = 20000


class UploadError(ValueError):
    """The file cannot be used; `problems` lists each one by row."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


@dataclass
class UploadResult:
    added: int
    kept: int
    removed: int


def read_identifiers(name: str, content: bytes) -> list[tuple[int, str]]:
    """(row number, identifier) pairs from a CSV or XLSX upload.

    The identifiers come from the column headed like "CQC location ID" or "ODS code", or the
    first column when no header matches. Row numbers are as the person sees them in the file.
    A workbook is read row by row (dspt.core.spreadsheets) and reading stops at the limits.
    """
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        rows = _csv_rows(content)
    else:
        raise UploadError(["Upload a CSV file or an Excel workbook (.xlsx)."])
    out: list[tuple[int, str]] = []
    col = None
    try:
        for n, r in rows:
            if col is None:
                header = [str(c or "").strip().lower() for c in r]
                col = next((i for i, h in enumerate(header) if h in ID_HEADERS), None)
                if col is not None:
                    continue
                col = 0
            value = str(r[col]).strip() if col < len(r) and r[col] is not None else ""
            if value:
                if len(out) == MAX_ROWS:
                    raise UploadError([f"The file has more than {MAX_ROWS:,} rows."])
                out.append((n, value))
    except SpreadsheetRefused as exc:
        raise UploadError([str(exc)]) from None
    if col is None:
        raise UploadError(["The file is empty."])
    return out


def _csv_rows(content: bytes) -> Iterator[tuple[int, list]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise UploadError([unreadable(exc, reader.line_num)]) from None


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list]]:
    """The first sheet's rows that hold a value (values as last saved, formulas not run)."""
    try:
        book = open_spreadsheet(content, _sheet_limits(), data_only=True, kinds=("xlsx",))
    except SpreadsheetRefused as exc:
        raise UploadError([str(exc)]) from None
    return ((n, r) for n, r in book.rows(0) if n != NEW_SHEET)


def _sheet_limits() -> SheetLimits:
    # A header (and a few lines above it) besides the identifiers; a list has one or two
    # columns, exports from other systems a few dozen.
    return SheetLimits(upload_limits(), max_rows=MAX_ROWS + 10, max_columns=50)


def resolve(identifiers: list[tuple[int, str]]) -> dict[int, str]:
    """Map identifiers to location ids; a provider's ODS code adds all its active locations.

    Raises UploadError listing every identifier that matches nothing.
    """
    wanted_cqc = {v for _, v in identifiers if CQC_ID.match(v)}
    wanted_ods = {v.upper() for _, v in identifiers if not CQC_ID.match(v)}
    by_cqc = dict(
        Organisation.objects.filter(cqc_location_id__in=wanted_cqc).values_list(
            "cqc_location_id", "id"
        )
    )
    ods_rows = Organisation.objects.filter(ods_code__in=wanted_ods).values_list(
        "ods_code", "id", "is_cqc_provider"
    )
    by_ods = {code: (oid, is_provider) for code, oid, is_provider in ods_rows}
    provider_sites: dict[int, list[int]] = {}
    provider_ids = [oid for oid, is_provider in by_ods.values() if is_provider]
    for site_id, parent_id in (
        Organisation.objects.care_locations()
        .filter(parent_id__in=provider_ids)
        .values_list("id", "parent_id")
    ):
        provider_sites.setdefault(parent_id, []).append(site_id)
    found: dict[int, str] = {}
    problems = []
    for n, value in identifiers:
        if CQC_ID.match(value):
            oid = by_cqc.get(value)
            if oid is None:
                problems.append(f"Row {n}: no location has the CQC location ID {value}.")
                continue
            found.setdefault(oid, value)
            continue
        code = value.upper()
        if not ODS.match(code):
            problems.append(f"Row {n}: '{value}' is neither a CQC location ID nor an ODS code.")
            continue
        if code not in by_ods:
            problems.append(f"Row {n}: no organisation has the ODS code {code}.")
            continue
        oid, is_provider = by_ods[code]
        if is_provider:
            sites = provider_sites.get(oid, [])
            if not sites:
                problems.append(f"Row {n}: the provider {code} has no active locations.")
            for site in sites:
                found.setdefault(site, code)
        else:
            found.setdefault(oid, code)
    if problems:
        raise UploadError(problems)
    return found


@transaction.atomic
def replace_watchlist(
    commissioner: Organisation, located: dict[int, str], *, by, on: date, request=None
) -> UploadResult:
    """Make the watchlist exactly these locations. Kept entries keep their 'last seen' status;
    new ones start from today's status (so nothing shows as changed on day one)."""
    existing = {e.location_id: e for e in WatchlistEntry.objects.filter(commissioner=commissioner)}
    removed = [e.id for loc, e in existing.items() if loc not in located]
    WatchlistEntry.objects.filter(id__in=removed).delete()
    new_ids = [loc for loc in located if loc not in existing]
    orgs = list(Organisation.objects.filter(id__in=new_ids))
    WatchlistEntry.objects.bulk_create(new_entries(commissioner, orgs, located, on))
    result = UploadResult(added=len(orgs), kept=len(existing) - len(removed), removed=len(removed))
    record(
        "watchlist.uploaded",
        actor=by,
        organisation=commissioner,
        detail={"added": result.added, "kept": result.kept, "removed": result.removed},
        request=request,
    )
    return result


def new_entries(
    commissioner: Organisation, orgs: list[Organisation], identifiers: dict[int, str], on: date
) -> list[WatchlistEntry]:
    """Unsaved entries for these locations, added on `on` and starting from their status that
    day as both the 'last seen' one and the last alert run's (so nothing shows as changed)."""
    statuses = statuses_of(orgs, on)
    return [
        WatchlistEntry(
            commissioner=commissioner,
            location=o,
            identifier=identifiers[o.id],
            added_on=on,
            seen_status=statuses[o.id].status.value,
            seen_label=statuses[o.id].label,
            seen_on=on,
            alert_status=statuses[o.id].status.value,
            alert_checked_on=on,
        )
        for o in orgs
    ]


def entries_with_status(commissioner: Organisation, on: date) -> list[dict]:
    """Every watched location with its status today and what changed since last seen."""
    entries = list(
        WatchlistEntry.objects.filter(commissioner=commissioner).select_related(
            "location", "location__parent", "location__local_authority"
        )
    )
    statuses = statuses_of([e.location for e in entries], on)
    rows = []
    for e in entries:
        s: StatusResult = statuses[e.location_id]
        loc = e.location
        changed = bool(e.seen_status) and s.status.value != e.seen_status
        rows.append(
            {
                "entry_id": e.id,
                "cqc_location_id": loc.cqc_location_id or "",
                "ods_code": loc.ods_code or "",
                "name": loc.name,
                "provider": loc.parent.name if loc.parent else "",
                "postcode": loc.postcode,
                "local_authority": loc.local_authority.name if loc.local_authority else "",
                "status": s.status.value,
                "status_label": s.label,
                "edition": s.edition or "",
                "published_on": s.published_on.isoformat() if s.published_on else "",
                "valid_until": s.valid_until.isoformat() if s.valid_until else "",
                "compliant": "Yes" if s.compliant else "No",
                "covered_by": s.covered_by or "",
                "seen_label": e.seen_label,
                "seen_on": e.seen_on.isoformat() if e.seen_on else "",
                "changed": "Yes" if changed else "No",
                "change": _change_word(e.seen_status, s.status.value) if changed else "",
            }
        )
    return sorted(rows, key=lambda r: (r["changed"] != "Yes", r["name"].casefold()))


def _change_word(before: str, now: str) -> str:
    if now == Status.EXPIRED:
        return "Expired"
    if RANK.get(now, 0) < RANK.get(before, 0):
        return "Fell"
    if RANK.get(now, 0) > RANK.get(before, 0):
        return "Improved"
    return "Changed"


@transaction.atomic
def mark_seen(commissioner: Organisation, on: date, *, by, request=None) -> int:
    """Take today's statuses as the new 'last seen' baseline."""
    entries = list(
        WatchlistEntry.objects.filter(commissioner=commissioner).select_related("location")
    )
    statuses = statuses_of([e.location for e in entries], on)
    for e in entries:
        e.seen_status = statuses[e.location_id].status.value
        e.seen_label = statuses[e.location_id].label
        e.seen_on = on
    WatchlistEntry.objects.bulk_update(entries, ["seen_status", "seen_label", "seen_on"])
    record(
        "watchlist.seen",
        actor=by,
        organisation=commissioner,
        detail={"entries": len(entries)},
        request=request,
    )
    return len(entries)


def run_todays_alerts() -> dict:
    """`run_alerts` for today: the worker's daily job (dspt/tasks/schedules.py)."""
    return run_alerts(today())


def run_alerts(day: date, *, send_email: bool = True) -> dict:
    """Raise alerts for watched locations that expired or fell since the last run.

    Idempotent per day: each entry remembers the status the last run saw, and a notification is
    unique per person, location, kind and day. Emails go once each alert's transaction commits.
    """
    entries = list(WatchlistEntry.objects.select_related("location", "commissioner"))
    statuses = statuses_of([e.location for e in entries], day)
    recipients: dict[int, list[User]] = {}
    created = emailed = 0
    for e in entries:
        now = statuses[e.location_id]
        before = e.alert_status
        kind = None
        if before and now.status.value != before:
            if now.status == Status.EXPIRED:
                kind = AlertKind.EXPIRED
            elif RANK[now.status] < RANK.get(before, 0):
                kind = AlertKind.FELL
        if kind is not None:
            if e.commissioner_id not in recipients:
                recipients[e.commissioner_id] = list(
                    User.objects.filter(
                        is_active=True,
                        oversight_role=OversightRole.COMMISSIONER,
                        commissioner_for_id=e.commissioner_id,
                    )
                )
            with transaction.atomic():
                made = notify(
                    recipients[e.commissioner_id],
                    organisation=e.location,
                    kind=kind,
                    title=f"Watchlist: {e.location.name} {kind.label.lower()}",
                    body=_message(e.location, kind, now, before),
                    link="/monitoring/watchlist/",
                    email=send_email,
                    day=day,
                )
            created += len(made)
            if send_email:
                emailed += sum(bool(n.user.email) for n in made)
        if e.alert_status != now.status.value or e.alert_checked_on != day:
            e.alert_status = now.status.value
            e.alert_checked_on = day
            e.save(update_fields=["alert_status", "alert_checked_on"])
    return {"checked": len(entries), "alerts": created, "emails": emailed}


def _message(location, kind: str, now: StatusResult, before: str) -> str:
    was = Status(before).label if before in Status.values else before
    name = f"{location.name} ({location.ods_code or location.cqc_location_id})"
    if kind == AlertKind.EXPIRED:
        return (
            f"{name}: its DSPT publication has expired (it was {was}). It is no longer compliant."
        )
    return f"{name}: its DSPT status fell from {was} to {now.label}."

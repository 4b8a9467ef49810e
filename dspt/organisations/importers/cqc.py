"""Import CQC's "care directory with filters" (CSV, XLSX or ODS) into organisations.

Rules (docs/data.md says why):
- Only rows whose `Location Inspection Directorate` is "Adult social care" are imported; other
  directorates (hospitals, primary care) are counted and skipped.
- The region and ICB come from the matched local authority (`Location Local Authority`), whose
  reference data is authoritative; `Location Region` is not needed to place a location. An
  abolished authority's name (`Cumbria`, `Northamptonshire`) is placed in the successor holding
  the location's postcode district (la_successors); the summary says which rows were placed so
  and which could not be.
- A provider is found by `Provider ID`, a location by `Location ID`, then by `Location ODS Code`
  (so an organisation first created by a DSPT status import becomes the CQC location).
- A row with any bad cell is reported (row number and column) and skipped; good rows are kept.
  A file that is not a care directory is refused and nothing is imported.
- Locations in the database but not in the file are reported; only with `mark_missing_dormant`
  are they marked dormant (a file filtered to one area would otherwise retire all the others).
- An optional email column (`Location Email Address`, not in CQC's published file) and telephone
  column (`Location Telephone Number`) fill the contact details used to verify claims; a file
  without them leaves the held details alone.
- Columns the import does not read are named in the summary.
- Everything happens in one transaction; importing the same file again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from dspt.audit.services import record
from dspt.core.signals import Fact, announce
from dspt.organisations.importers import cqc_columns as cols
from dspt.organisations.importers.cqc_write import write_locations
from dspt.organisations.importers.la_successors import read_successors
from dspt.organisations.importers.tables import (
    describe_unread,
    find_table,
    read_rows,
    unread_columns,
)
from dspt.organisations.importers.values import (
    SKIP,
    ImportCounts,
    RowReader,
    collect_rows,
    parse_date,
    parse_email,
    parse_float,
    parse_int,
    parse_phone,
    yes_no,
)
from dspt.organisations.models import LocalAuthority, OrgType
from dspt.organisations.reference_files import normalise_la_name

_ODS = re.compile(r"^[A-Z0-9]{1,9}$")
_CQC_ID = re.compile(r"^[0-9A-Za-z-]{1,20}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")


@dataclass
class CqcImportResult(ImportCounts):
    """What an import did, for the operator."""

    file_kind: str = ""
    rows: int = 0
    other_directorates: int = 0
    providers_created: int = 0
    providers_updated: int = 0
    locations_created: int = 0
    locations_updated: int = 0
    locations_unchanged: int = 0
    missing_from_file: int = 0
    marked_dormant: int = 0
    bad_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _postcode(raw: str) -> str:
    compact = re.sub(r"\s+", "", raw.upper())
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


class _Geography:
    """Finds a row's local authority by name; an abolished authority's name by the successor
    holding the location's postcode district (la_successors), remembering which rows it placed
    that way and which it could not place, for the summary."""

    def __init__(self) -> None:
        self.las: dict[str, LocalAuthority] = {}
        self.by_code: dict[str, LocalAuthority] = {}
        for la in LocalAuthority.objects.all():
            self.las.setdefault(normalise_la_name(la.cqc_name), la)
            self.las.setdefault(normalise_la_name(la.name), la)
            self.by_code[la.ons_code] = la
        self.successors = read_successors()
        # predecessor name -> successor name (or None: not placed) -> row numbers
        self.placed: dict[str, dict[str | None, list[int]]] = {}

    def la(self, name: str) -> LocalAuthority | None:
        return self.las.get(normalise_la_name(name)) if name else None

    def successor(self, reader: RowReader, name: str, postcode: str) -> LocalAuthority | None:
        """The successor holding `postcode`'s district when `name` is an abolished authority's;
        else None, with the problem recorded on the reader."""
        old = self.successors.get(normalise_la_name(name)) if name else None
        if old is None:
            return None
        district = postcode.split(" ")[0] if _POSTCODE.match(postcode) else ""
        la = self.by_code.get(old.districts.get(district, ""))
        self.placed.setdefault(old.name, {}).setdefault(la.name if la else None, []).append(
            reader.problems.row
        )
        if la is None:
            names = " and ".join(
                self.by_code[c].name if c in self.by_code else c for c in old.successors
            )
            where = f"postcode district '{district}'" if district else "a location with no postcode"
            reader.problems.add(
                "Location Local Authority",
                f"'{name}' was replaced on {_day(old.changed_on)} by {names}, and {where} is "
                "not wholly in one of them (dspt/organisations/data/la_successors.csv); "
                "the location cannot be placed",
            )
        return la

    def notes(self) -> list[str]:
        notes = []
        for old_name, outcomes in sorted(self.placed.items()):
            old = self.successors[normalise_la_name(old_name)]
            parts = [
                f"row(s) {_rows(rows)} placed in {new}"
                for new, rows in sorted(outcomes.items(), key=lambda t: t[1][0])
                if new is not None
            ]
            if None in outcomes:
                parts.append(f"row(s) {_rows(outcomes[None])} could not be placed (bad rows)")
            notes.append(
                f"Location Local Authority '{old_name}' (replaced on "
                f"{_day(old.changed_on)}), by postcode district: " + "; ".join(parts) + "."
            )
        return notes


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"


def _rows(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _parse_row(
    reader: RowReader, geo: _Geography, services, groups, contact=(None, None)
) -> dict[str, Any]:
    """Read one row into the location's fields, recording problems on the reader.

    `contact` names the file's optional email and telephone columns (None when absent); contact
    fields are returned only for columns the file has.
    """
    p = reader.problems
    location_id = reader.get("Location ID")
    if location_id is not None and not _CQC_ID.match(location_id):
        p.add("Location ID", f"'{location_id}' is not a CQC location ID")
    provider_id = reader.get("Provider ID")
    if provider_id is not None and not _CQC_ID.match(provider_id):
        p.add("Provider ID", f"'{provider_id}' is not a CQC provider ID")
    name = reader.get("Location Name")
    provider_name = reader.get("Provider Name")
    for column, value in (
        ("Location Name", name),
        ("Provider Name", provider_name),
    ):
        if value == "":
            p.add(column, "is blank")
        elif value is not None and len(value) > 255:
            p.add(column, "is longer than 255 characters")
    ods = (reader.get("Location ODS Code") or "").upper()
    if ods and not _ODS.match(ods):
        p.add("Location ODS Code", f"'{ods}' is not an ODS code")
    postcode = _postcode(reader.get("Location Postal Code") or "")
    if postcode and not _POSTCODE.match(postcode):
        p.add("Location Postal Code", f"'{postcode}' is not a postcode")
    la_name = reader.get("Location Local Authority") or ""
    la = geo.la(la_name)
    if la is None and "Location Local Authority" not in dict(p.problems):
        la = geo.successor(reader, la_name, postcode)
    if la is None and "Location Local Authority" not in dict(p.problems):
        p.add("Location Local Authority", f"'{la_name}' is not an English local authority we know")
    rating_raw = reader.get("Location Latest Overall Rating") or ""
    rating = cols.RATINGS.get(cols.squash(rating_raw))
    if rating is None and rating_raw is not None:
        p.add("Location Latest Overall Rating", f"'{rating_raw}' is not a CQC rating")
    row_services = sorted({code for i, code in services.items() if yes_no_cell(reader, i)})
    row_groups = sorted({code for i, code in groups.items() if yes_no_cell(reader, i)})
    email_column, phone_column = contact
    extra: dict[str, Any] = {}
    if email_column:
        extra["contact_email"] = reader.get(email_column, parse_email) or ""
    if phone_column:
        extra["contact_phone"] = reader.get(phone_column, parse_phone) or ""
    return extra | {
        "name": name,
        "provider_name": provider_name,
        "org_type": OrgType.SOCIAL_CARE,
        "ods_code": ods or None,
        "postcode": postcode,
        "local_authority_id": la.ons_code if la else None,
        "region_id": la.region_id if la else None,
        "icb_id": la.icb_id if la else None,
        "latitude": reader.get("Location Latitude", parse_float, minimum=49.0, maximum=56.5),
        "longitude": reader.get("Location Longitude", parse_float, minimum=-7.0, maximum=2.5),
        "cqc_location_id": location_id,
        "cqc_provider_id": provider_id,
        "adult_social_care": True,
        "is_cqc_provider": False,
        "cqc_registered_on": reader.get("Location HSCA start date", parse_date),
        "care_home": bool(reader.get("Care home?", yes_no)),
        "beds": reader.get("Care homes beds", parse_int, maximum=2000) or 0,
        "service_types": row_services,
        "client_groups": row_groups,
        "cqc_rating": rating or "",
        "dormant": bool(reader.get("Dormant (Y/N)", yes_no)),
    }


def yes_no_cell(reader: RowReader, index: int) -> bool:
    header = next((h for h, i in reader.columns.items() if i == index), str(index))
    value = reader.values[index] if index < len(reader.values) else None
    try:
        return yes_no(value)
    except ValueError as exc:
        reader.problems.add(header, str(exc))
        return False


def import_cqc(path: str | Path, *, mark_missing_dormant: bool = False, actor=None):
    """Import one CQC care directory file. Raises FileRefused if it is not one."""
    kind, rows = read_rows(path)
    table = find_table(rows, cols.LOCATION_ID, cols.REQUIRED)
    services, groups, notes = cols.classify_columns(table.headers)
    result = CqcImportResult(file_kind=kind, notes=notes)
    geo = _Geography()
    seen_ids: dict[str, int] = {}
    seen_ods: dict[str, int] = {}
    contact = (
        cols.first_present(table.columns, cols.EMAIL_COLUMNS),
        cols.first_present(table.columns, cols.PHONE_COLUMNS),
    )

    def parse(reader: RowReader):
        directorate = reader.get("Location Inspection Directorate") or ""
        if cols.squash(directorate) != cols.ADULT_SOCIAL_CARE:
            result.other_directorates += 1
            return SKIP
        data = _parse_row(reader, geo, services, groups, contact)
        number = reader.problems.row
        for key, seen, column in (
            (data["cqc_location_id"], seen_ids, "Location ID"),
            (data["ods_code"], seen_ods, "Location ODS Code"),
        ):
            if key and key in seen:
                reader.problems.add(column, f"'{key}' appears twice (first at row {seen[key]})")
        if reader.ok:  # only a good row claims its IDs
            seen_ids[data["cqc_location_id"]] = number
            if data["ods_code"]:
                seen_ods[data["ods_code"]] = number
        return number, data

    parsed: list[tuple[int, dict[str, Any]]] = collect_rows(table, result, parse)
    result.notes += geo.notes()
    if unread := unread_columns(table.headers, cols.is_read):
        result.notes.insert(0, describe_unread(unread))
    with transaction.atomic():
        write_locations(parsed, result, mark_missing_dormant)
        # Bulk writes send no model signals; a directory import touches everyone, so the
        # derived tables are rewritten whole, in this transaction.
        announce(Fact.ORGANISATIONS)
        record("organisations.import_cqc", actor=actor, detail=result.as_dict())
    return result

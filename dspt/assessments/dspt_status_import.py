"""Import a DSPT organisation-search export: each row adds to an organisation's publication history.

Columns: Code, Organisation Name, Status, Date Of Publication, Primary Sector, Integrated Care
Board, under the headings real exports have used (ALIASES). Rules (docs/data.md says why):
- Status "YY/YY <level>" adds a Publication (source "import") for that edition, day and level,
  unless the same fact is already known: importing the same file twice changes nothing.
- "Not Published" marks the organisation registered (from the export's date) with no publication.
  Where the publications held here give it a valid status on the export's date, the export and the
  platform disagree: that is reported in the summary, and nothing is changed.
- A code the platform does not know creates the organisation: type from Primary Sector, ICB by name.
- Existing organisations keep their names and types: the CQC import owns those for care locations.
- A row with a bad cell is reported by row number and column and skipped; the good rows are kept.
- Text is stored exactly as given and never evaluated (a name starting "=" stays text).
- Columns, sectors and ICB names the import does not recognise are named in the summary's notes.

It writes publications, so it lives with them; reading the file is the organisations importers'
(dspt.organisations.importers), as for the CQC and ODS files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dspt.assessments.models import Level, Publication, PublicationSource
from dspt.audit.services import record
from dspt.core.dates import today
from dspt.core.signals import Fact, announce
from dspt.frameworks.deadlines import edition_code_for_label
from dspt.organisations.importers.cqc_columns import squash
from dspt.organisations.importers.tables import (
    describe_unread,
    find_table,
    read_rows,
    unread_columns,
)
from dspt.organisations.importers.values import ImportCounts, RowReader, collect_rows, parse_date
from dspt.organisations.models import ICB, Organisation, OrgType

REQUIRED = ("Code", "Organisation Name", "Status", "Date Of Publication", "Primary Sector")
ICB_COLUMN = "Integrated Care Board"
# Other headings real exports give these columns: the November 2023 export names the ICB column
# "Integrated Care Board (where available, from ODS)"; the February 2022 export (before ICBs)
# names it "Commissioner (From ODS)" and the status column "Latest Status".
ALIASES: dict[str, tuple[str, ...]] = {
    "Status": ("Latest Status",),
    ICB_COLUMN: ("Integrated Care Board (where available, from ODS)", "Commissioner (From ODS)"),
}
NOT_PUBLISHED = "not published"
_ODS = re.compile(r"^[A-Z0-9]{1,9}$")
_STATUS = re.compile(r"^(\d{2}/\d{2})\s+(.+)$")
LEVELS: dict[str, str] = {
    "standards met": Level.MET,
    "standards exceeded": Level.EXCEEDED,
    "approaching standards": Level.APPROACHING,
    "standards not met": Level.NOT_MET,
}
SECTORS: dict[str, str] = {
    "social care": OrgType.SOCIAL_CARE,
    "social care provider": OrgType.SOCIAL_CARE,
    "nhs trust": OrgType.NHS_TRUST,
    "nhs foundation trust": OrgType.NHS_TRUST,
    "trust": OrgType.NHS_TRUST,
    "local authority": OrgType.LOCAL_AUTHORITY,
    "integrated care board": OrgType.ICB,
    "icb": OrgType.ICB,
    "clinical commissioning group": OrgType.ICB,
    "ccg": OrgType.ICB,
    "commissioning support unit": OrgType.CSU,
    "csu": OrgType.CSU,
    "arm's length body": OrgType.ALB,
    "arm\u2019s length body": OrgType.ALB,
    "arms length body": OrgType.ALB,
    "gp": OrgType.GP,
    "gp practice": OrgType.GP,
    "general practice": OrgType.GP,
    "pharmacy": OrgType.PHARMACY,
    "community pharmacy": OrgType.PHARMACY,
    "dentist": OrgType.DENTIST,
    "dental": OrgType.DENTIST,
    "dental practice": OrgType.DENTIST,
    # Wording of the export's Primary Sector column.
    "ccg / integrated care board (icb)": OrgType.ICB,
    "commissioning support unit (csu)": OrgType.CSU,
    "no sector identified": OrgType.OTHER,
    "other": OrgType.OTHER,
}


@dataclass
class DsptImportResult(ImportCounts):
    """What an import did, for the operator."""

    rows: int = 0
    organisations_created: int = 0
    organisations_updated: int = 0
    publications_added: int = 0
    publications_known: int = 0
    not_published: int = 0
    not_published_but_valid_here: int = 0
    bad_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _icb_key(name: str) -> str:
    key = squash(name)
    key = re.sub(r" - [a-z0-9]{3,5}$", "", key)  # a sub-ICB location: "NHS X ICB - 15F"
    key = re.sub(r"^nhs ", "", key)
    return re.sub(r" (integrated care board|icb)$", "", key)


def _sector(raw: str) -> str | None:
    """Our type for a Primary Sector value, or None when we do not know the wording."""
    key = squash(raw)
    if key in SECTORS:
        return SECTORS[key]
    key = re.sub(r"\s*\([^)]*\)", "", key).strip()  # "Dentist (Dental Practice)" -> "dentist"
    return SECTORS.get(key)


@dataclass
class _Row:
    number: int
    code: str
    name: str
    sector: str
    icb_id: str | None
    edition: str | None
    level: str | None
    published_on: date | None


def _parse(reader: RowReader, icbs: dict[str, str], unknown: _Unknown, as_of: date) -> _Row:
    p = reader.problems
    code = (reader.get("Code") or "").upper()
    if not _ODS.match(code):
        p.add("Code", f"'{code}' is not an ODS code" if code else "is blank")
    name = reader.get("Organisation Name") or ""
    if len(name) > 255:
        p.add("Organisation Name", "is longer than 255 characters")
    status = squash(reader.get("Status") or "")
    edition = level = None
    if status != NOT_PUBLISHED:
        m = _STATUS.match(status)
        level = LEVELS.get(m[2]) if m else None
        try:
            edition = edition_code_for_label(m[1]) if m else None
        except ValueError:
            edition = None
        if level is None or edition is None:
            shown = reader.raw("Status")
            p.add("Status", f"'{shown or ''}' is not a DSPT status such as '23/24 Standards Met'")
    published_on = reader.get("Date Of Publication", parse_date)
    if status == NOT_PUBLISHED:
        published_on = None  # a stray date on an unpublished row means nothing
    elif published_on is None and "Date Of Publication" not in dict(p.problems):
        p.add("Date Of Publication", "is blank for a published status")
    elif published_on is not None and published_on > as_of:
        p.add("Date Of Publication", f"'{published_on:%d/%m/%Y}' is in the future")
    sector_raw = reader.get("Primary Sector") or ""
    sector = _sector(sector_raw)
    if sector is None:
        unknown.sectors[sector_raw] = unknown.sectors.get(sector_raw, 0) + 1
        sector = OrgType.OTHER
    icb_name = reader.get(ICB_COLUMN) or ""
    icb_id = (icbs.get(_icb_key(icb_name)) or icbs.get(icb_name.upper())) if icb_name else None
    if icb_name and icb_id is None:
        unknown.icbs[icb_name] = unknown.icbs.get(icb_name, 0) + 1
    return _Row(reader.problems.row, code, name, sector, icb_id, edition, level, published_on)


@dataclass
class _Unknown:
    """Values the import did not recognise, with how many rows had each."""

    sectors: dict[str, int] = field(default_factory=dict)
    icbs: dict[str, int] = field(default_factory=dict)

    def notes(self, icb_heading: str) -> list[str]:
        notes = [
            f"Primary Sector '{value}' is not one we know ({n} row(s)); organisations created "
            "from those rows are typed Other."
            for value, n in sorted(self.sectors.items())
        ]
        notes += [
            f"{icb_heading} '{value}' is not an ICB we know ({n} row(s)); left blank."
            for value, n in sorted(self.icbs.items())
        ]
        return notes


def _known_column(heading: str) -> bool:
    return (
        heading in REQUIRED
        or heading == ICB_COLUMN
        or any(heading in others for others in ALIASES.values())
    )


def import_dspt_status(path: str | Path, *, as_of: date | None = None, actor=None):
    """Import one DSPT export. `as_of` is the export's date (registration day for Not Published)."""
    as_of = as_of or today()
    _kind, rows = read_rows(path)
    table = find_table(rows, "Code", REQUIRED, ALIASES)
    icb_heading = next(
        (h for h in (ICB_COLUMN, *ALIASES[ICB_COLUMN]) if h in table.headers), ICB_COLUMN
    )
    icbs = {_icb_key(i.name): i.ods_code for i in ICB.objects.all()}
    icbs.update({i.ods_code: i.ods_code for i in ICB.objects.all()})
    result = DsptImportResult()
    unknown = _Unknown()
    good: list[_Row] = collect_rows(table, result, lambda r: _parse(r, icbs, unknown, as_of))
    notes = unknown.notes(icb_heading)
    if unread := unread_columns(table.headers, _known_column):
        notes.insert(0, describe_unread(unread))
    with transaction.atomic():
        _write(good, result, as_of)
        notes += _not_published_but_valid(good, result, as_of)
        result.notes = notes
        record("organisations.import_dspt_status", actor=actor, detail=result.as_dict())
    return result


def _not_published_but_valid(good: list[_Row], result: DsptImportResult, as_of: date) -> list[str]:
    """Rows saying Not Published for organisations whose publications held here give them a
    valid status on the export's date. The export does not say why (a publication withdrawn, a
    different rule, an error on either side), so nothing is changed: the rows are reported."""
    from dspt.statuses.compute import Status
    from dspt.statuses.selectors import results_on

    rows = {r.code: r for r in good if r.edition is None}
    orgs = {}
    codes = sorted(rows)
    for i in range(0, len(codes), 900):
        for o in Organisation.objects.filter(ods_code__in=codes[i : i + 900]).only(
            "id", "ods_code"
        ):
            orgs[o.pk] = o.ods_code
    valid = {Status.STANDARDS_NOT_MET, Status.APPROACHING, Status.MET, Status.EXCEEDED}
    notes = []
    for pk, status in sorted(results_on(list(orgs), as_of).items(), key=lambda t: orgs[t[0]]):
        if status.status not in valid:
            continue
        row = rows[orgs[pk]]
        covered = f", through its head office {status.covered_by}" if status.covered_by else ""
        until = f" (valid until {status.valid_until:%d/%m/%Y})" if status.valid_until else ""
        notes.append(
            f"row {row.number}, {row.code}: the export says Not Published on {as_of:%d/%m/%Y}, "
            f"but the publications held here give '{status.label}'{until}{covered}; nothing "
            "was changed."
        )
    result.not_published_but_valid_here = len(notes)
    return notes


def _write(good: list[_Row], result: DsptImportResult, as_of: date) -> None:
    codes = sorted({r.code for r in good})
    orgs: dict[str, Organisation] = {}
    for i in range(0, len(codes), 900):
        for o in Organisation.objects.filter(ods_code__in=codes[i : i + 900]):
            orgs[o.ods_code] = o
    new: dict[str, Organisation] = {}
    for r in good:
        if r.code not in orgs and r.code not in new:
            if not r.name:
                result.bad_rows.append(
                    f"row {r.number}, Organisation Name: is blank for an organisation we do not know"
                )
                continue
            new[r.code] = Organisation(
                ods_code=r.code, name=r.name, org_type=r.sector, icb_id=r.icb_id
            )
    Organisation.objects.bulk_create(list(new.values()), batch_size=1000)
    result.organisations_created = len(new)
    for i in range(0, len(codes), 900):
        for o in Organisation.objects.filter(ods_code__in=codes[i : i + 900]):
            orgs[o.ods_code] = o

    known = set(
        Publication.objects.filter(organisation__ods_code__in=codes).values_list(
            "organisation_id", "edition", "published_on", "level"
        )
        if len(codes) <= 900
        else Publication.objects.values_list("organisation_id", "edition", "published_on", "level")
    )
    now = timezone.now()
    pubs: list[Publication] = []
    touched: dict[int, Organisation] = {}
    for r in good:
        org = orgs.get(r.code)
        if org is None:
            continue
        registered = r.published_on or as_of
        if org.registered_on is None or registered < org.registered_on:
            org.registered_on = registered
            touched[org.pk] = org
        if org.icb_id is None and r.icb_id:
            org.icb_id = r.icb_id
            touched[org.pk] = org
        if r.edition is None:
            result.not_published += 1
            continue
        fact = (org.pk, r.edition, r.published_on, r.level)
        if fact in known:
            result.publications_known += 1
            continue
        known.add(fact)
        pubs.append(
            Publication(
                organisation=org,
                edition=r.edition,
                published_on=r.published_on,
                published_at=now,
                level=r.level,
                source=PublicationSource.IMPORT,
            )
        )
    for org in touched.values():
        org.updated_at = now
    Organisation.objects.bulk_update(
        list(touched.values()), ["registered_on", "icb_id", "updated_at"], batch_size=1000
    )
    result.organisations_updated = len([o for o in touched.values() if o.ods_code not in new])
    Publication.objects.bulk_create(pubs, batch_size=1000)
    result.publications_added = len(pubs)
    # Bulk writes send no model signals: announce them once, in this import's transaction.
    changed = {o.pk for o in touched.values()} | {o.pk for o in new.values()}
    announce(Fact.ORGANISATIONS, changed)
    announce(Fact.PUBLICATIONS, {p.organisation_id for p in pubs})

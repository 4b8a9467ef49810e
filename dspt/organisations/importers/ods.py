"""Import ODS organisation records: who each site's head office is, by ODS code.

The CQC file names a location's ODS code and its provider's CQC ID, but not the provider's ODS
code; the national toolkit knows head offices by that code. ODS publishes care home HQ and site
records (and trust sites, and so on) in its standard CSV layout, each site naming its parent
organisation's code. This import uses those links (docs/data.md, "ODS organisation records"):

- A CQC provider record with no ODS code takes its head office code when its open sites agree on
  one and no other organisation holds that code. The head office can then register by that code
  and publish for the sites it chooses.
- A site with no head office takes the organisation holding its parent's code.
- Anything else is reported and left alone: sites that disagree, a code another organisation
  holds (two records of one head office: link them by hand), a site already under another head
  office (the CQC import owns that link). Closed records are ignored; so are codes we do not hold.
- The summary says what was linked (head offices coded, sites linked) and what could not be: rows
  naming no parent (in ODS's etr and eccg layouts column 15 is empty in every row, and the note
  says so), sites naming a parent no one here holds, site codes not held, unread columns.

Two layouts are read: the ODS standard layout without a header (code in column 1, name 2,
postcode 10, open date 11, close date 12 as YYYYMMDD, parent code 15), or any CSV/XLSX/ODS with a
header row naming `Organisation Code`, `Name`, `Parent Organisation Code` and optionally `Close
Date`. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dspt.audit.services import record
from dspt.core.dates import today
from dspt.core.signals import Fact, announce
from dspt.organisations.importers.tables import (
    Table,
    describe_unread,
    find_table,
    read_rows,
    unread_columns,
)
from dspt.organisations.importers.values import (
    CellError,
    ImportCounts,
    RowReader,
    collect_rows,
    parse_date,
    text,
)
from dspt.organisations.models import Organisation

CODE, NAME, PARENT, CLOSE = "Organisation Code", "Name", "Parent Organisation Code", "Close Date"
REQUIRED = (CODE, NAME, PARENT)
# The ODS standard layout's positions (0-based) of the columns this import reads.
STANDARD_COLUMNS = {CODE: 0, NAME: 1, "Postcode": 9, "Open Date": 10, CLOSE: 11, PARENT: 14}
_ODS = re.compile(r"^[A-Z0-9]{1,9}$")
_YYYYMMDD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass
class OdsImportResult(ImportCounts):
    """What an import did, for the operator."""

    rows: int = 0
    head_offices_coded: int = 0
    sites_linked: int = 0
    closed_skipped: int = 0
    rows_without_parent: int = 0
    sites_not_held: int = 0
    sites_not_linked: int = 0
    bad_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Link:
    site: str
    parent: str


def _ods_date(value) -> date | None:
    raw = text(value)
    if m := _YYYYMMDD.match(raw):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise CellError(f"'{raw}' is not a date") from None
    return parse_date(value)


def _code(reader: RowReader, column: str, *, required: bool) -> str:
    code = (reader.get(column) or "").upper()
    if code and not _ODS.match(code):
        reader.problems.add(column, f"'{code}' is not an ODS code")
    elif required and not code:
        reader.problems.add(column, "is blank")
    return code


def _table(path: str | Path) -> Table:
    """The file's table; `header_row` 0 marks the standard layout (no header)."""
    _kind, rows = read_rows(path)
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return find_table([], CODE, REQUIRED)  # refuses the empty file with the usual message
    cells = [str(v).strip() if v is not None else "" for v in first[1]]
    if CODE in cells:
        return find_table(itertools.chain([first], rows), CODE, REQUIRED)
    data = (r for r in itertools.chain([first], rows) if any(v is not None for v in r[1]))
    return Table(0, dict(STANDARD_COLUMNS), list(STANDARD_COLUMNS), data)


def _some(items: list[str], limit: int = 20) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def import_ods(path: str | Path, *, as_of: date | None = None, actor=None) -> OdsImportResult:
    """Import one ODS file of organisation records (see the module docstring)."""
    as_of = as_of or today()
    table = _table(path)
    result = OdsImportResult()

    def parse(reader: RowReader) -> _Link | None:
        site = _code(reader, CODE, required=True)
        parent = _code(reader, PARENT, required=False)
        closed = reader.get(CLOSE, _ods_date) if CLOSE in reader.columns else None
        if reader.ok and closed is not None and closed <= as_of:
            result.closed_skipped += 1
            return None
        if reader.ok and (not parent or parent == site):
            result.rows_without_parent += 1
        return _Link(site, parent) if parent and parent != site else None

    links = [link for link in collect_rows(table, result, parse) if link is not None]
    notes: list[str] = _layout_notes(table, result, links)
    with transaction.atomic():
        _write(links, result, notes)
        # Bulk writes send no model signals: head offices and sites may have moved.
        announce(Fact.ORGANISATIONS)
        result.notes = notes
        record("organisations.import_ods", actor=actor, detail=result.as_dict())
    return result


def _layout_notes(table: Table, result: OdsImportResult, links: list[_Link]) -> list[str]:
    """What the file itself could not give: unread columns, rows naming no parent."""
    notes = []
    standard = table.header_row == 0
    if not standard:
        known = {*REQUIRED, CLOSE}
        if unread := unread_columns(table.headers, lambda h: h in known):
            notes.append(describe_unread(unread))
    where = "column 15" if standard else f"'{PARENT}'"
    if result.rows_without_parent and not links:
        notes.append(
            f"No row names a parent organisation ({where} is empty in every row), so no head "
            "office could be linked. ODS files of organisations rather than sites (such as etr "
            "for trusts or eccg for commissioners) leave it empty; use a sites file that names "
            "each site's parent (such as the care home or trust sites file), or a file with a "
            f"header row and a '{PARENT}' column."
        )
    elif result.rows_without_parent:
        notes.append(
            f"{result.rows_without_parent} row(s) name no parent organisation ({where} is "
            "empty): those records were not linked to a head office."
        )
    return notes


def _write(links: list[_Link], result: OdsImportResult, notes: list[str]) -> None:
    codes = sorted({c for link in links for c in (link.site, link.parent)})
    by_code: dict[str, Organisation] = {}
    for i in range(0, len(codes), 900):
        for o in Organisation.objects.filter(ods_code__in=codes[i : i + 900]).select_related(
            "parent"
        ):
            by_code[o.ods_code] = o
    now = timezone.now()
    changed: dict[int, Organisation] = {}
    _code_head_offices(links, by_code, changed, now, result, notes)
    # Then sites with no head office here, now that head offices may have their codes.
    linked: list[str] = []
    not_linked: list[str] = []
    for link in links:
        site, holder = by_code.get(link.site), by_code.get(link.parent)
        if site is not None and site.parent is None and holder is not None and holder != site:
            site.parent, site.updated_at = holder, now
            changed[site.pk] = site
            result.sites_linked += 1
            linked.append(f"{link.site} → {link.parent}")
        elif site is not None and site.parent is None and holder is None:
            not_linked.append(f"{link.site} (names {link.parent})")
    not_held = sorted({link.site for link in links if link.site not in by_code})
    result.sites_not_held, result.sites_not_linked = len(not_held), len(not_linked)
    if linked:
        notes.append(f"Sites linked to their head office: {_some(linked)}.")
    if not_linked:
        notes.append(
            f"{len(not_linked)} site(s) with no head office here name a parent code no "
            f"organisation here holds, so were not linked: {_some(not_linked)}."
        )
    if not_held:
        notes.append(
            f"{len(not_held)} site code(s) in the file are not held here; ignored: "
            f"{_some(not_held)}."
        )
    Organisation.objects.bulk_update(
        list(changed.values()), ["ods_code", "parent", "updated_at"], batch_size=1000
    )


def _code_head_offices(links, by_code, changed, now, result, notes) -> None:
    """Give each CQC provider record without an ODS code the one head office code its sites
    name in ODS, unless another organisation holds that code."""
    wanted: dict[int, set[str]] = {}
    providers: dict[int, Organisation] = {}
    coded: list[str] = []
    for link in links:
        site = by_code.get(link.site)
        if site is None or site.parent is None:
            continue
        if site.parent.ods_code:
            if site.parent.ods_code != link.parent:
                notes.append(
                    f"{link.site} is under {site.parent.ods_code} here but {link.parent} in ODS; "
                    "left as it is."
                )
            continue
        wanted.setdefault(site.parent.pk, set()).add(link.parent)
        providers[site.parent.pk] = site.parent
    for pk, found in sorted(wanted.items()):
        provider = providers[pk]
        if len(found) > 1:
            notes.append(
                f"{provider.name}: its sites name {len(found)} head offices in ODS "
                f"({', '.join(sorted(found))}); no code given."
            )
            continue
        (code,) = found
        holder = by_code.get(code)
        if holder is not None:
            notes.append(
                f"{provider.name}: its head office code {code} already belongs to "
                f"{holder.name}; link the two records by hand."
            )
            continue
        provider.ods_code, provider.updated_at = code, now
        by_code[code] = provider
        changed[provider.pk] = provider
        result.head_offices_coded += 1
        coded.append(f"{provider.name} → {code}")
    if coded:
        notes.append(f"Head offices given their ODS code: {_some(coded)}.")

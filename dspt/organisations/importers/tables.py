"""Read the rows of an uploaded table: CSV, XLSX or OpenDocument spreadsheet.

Every reader yields `(row_number, values)` where row_number is the row as a spreadsheet program
shows it (1 = the first line of the file) and values are str, numbers, dates, booleans, None for
an empty cell, or a `Formula` for a cell that holds a formula. Formulas are never evaluated.

Spreadsheets are read by the platform's one guarded reader (`dspt.core.spreadsheets`): the zip
archive is checked before anything is unpacked (declared sizes and compression ratio), sheets are
streamed row by row, their declared size is never trusted, and reading stops at the row and
column limits with a clear message.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from dspt.core.archives import ArchiveLimits
from dspt.core.spreadsheets import (
    NEW_SHEET,
    SHEET_MAX_ROWS,
    Formula,
    Row,
    SheetLimits,
    SpreadsheetRefused,
    Value,
    open_spreadsheet,
)

__all__ = [
    "NEW_SHEET",
    "FileRefused",
    "Formula",
    "Row",
    "Table",
    "Value",
    "find_table",
    "read_rows",
]

# Generous: CQC's full directory unpacks to a few hundred megabytes at most.
DEFAULT_MAX_UNCOMPRESSED = 1024 * 1024 * 1024
DEFAULT_MAX_RATIO = 200
DEFAULT_MAX_CSV_BYTES = 512 * 1024 * 1024
# Rows holding a value, all sheets together (CQC's directory has well under 100,000), and the
# last column a value may be in (it has about 90).
MAX_ROWS = SHEET_MAX_ROWS
MAX_COLUMNS = 1024
# Preamble lines allowed before the header row.
HEADER_SEARCH_ROWS = 30


class FileRefused(Exception):
    """The file is not something we can import at all; nothing was imported."""


@dataclass(frozen=True)
class Table:
    """A located header row and the rows beneath it."""

    header_row: int
    columns: dict[str, int]  # header text -> column index
    headers: list[str]
    rows: Iterator[Row]


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "DSPT_IMPORT_MAX_UNCOMPRESSED", DEFAULT_MAX_UNCOMPRESSED)),
        int(getattr(settings, "DSPT_IMPORT_MAX_RATIO", DEFAULT_MAX_RATIO)),
        int(getattr(settings, "DSPT_IMPORT_MAX_CSV_BYTES", DEFAULT_MAX_CSV_BYTES)),
    )


def _sheet_limits() -> SheetLimits:
    max_total, max_ratio, _ = _limits()
    return SheetLimits(
        ArchiveLimits(max_uncompressed=max_total, max_ratio=max_ratio),
        max_rows=MAX_ROWS,
        max_columns=MAX_COLUMNS,
    )


def read_rows(path: str | Path) -> tuple[str, Iterator[Row]]:
    """Open `path` by its content (not only its name) and return (kind, rows)."""
    path = Path(path)
    if not path.is_file():
        raise FileRefused(f"{path} is not a file.")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return _spreadsheet(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            "This is an old-style Excel (.xls) file. Save it as .xlsx, .ods or .csv and try again."
        )
    if path.suffix.lower() in (".xlsx", ".ods", ".xlsm"):
        raise FileRefused(f"{path.name} is named like a spreadsheet but is not one.")
    return "csv", _csv_rows(path)


def _spreadsheet(path: Path) -> tuple[str, Iterator[Row]]:
    try:
        book = open_spreadsheet(path, _sheet_limits())
    except SpreadsheetRefused as exc:
        raise FileRefused(str(exc)) from None
    return book.kind, _cells(book.rows())


def _cells(rows: Iterator[Row]) -> Iterator[Row]:
    """Text trimmed (blank text is an empty cell), and a refusal while reading as FileRefused."""
    try:
        for number, values in rows:
            if number != NEW_SHEET:
                values = [
                    (v.strip() or None) if isinstance(v, str) and not isinstance(v, Formula) else v
                    for v in values
                ]
            yield number, values
    except SpreadsheetRefused as exc:
        raise FileRefused(str(exc)) from None


def _csv_rows(path: Path) -> Iterator[Row]:
    _, _, max_bytes = _limits()
    size = path.stat().st_size
    if size > max_bytes:
        raise FileRefused(f"The CSV file is {size // (1024 * 1024)} MB, more than allowed.")
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise FileRefused(
            "The file is not a text CSV (it holds binary data or is UTF-16). "
            "Save it as CSV in UTF-8 or Windows-1252."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Excel on Windows saves CSV in Windows-1252.
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise FileRefused(
                "The CSV file is in an encoding we cannot read: save it as UTF-8 or Windows-1252."
            ) from None
    return _csv_records(text)


def _csv_records(text: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for record in reader:
            # The row number is the line the record starts on, as a text editor shows it.
            yield start, [v.strip() if v.strip() else None for v in record]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused(f"Line {reader.line_num}: the CSV is malformed ({exc}).") from None


def find_table(
    rows: Iterable[Row],
    marker: str,
    required: Iterable[str],
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> Table:
    """Find the header row (the first row with a cell equal to `marker`) and check its columns.

    `aliases` names other headings real files use for a column (canonical name -> headings): a
    file with one of them and not the canonical name has that column read under its canonical
    name. Refuses the file with the list of missing columns when a required column is absent.
    """
    required = list(required)
    aliases = aliases or {}
    iterator = iter(rows)
    scanned = 0
    best_missing: list[str] | None = None
    for number, values in iterator:
        if number == NEW_SHEET:
            scanned = 0
            continue
        scanned += 1
        if scanned > HEADER_SEARCH_ROWS:
            continue  # this sheet has no header near the top; look at the next one
        headers = [(str(v).strip() if v is not None else "") for v in values]
        if marker not in headers:
            continue
        columns: dict[str, int] = {}
        for i, h in enumerate(headers):
            if h and h not in columns:
                columns[h] = i
        for canonical, others in aliases.items():
            found = next((columns[o] for o in others if o in columns), None)
            if canonical not in columns and found is not None:
                columns[canonical] = found
        missing = [c for c in required if c not in columns]
        if missing:
            best_missing = missing
            continue
        return Table(number, columns, headers, _data_rows(iterator))
    if best_missing:
        raise FileRefused("The file is missing required columns: " + ", ".join(best_missing) + ".")
    raise FileRefused(
        f"No header row with a '{marker}' column was found in the first {HEADER_SEARCH_ROWS} rows."
    )


def unread_columns(headers: list[str], read) -> list[str]:
    """The headings in `headers` that `read(heading)` says are not read, in file order."""
    return [h for h in dict.fromkeys(headers) if h and not read(h)]


def describe_unread(headers: list[str]) -> str:
    """A note naming columns an import does not read. Runs of headings sharing a prefix before
    " - " (CQC's `Regulated activity - …`) are named once with their count."""
    groups: dict[str, list[str]] = {}
    for h in headers:
        prefix = h.split(" - ", 1)[0] + " - …" if " - " in h else h
        groups.setdefault(prefix, []).append(h)
    parts = [
        f"'{prefix}' ({len(names)} columns)"
        if len(names) > 2
        else ", ".join(f"'{n}'" for n in names)
        for prefix, names in groups.items()
    ]
    return f"{len(headers)} column(s) not read by this import, ignored: " + ", ".join(parts) + "."


def _data_rows(iterator: Iterator[Row]) -> Iterator[Row]:
    for number, values in iterator:
        if number == NEW_SHEET:
            return  # the data ends with the sheet that holds the header
        if any(v is not None for v in values):
            yield number, values
